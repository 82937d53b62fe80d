"""The remote client: with an http:// tracking URI, export, get, search, tags and delete go to a real tracking
server; connections are reused; failures are retried, spilled and replayed, so nothing is lost while the server is
down or restarting."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from server_helpers import CountingApp, ThreadedServer, build_trace, free_port
from waiting import wait_until

import tracekit
from tracekit.exceptions import InvalidFilterError, TracekitException, TrackingServerUnavailableError
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends, get_backend
from tracekit.store.rest.remote_traces import RestTraceStore, batch_bodies
from tracekit.store.sql.traces import SqlTraceStore


@pytest.fixture(autouse=True)
def _forget_stores():
    yield
    close_backends()


@tracekit.trace(span_type=tracekit.SpanType.CHAIN)
def ask(question: str) -> str:
    with tracekit.start_span("llm", span_type=tracekit.SpanType.LLM) as span:
        span.set_inputs({"prompt": question})
        span.set_outputs("42")
    tracekit.update_current_trace(tags={"question": question})
    return "42"


def test_tracing_api_goes_over_http(live_server, server_db):
    tracekit.set_tracking_uri(live_server.url)
    for number in range(5):
        ask(f"q{number}")
    trace_id = tracekit.get_last_active_trace_id()
    trace = tracekit.get_trace(trace_id)  # flushes the export queue first: read-your-writes over HTTP
    assert trace.info.tags == {"question": "q4"}
    assert [span.name for span in trace.data.spans] == ["llm", "ask"]
    frame = tracekit.search_traces(filter_string="tags.question = 'q2'")
    assert list(frame["request"]) == [{"question": "q2"}]
    assert SqlTraceStore(server_db).count_traces(["0"]) == 5


def test_trace_management_goes_over_http(live_server, server_db):
    tracekit.set_tracking_uri(live_server.url)
    ask("a")
    ask("b")
    client = tracekit.TracekitClient()
    trace_id = tracekit.get_last_active_trace_id()
    client.set_trace_tag(trace_id, "verdict", "good")
    assert SqlTraceStore(server_db).get_trace(trace_id).info.tags["verdict"] == "good"
    client.delete_trace_tag(trace_id, "verdict")
    assert "verdict" not in client.get_trace(trace_id).info.tags
    page = client.search_traces(max_results=1)
    assert len(page) == 1 and page.token is not None
    assert len(client.search_traces(max_results=1, page_token=page.token)) == 1
    assert client.delete_traces("0", trace_ids=[trace_id]) == 1
    assert tracekit.get_trace(trace_id) is None


def test_server_errors_raise_the_same_exceptions_as_a_local_store(live_server):
    tracekit.set_tracking_uri(live_server.url)
    with pytest.raises(InvalidFilterError, match="Invalid filter"):
        tracekit.search_traces(filter_string="tags.x = ")
    with pytest.raises(TracekitException, match="no tag"):
        ask("c")
        tracekit.TracekitClient().delete_trace_tag(tracekit.get_last_active_trace_id(), "missing")


def test_export_is_batched_and_reuses_one_connection(server_db, monkeypatch):
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_LOGGING", "false")
    counting = CountingApp(create_app(ServerSettings(backend_store_uri=server_db)))
    server = ThreadedServer(counting).start()
    try:
        store = RestTraceStore(server.url)
        store.write_traces([build_trace() for _ in range(300)])
        for _ in range(10):
            store.search_traces(["0"], max_results=5)
        assert counting.requests == 11
        assert len(counting.connections) == 1
        assert SqlTraceStore(server_db).count_traces(["0"]) == 300
    finally:
        server.stop()


def test_batches_are_split_to_stay_under_the_request_size_limit():
    traces = [build_trace(inputs={"text": "x" * 2000}) for _ in range(20)]
    bodies = list(batch_bodies(traces, 10_000))
    assert len(bodies) > 1 and all(len(body) <= 10_000 for body in bodies)
    import orjson

    sent = [t["info"]["trace_id"] for body in bodies for t in orjson.loads(body)["traces"]]
    assert sent == [t.info.trace_id for t in traces]


def test_a_server_that_does_not_answer_times_out(monkeypatch):
    monkeypatch.setenv("TRACEKIT_HTTP_REQUEST_TIMEOUT", "0.3")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        store = RestTraceStore(f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(TrackingServerUnavailableError, match="ReadTimeout"):
            store.get_trace(f"tr-{'1' * 32}")
        assert time.monotonic() - started < 3
    finally:
        silent.close()


def test_traces_made_while_the_server_is_down_arrive_when_it_comes_up(server_db, monkeypatch):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.3")
    tracekit.tracing.reset()
    port = free_port()
    tracekit.set_tracking_uri(f"http://127.0.0.1:{port}")
    for number in range(20):
        ask(f"down-{number}")
    tracekit.flush_trace_async_logging()
    assert tracekit.tracing.stats().spilled == 20
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db)))
    server.port, server.url = port, f"http://127.0.0.1:{port}"
    server.server.config.port = port
    server.start()
    try:
        stored = get_backend(server_db).traces

        def replayed() -> bool:
            # Stored and counted: the worker counts a replayed batch a moment after the server has it.
            if stored.count_traces(["0"]) >= 20 and tracekit.tracing.stats().replayed >= 20:
                return True
            ask("nudge")  # any activity lets the worker probe the server again
            tracekit.flush_trace_async_logging()
            return False

        wait_until(replayed, timeout=15, interval=0.2)
        stats = tracekit.tracing.stats()
        assert stats.replayed >= 20 and stats.dropped == 0
        assert len(get_backend(server_db).traces.search_traces(["0"], "tags.question LIKE 'down-%'", None)) == 20
    finally:
        server.stop()


@pytest.mark.slow
def test_nothing_is_lost_when_the_server_restarts_mid_stream(server_process, tmp_path, monkeypatch):
    """A `tracekit server` process is killed (SIGKILL) and restarted while traces stream to it."""
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "1")
    monkeypatch.setenv("TRACEKIT_EXPORT_BATCH_SIZE", "20")
    tracekit.tracing.reset()
    backend = f"sqlite:///{tmp_path / 'restart.db'}"
    server = server_process(backend).start()
    tracekit.set_tracking_uri(server.url)
    total = 400
    restarted = threading.Event()

    def crash_and_restart() -> None:
        server.kill()
        time.sleep(1.0)
        server.start()
        restarted.set()

    for number in range(total):
        ask(f"stream-{number}")
        if number == total // 4:
            threading.Thread(target=crash_and_restart, daemon=True).start()
        time.sleep(0.004)
    assert restarted.wait(40)
    store = SqlTraceStore(backend)

    def all_stored() -> bool:
        tracekit.flush_trace_async_logging()
        return store.count_traces(["0"]) >= total

    wait_until(all_stored, timeout=30, interval=0.2)
    stored = store.search_traces(["0"], max_results=None, include_spans=True)
    names = sorted(trace.info.tags["question"] for trace in stored)
    assert names == sorted(f"stream-{number}" for number in range(total))
    assert all(len(trace.data.spans) == 2 for trace in stored)
    stats = tracekit.tracing.stats()
    assert stats.dropped == 0 and stats.retried + stats.spilled > 0
    store.close()
