"""Timeouts everywhere: a store that accepts connections and never answers, or a SQLite file locked by another
connection, costs at most the configured timeouts; the error is a TracekitException naming the store, password
hidden, and `flush` spills rather than waits."""

from __future__ import annotations

import sqlite3
import time

import pytest
from databases import SERVER_URIS, server_database
from tcp_proxy import SilentServer

import tracekit
from tracekit.exceptions import TracekitException


@tracekit.trace
def traced(i):
    return i


@pytest.fixture(params=["postgresql", "mysql", "http"])
def silent_uri(request, monkeypatch):
    """A tracking URI (with a password) of a server that accepts connections and never answers."""
    monkeypatch.setenv("TRACEKIT_SQL_CONNECT_TIMEOUT_S", "1")
    monkeypatch.setenv("TRACEKIT_SQL_STATEMENT_TIMEOUT_S", "1")  # PyMySQL waits for the greeting this long
    monkeypatch.setenv("TRACEKIT_HTTP_REQUEST_TIMEOUT", "1")
    silent = SilentServer()
    if request.param == "http":
        uri = f"http://user:secret@127.0.0.1:{silent.port}"
    else:
        scheme = SERVER_URIS[request.param].split("://")[0]
        uri = f"{scheme}://user:secret@127.0.0.1:{silent.port}/db"
    yield uri
    silent.stop()


def test_search_against_a_silent_store_fails_within_the_timeout_naming_the_store(silent_uri):
    tracekit.set_tracking_uri(silent_uri)
    started = time.monotonic()
    with pytest.raises(TracekitException) as raised:
        tracekit.search_traces(["0"])
    assert time.monotonic() - started < 10
    assert "127.0.0.1" in raised.value.message
    assert "secret" not in raised.value.message


def test_flush_against_a_silent_store_spills_within_the_timeouts(silent_uri, monkeypatch):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "1")
    tracekit.tracing.reset()
    tracekit.set_tracking_uri(silent_uri)
    for i in range(20):
        traced(i)
    started = time.monotonic()
    tracekit.flush_trace_async_logging()
    assert time.monotonic() - started < 15
    stats = tracekit.tracing.stats()
    assert stats.spilled == 20 and stats.dropped == 0


@pytest.fixture
def locked_sqlite(tmp_path, monkeypatch):
    """A migrated SQLite store whose write lock another connection holds, with a short busy timeout."""
    monkeypatch.setenv("TRACEKIT_SQLITE_BUSY_TIMEOUT_S", "0.2")
    uri = f"sqlite:///{tmp_path / 'locked.db'}"
    tracekit.set_tracking_uri(uri)
    tracekit.search_traces(["0"])
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield uri
    holder.close()


def test_a_locked_sqlite_store_fails_writes_after_the_busy_timeout(locked_sqlite):
    started = time.monotonic()
    with pytest.raises(TracekitException) as raised:
        tracekit.create_experiment("blocked")
    assert time.monotonic() - started < 10
    assert "locked.db" in raised.value.message and "locked" in raised.value.message.lower()
    assert tracekit.search_traces(["0"], return_type="list") == []  # readers are not blocked (WAL)


def test_a_value_the_driver_cannot_encode_is_a_tracekit_exception_naming_the_store(db_uri):
    tracekit.set_tracking_uri(db_uri)
    with pytest.raises(TracekitException) as raised:
        tracekit.search_traces(["0"], filter_string="tags.file = 'caf\udce9'")
    assert "tracking store" in raised.value.message
    assert db_uri.split("/")[-1] in raised.value.message


# SQLite runs in-process: it has a busy timeout (tested above) and no statement timeout.
@pytest.mark.parametrize(("backend", "slow"), [("postgresql", "SELECT pg_sleep(3)"), ("mysql", "SELECT SLEEP(3)")])
def test_statement_timeouts_reach_the_driver(backend, slow, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SQL_STATEMENT_TIMEOUT_S", "1")
    from sqlalchemy import text

    from tracekit.store.sql.engine import create_store_engine

    engine = create_store_engine(server_database(backend))
    try:
        with pytest.raises(Exception) as raised:  # noqa: B017,PT011 - the driver's own timeout error
            with engine.connect() as connection:
                connection.execute(text(slow)).all()
        # cut short by the timeout, not failed for another reason: PostgreSQL's statement_timeout cancels the query
        # on the server; for MySQL/MariaDB the timeout is the driver's read timeout, which drops the connection
        cause = getattr(raised.value, "orig", raised.value)
        if backend == "postgresql":
            assert getattr(cause, "sqlstate", None) == "57014", cause
        else:
            assert cause.args[0] == 2013 and "timed out" in str(cause.args[1]), cause
    finally:
        engine.dispose()
