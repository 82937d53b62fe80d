"""Exit and SIGTERM: pending traces are delivered within TRACEKIT_EXIT_TIMEOUT_S, the rest (a batch held by a hung
store included) is spilled, and the process ends as it would have without tracekit."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from databases import SERVER_URIS, empty_server_database
from tcp_proxy import SilentServer
from waiting import wait_until

import tracekit
from tracekit.cli import main as cli

TRACING_LOOP = textwrap.dedent("""
    import signal, sys, time

    if sys.argv[2] == "user-handler":  # the application's handler, set before tracekit is imported
        def on_term(signum, frame):
            print("user handler ran", flush=True)
            sys.exit(3)
        signal.signal(signal.SIGTERM, on_term)

    import tracekit

    @tracekit.trace
    def work(i):
        return i

    ids = open(sys.argv[1], "a", buffering=1)
    print("ready", flush=True)
    i = 0
    limit = int(sys.argv[3])
    while i < limit:
        work(i)
        ids.write(tracekit.get_last_active_trace_id() + "\\n")
        i += 1
    time.sleep(600)
""")


def spilled_trace_ids(spill_dir: Path) -> list[str]:
    """Trace ids in every spill file under `spill_dir`."""
    found = []
    for path in spill_dir.rglob("*"):
        if path.is_file() and path.name != "DESTINATION":
            found += [json.loads(line)["info"]["trace_id"] for line in path.read_text().splitlines() if line.strip()]
    return found


def stored_trace_ids(uri: str) -> list[str]:
    return [trace.info.trace_id
            for trace in tracekit.search_traces(["0"], max_results=None, return_type="list", filter_string=None)]


def start_tracing(tmp_path: Path, uri: str, mode: str = "default", limit: int = 10**9,
                  **env: str) -> tuple[subprocess.Popen, Path]:
    ids = tmp_path / "completed.txt"
    script = tmp_path / "loop.py"
    script.write_text(TRACING_LOOP)
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": uri, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill"),
                   **env}
    child = subprocess.Popen([sys.executable, str(script), str(ids), mode, str(limit)], env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child, ids


def completed(ids: Path) -> list[str]:
    return ids.read_text().split() if ids.exists() else []


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def store_uri(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'child.db'}"
    return empty_server_database(request.param)


def test_sigterm_mid_stream_loses_nothing_and_the_process_dies_by_the_signal(store_uri, tmp_path):
    child, ids = start_tracing(tmp_path, store_uri, TRACEKIT_EXIT_TIMEOUT_S="20")
    assert wait_until(lambda: len(completed(ids)) >= 3000, timeout=60)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM, stderr
    assert "SIGTERM" in stderr  # one log line says what happened

    done = completed(ids)
    tracekit.set_tracking_uri(store_uri)
    spilled = spilled_trace_ids(tmp_path / "spill")
    stored_before = set(stored_trace_ids(store_uri))
    assert set(done) <= stored_before | set(spilled)

    result = CliRunner().invoke(cli, ["spill", "replay", "--tracking-uri", store_uri],
                                env={"TRACEKIT_SPILL_DIR": str(tmp_path / "spill")})
    assert result.exit_code == 0, result.output
    stored = stored_trace_ids(store_uri)
    assert len(stored) == len(set(stored))  # each stored exactly once
    assert set(done) <= set(stored)


def test_sigterm_runs_the_users_handler_after_the_flush(tmp_path):
    uri = f"sqlite:///{tmp_path / 'child.db'}"
    child, ids = start_tracing(tmp_path, uri, mode="user-handler", limit=500)
    assert wait_until(lambda: len(completed(ids)) == 500, timeout=60)
    child.send_signal(signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 3, stderr
    assert "user handler ran" in stdout
    tracekit.set_tracking_uri(uri)
    assert set(completed(ids)) <= set(stored_trace_ids(uri)) | set(spilled_trace_ids(tmp_path / "spill"))


def test_opting_out_leaves_sigterm_alone(tmp_path):
    code = "import signal, tracekit; print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)"
    for value, expected in (("false", "True"), ("true", "False")):
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "TRACEKIT_HANDLE_SIGTERM": value},
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected


def test_the_handler_is_installed_only_from_the_main_thread(tmp_path):
    code = textwrap.dedent("""
        import signal, threading
        def load():
            import tracekit
        thread = threading.Thread(target=load)
        thread.start(); thread.join()
        print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"


@pytest.fixture(params=["sqlite-locked", "postgresql-silent", "mysql-silent"])
def hung_store(request, tmp_path):
    """A tracking URI whose store hangs: a SQLite file another connection holds the write lock of (with a long busy
    timeout), or a server that accepts connections and never answers (with long connect timeouts)."""
    env = {"TRACEKIT_SQLITE_BUSY_TIMEOUT_S": "120", "TRACEKIT_SQL_CONNECT_TIMEOUT_S": "120"}
    if request.param == "sqlite-locked":
        uri = f"sqlite:///{tmp_path / 'locked.db'}"
        tracekit.set_tracking_uri(uri)
        tracekit.search_traces(["0"])  # create and migrate the file
        holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        yield uri, env
        holder.close()
        return
    silent = SilentServer()
    backend = request.param.split("-")[0]
    scheme = SERVER_URIS[backend].split("://")[0]
    yield f"{scheme}://user:secret@127.0.0.1:{silent.port}/db", env
    silent.stop()


def test_a_hung_store_at_exit_costs_the_exit_timeout_and_the_batch_is_spilled(hung_store, tmp_path):
    uri, env = hung_store
    child, ids = start_tracing(tmp_path, uri, limit=200, TRACEKIT_EXIT_TIMEOUT_S="1", **env)
    assert wait_until(lambda: len(completed(ids)) == 200, timeout=60)
    time.sleep(0.5)  # the worker is now stuck writing the first batch
    started = time.monotonic()
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    assert time.monotonic() - started < 10
    assert child.returncode == -signal.SIGTERM, stderr
    assert sorted(spilled_trace_ids(tmp_path / "spill")) == sorted(completed(ids))
    assert "secret" not in stderr
