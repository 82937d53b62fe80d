"""End to end through the real stores: traced calls in, rows in the database out, nothing lost on the way."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import ProgrammingError
from tcp_proxy import TcpProxy
from waiting import wait_until

import tracekit
from tracekit.store.sql import schema
from tracekit.store.sql.engine import create_store_engine


@tracekit.trace
def traced(i):
    return i


def stored_trace_ids(uri: str) -> list[str]:
    engine = create_store_engine(uri)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(schema.trace_info.c.trace_id)))
    finally:
        engine.dispose()


def stored_count_or_zero(uri: str) -> int:
    try:
        return len(stored_trace_ids(uri))
    except ProgrammingError:  # tables not created yet: the store has not been reached
        return 0


def stored_span_count(uri: str) -> int:
    engine = create_store_engine(uri)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(schema.spans))
    finally:
        engine.dispose()



@pytest.mark.slow
def test_a_tight_loop_of_10000_traced_calls_stores_all_10000(tmp_path):
    uri = f"sqlite:///{tmp_path / 'loop.db'}"
    tracekit.set_tracking_uri(uri)
    for i in range(10_000):
        traced(i)
    tracekit.flush_trace_async_logging()

    ids = stored_trace_ids(uri)
    assert len(ids) == 10_000 and len(set(ids)) == 10_000
    stats = tracekit.tracing.stats()
    assert stats.dropped == 0
    assert stats.exported == 10_000 and stats.spilled_pending == 0


@pytest.mark.slow
def test_a_process_that_traces_and_exits_leaves_every_trace_stored(tmp_path):
    uri = f"sqlite:///{tmp_path / 'exit.db'}"
    script = textwrap.dedent(f"""
        import tracekit
        tracekit.set_tracking_uri({uri!r})

        @tracekit.trace
        def work(i):
            with tracekit.start_span("inner") as span:
                span.set_inputs({{"i": i}})
            return i

        for i in range(500):
            work(i)
        # no flush: the process exits with traces still queued
    """)
    env = {**os.environ, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    assert len(set(stored_trace_ids(uri))) == 500
    assert stored_span_count(uri) == 1000
    assert not list((tmp_path / "spill").rglob("*.json*"))


def test_a_postgresql_store_that_refuses_at_first_gets_every_trace_once(postgres_uri, monkeypatch):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.3")
    tracekit.tracing.reset()
    target = urlsplit(postgres_uri)
    proxy = TcpProxy(target.port or 5432)
    via_proxy = urlunsplit(target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}"))
    tracekit.set_tracking_uri(via_proxy)

    try:
        for i in range(200):  # the database refuses every connection: retried, then spilled
            traced(i)
        tracekit.flush_trace_async_logging()
        stats = tracekit.tracing.stats()
        assert stats.retried > 0
        assert stats.spilled == 200 and stats.exported == 0 and stats.dropped == 0

        proxy.start()  # the database answers again
        for i in range(200, 250):
            traced(i)
        tracekit.flush_trace_async_logging()
        assert wait_until(lambda: stored_count_or_zero(postgres_uri) == 250)
        trace = tracekit.get_trace(sorted(stored_trace_ids(postgres_uri))[0])
        assert trace is not None and trace.data.spans[0].name == "traced"
    finally:
        proxy.stop()

    ids = stored_trace_ids(postgres_uri)
    assert len(set(ids)) == 250
    stats = tracekit.tracing.stats()
    assert stats.replayed >= 200 and stats.dropped == 0
    assert stats.exported == 250 and stats.spilled_pending == 0  # each trace delivered once (replayed ones too)
