"""A tracking server answering 401 or 403 is a wrong setting, not an outage: reads raise at once with what to set,
traces are dead-lettered at once (counted, logged once), never retried, spilled, or written to a local file."""

from __future__ import annotations

import logging

import pytest
from server_helpers import ThreadedServer
from starlette.responses import JSONResponse

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.server import ServerSettings, create_app
from tracekit.store.sql.traces import SqlTraceStore

PASSWORD = "s3cret-Pa55word"


@tracekit.trace
def work(i: int) -> int:
    return i + 1


@pytest.fixture
def basic_server(server_db, tmp_path):
    users = tmp_path / "users"
    users.write_text(f"alice:{PASSWORD}\n")
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db, auth="basic",
                                                       users_file=str(users)))).start()
    yield running
    running.stop()


@pytest.fixture
def forbidding_server(server_db):
    """The real server behind a proxy whose policy forbids the API (HTTP 403), as an access rule would."""
    app = create_app(ServerSettings(backend_store_uri=server_db))

    async def proxy(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await JSONResponse({"message": "blocked by the access policy"}, status_code=403)(scope, receive, send)
            return
        await app(scope, receive, send)

    running = ThreadedServer(proxy).start()
    yield running
    running.stop()


def _trace_and_check_nothing_is_retried(tmp_path, caplog) -> list[str]:
    with caplog.at_level(logging.WARNING, logger="tracekit"):
        assert [work(i) for i in range(3)] == [1, 2, 3]
        tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert (stats.completed, stats.rejected, stats.retried, stats.spilled, stats.exported) == (3, 3, 0, 0, 0)
    assert not list((tmp_path / "spill").rglob("*.open"))
    assert len(list((tmp_path / "spill").rglob("dead/*.jsonl"))) == 1
    assert not list(tmp_path.glob("*.db"))[1:] and not (tmp_path / "tracekit.db").exists()
    return [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING and not record.name.startswith("tracekit.server")]


def test_wrong_credentials_fail_reads_at_once_and_dead_letter_traces(basic_server, server_db, monkeypatch, tmp_path,
                                                                     caplog):
    monkeypatch.setenv("TRACEKIT_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("TRACEKIT_TRACKING_PASSWORD", "wrong")
    tracekit.set_tracking_uri(basic_server.url)
    with pytest.raises(TracekitException, match="HTTP 401") as raised:
        tracekit.search_traces()
    assert raised.value.error_code == "UNAUTHENTICATED"
    assert "TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD" in raised.value.message

    logged = _trace_and_check_nothing_is_retried(tmp_path, caplog)
    assert len(logged) == 1 and "HTTP 401" in logged[0] and "TRACEKIT_TRACKING_TOKEN" in logged[0]
    assert SqlTraceStore(server_db).count_traces(["0"]) == 0


def test_a_forbidden_request_says_what_to_check(forbidding_server, tmp_path, caplog):
    tracekit.set_tracking_uri(forbidding_server.url)
    with pytest.raises(TracekitException, match="HTTP 403") as raised:
        tracekit.search_traces()
    assert raised.value.error_code == "PERMISSION_DENIED"
    assert "blocked by the access policy" in raised.value.message
    assert forbidding_server.url in raised.value.message

    logged = _trace_and_check_nothing_is_retried(tmp_path, caplog)
    assert len(logged) == 1 and "HTTP 403" in logged[0]
