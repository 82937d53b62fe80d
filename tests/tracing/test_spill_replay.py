"""Replay without a new trace: what an earlier process spilled is delivered by the next process that opens the
store, even one that only reads, and by `tracekit spill replay`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner
from databases import SERVER_URIS, empty_server_database
from tcp_proxy import TcpProxy

import tracekit
from tracekit.cli import main as cli

PRODUCER = textwrap.dedent("""
    import tracekit

    @tracekit.trace
    def work(i):
        return i

    for i in range(50):
        work(i)
    tracekit.flush_trace_async_logging()
    assert tracekit.tracing.stats().spilled == 50, tracekit.tracing.stats()
""")


@pytest.fixture(params=["sqlite", "postgresql"])
def spilled_store(request, tmp_path, monkeypatch):
    """A tracking URI that was down while another process traced 50 calls (all spilled), and is up again."""
    env = {**os.environ, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill"), "TRACEKIT_EXPORT_RETRY_MAX_SECONDS": "0.3"}
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'store.db'}"
        tracekit.set_tracking_uri(uri)
        tracekit.search_traces(["0"])  # create the file, then hold its write lock while the producer runs
        holder = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        run_producer(tmp_path, uri, {**env, "TRACEKIT_SQLITE_BUSY_TIMEOUT_S": "0.1"})
        holder.close()
        tracekit.tracing.reset()  # this process read the store before: start as a fresh one would
        yield uri
        return
    target = empty_server_database("postgresql")
    proxy = TcpProxy(urlsplit(target).port)
    uri = through(proxy, target)
    run_producer(tmp_path, uri, env)  # the proxy is off: the database is down
    proxy.start()
    yield uri
    proxy.stop()


def through(proxy: TcpProxy, uri: str) -> str:
    """`uri` with its port replaced by the proxy's."""
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{proxy.port}")))


def run_producer(tmp_path: Path, uri: str, env: dict[str, str]) -> None:
    script = tmp_path / "producer.py"
    script.write_text(PRODUCER)
    subprocess.run([sys.executable, str(script)], env={**env, "TRACEKIT_TRACKING_URI": uri}, check=True,
                   timeout=120)


def test_a_process_that_only_searches_replays_the_spill(spilled_store):
    tracekit.set_tracking_uri(spilled_store)
    found = tracekit.search_traces(["0"], max_results=None, return_type="list")
    assert sorted(t.data.spans[0].inputs["i"] for t in found) == list(range(50))
    assert tracekit.tracing.stats().replayed == 50


def test_traces_search_on_the_command_line_replays_the_spill(spilled_store, tmp_path):
    result = CliRunner().invoke(cli, ["traces", "search", "--tracking-uri", spilled_store, "--output", "json",
                                      "--max-results", "100"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 50


def test_spill_replay_command_delivers_every_spilled_trace_once(spilled_store, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["spill", "replay", "--tracking-uri", spilled_store])
    assert result.exit_code == 0, result.output
    assert "Replayed 50 trace(s)" in result.output
    again = runner.invoke(cli, ["spill", "replay", "--tracking-uri", spilled_store])
    assert "Replayed 0 trace(s)" in again.output
    tracekit.set_tracking_uri(spilled_store)
    stored = tracekit.search_traces(["0"], max_results=None, return_type="list")
    assert len({t.info.trace_id for t in stored}) == len(stored) == 50


def test_spill_replay_command_fails_while_the_store_is_down(tmp_path):
    uri = through(TcpProxy(5432), SERVER_URIS["postgresql"])  # never started: nothing listens there
    run_producer(tmp_path, uri, {**os.environ, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill"),
                                 "TRACEKIT_EXPORT_RETRY_MAX_SECONDS": "0.3"})
    result = CliRunner().invoke(cli, ["spill", "replay", "--tracking-uri", uri])
    assert result.exit_code == 1
    assert "stay in" in result.output
