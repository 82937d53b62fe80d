"""A trace the destination refuses for good is isolated: the others are stored, it goes to the dead-letter file
with the reason, and the destination is not treated as down."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from counters import assert_counters_add_up
from databases import BACKENDS, server_database
from server_helpers import ThreadedServer
from waiting import wait_until

import tracekit
from tracekit.cli import main
from tracekit.server import ServerSettings, create_app

# A nanosecond time no store can hold: the trace's duration in milliseconds is beyond 64 bits.
_BEYOND_64_BITS_NS = 2**64 * 1_000_000


@tracekit.trace
def handle(i):
    return {"answer": i}


def _poison_trace() -> str:
    """A trace whose root span ends at a time no store can hold; returns its id."""
    client = tracekit.TracekitClient()
    root = client.start_trace("poison", inputs={"i": "poison"}, start_time_ns=0)
    client.end_trace(root.trace_id, end_time_ns=_BEYOND_64_BITS_NS)
    return root.trace_id


def _burst_with_poison(count: int = 200, poison_at: int = 57) -> str:
    poison_id = ""
    for i in range(count):
        if i == poison_at:
            poison_id = _poison_trace()
        else:
            handle(i)
    return poison_id


def _dead_letters() -> list[dict]:
    result = CliRunner().invoke(main, ["spill", "list", "--dead", "-o", "json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_poison_trace_in_a_batch_of_200_costs_only_itself(db_uri):
    tracekit.set_tracking_uri(db_uri)
    poison_id = _burst_with_poison()

    stats = assert_counters_add_up()
    assert (stats.completed, stats.exported, stats.rejected, stats.spilled, stats.dropped) == (200, 199, 1, 0, 0)
    assert tracekit.count_traces() == 199
    assert tracekit.get_trace(poison_id) is None
    [dead] = _dead_letters()
    assert dead["trace_id"] == poison_id and dead["reason"]


def test_after_a_poison_trace_later_traces_go_straight_to_the_store(db_uri):
    tracekit.set_tracking_uri(db_uri)
    _poison_trace()
    tracekit.flush_trace_async_logging()
    for i in range(50):
        handle(i)

    stats = assert_counters_add_up()
    assert (stats.exported, stats.rejected, stats.spilled, stats.retried) == (50, 1, 0, 0)
    assert tracekit.count_traces() == 50


def test_a_trace_over_the_servers_body_limit_is_rejected_and_the_rest_stored(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", str(4_000_000))
    monkeypatch.setenv("TRACEKIT_MAX_INLINE_BYTES", str(4_000_000))  # kept inline, so the request is too large
    monkeypatch.setenv("TRACEKIT_HTTP_MAX_REQUEST_BYTES", str(1_000_000))
    tracekit.tracing.reset()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                                                      max_body_bytes=1_000_000))).start()
    try:
        tracekit.set_tracking_uri(server.url)
        big_id = ""
        for i in range(200):
            if i == 120:
                handle("x" * 2_000_000)
                big_id = tracekit.get_last_active_trace_id()
            else:
                handle(i)
        stats = assert_counters_add_up()
        assert (stats.completed, stats.exported, stats.rejected, stats.spilled, stats.dropped) == (200, 199, 1, 0, 0)
        assert tracekit.count_traces() == 199
        [dead] = _dead_letters()
        assert dead["trace_id"] == big_id and "HTTP 413" in dead["reason"]
    finally:
        server.stop()


def test_a_value_over_the_inline_limit_goes_through_the_server_as_an_attachment(monkeypatch, tmp_path):
    """The same 2 MB value with the default inline limit (1 MB): uploaded through the server's artifact routes, the
    trace itself stays small, nothing is rejected, and get_trace reads the value back whole."""
    monkeypatch.setenv("TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", str(4_000_000))
    monkeypatch.setenv("TRACEKIT_HTTP_MAX_REQUEST_BYTES", str(1_000_000))
    tracekit.tracing.reset()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                                                      max_body_bytes=1_000_000,
                                                      artifacts_destination=str(tmp_path / "served")))).start()
    try:
        tracekit.set_tracking_uri(server.url)
        handle("x" * 2_000_000)
        big_id = tracekit.get_last_active_trace_id()
        handle(1)
        stats = assert_counters_add_up()
        assert (stats.completed, stats.exported, stats.rejected, stats.spilled, stats.dropped) == (2, 2, 0, 0, 0)
        trace = tracekit.get_trace(big_id)
        assert trace.info.tags["tracekit.artifactLocation"].startswith("tracekit-artifacts:/0/traces/")
        assert len(trace.data.spans[0].inputs["i"]) == 2_000_000
        assert sum(file.stat().st_size for file in (tmp_path / "served").rglob("*.json")) > 4_000_000
    finally:
        server.stop()


def test_spilled_traces_refused_on_replay_go_to_dead_letters_not_back_to_the_spill(db_uri, monkeypatch, tmp_path):
    """A full export queue spills; the replay stores the good traces and moves the poison one to the dead letters,
    once, instead of retrying the spill file forever."""
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_QUEUE_SIZE", "1")
    monkeypatch.setenv("TRACEKIT_EXPORT_QUEUE_FULL_WAIT_SECONDS", "0")
    tracekit.tracing.reset()
    tracekit.set_tracking_uri(db_uri)
    _burst_with_poison(count=40, poison_at=30)

    assert wait_until(lambda: tracekit.tracing.stats().spilled_pending == 0 and tracekit.tracing.stats().spilled)
    stats = assert_counters_add_up()
    assert (stats.exported, stats.rejected, stats.dropped) == (39, 1, 0)
    assert tracekit.count_traces() == 39
    assert not [path for path in (tmp_path / "spill").rglob("*.jsonl*") if path.parent.name != "dead"]
    assert len(_dead_letters()) == 1


@pytest.mark.parametrize("backend", [name for name in BACKENDS if name != "sqlite"])  # SQLite keeps any length
def test_a_value_a_database_server_refuses_is_a_trace_rejection_not_an_outage(backend, tmp_path):
    """A trace id longer than its column is refused by PostgreSQL and MariaDB; the store says the trace is refused
    for good (so the export queue isolates it and stores the rest), rather than a failure to retry or spill."""
    from tracekit.exceptions import TraceRejectedError
    from tracekit.store.sql.traces import SqlTraceStore

    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'source.db'}")
    handle(1)
    handle(2)
    tracekit.flush_trace_async_logging()
    good, bad = tracekit.search_traces(return_type="list")
    bad.info.trace_id = "tr-" + "f" * 200
    store = SqlTraceStore(server_database(backend))
    try:
        with pytest.raises(TraceRejectedError, match="refused 1 trace"):
            store.write_traces([bad])
        store.write_traces([good])
        assert [trace.info.trace_id for trace in store.search_traces(["0"], max_results=10)] == [good.info.trace_id]
    finally:
        store.close()
