"""One bad value costs at most its own field: values no store takes are replaced, when captured, by a marked
rendering, so their traces and the batches they are in are stored on every backend."""

from __future__ import annotations

import logging
import os

from counters import assert_counters_add_up
from server_helpers import ThreadedServer, free_port

import tracekit
from tracekit.server import ServerSettings, create_app
from tracekit.tracing.runtime import RUNTIME


class Unprintable:
    def __repr__(self):
        raise RuntimeError("repr is broken")

    __str__ = __repr__


def _deep(levels: int) -> list:
    outer = inner = []
    for _ in range(levels):
        inner.append([])
        inner = inner[0]
    return outer


SURROGATE = os.fsdecode(b"report-\xff.txt")  # what os.listdir returns for a file name that is not UTF-8

HOSTILE = {
    "surrogate": SURROGATE,
    "nul": "a\x00b",
    "huge_int": 2**70,
    "nan": float("nan"),
    "inf": float("-inf"),
    "deep": _deep(10_000),
    "unprintable": Unprintable(),
}


@tracekit.trace
def handle(i, value):
    if i % 50 == 0:
        tracekit.update_current_trace(tags={"file": SURROGATE, "nul": "x\x00y"}, metadata={"n": 2**70})
    span = tracekit.get_current_active_span()
    span.set_attribute(SURROGATE, value)
    span.add_event("seen", {"name": SURROGATE, "big": 2**80, "nan": float("nan")})
    if i % 40 == 39:
        raise FileNotFoundError(f"no such file: {SURROGATE}")
    return value


def _burst(count: int = 200) -> None:
    names = list(HOSTILE)
    for i in range(count):
        try:
            handle(i, HOSTILE[names[i % len(names)]])
        except FileNotFoundError:
            pass


def test_a_batch_full_of_hostile_values_is_stored_whole(db_uri):
    tracekit.set_tracking_uri(db_uri)
    _burst()

    stats = assert_counters_add_up()
    assert (stats.completed, stats.exported, stats.rejected, stats.spilled, stats.dropped) == (200, 200, 0, 0, 0)
    assert tracekit.count_traces() == 200


def test_a_batch_full_of_hostile_values_is_stored_whole_through_the_server(db_uri):
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=db_uri))).start()
    try:
        tracekit.set_tracking_uri(server.url)
        _burst()

        stats = assert_counters_add_up()
        assert (stats.completed, stats.exported, stats.rejected, stats.spilled, stats.dropped) == (200, 200, 0, 0, 0)
        assert tracekit.count_traces() == 200
    finally:
        server.stop()


def test_hostile_values_are_replaced_by_marked_renderings(db_uri):
    tracekit.set_tracking_uri(db_uri)
    _burst(len(HOSTILE))
    tracekit.flush_trace_async_logging()

    outputs = {}
    for trace in tracekit.TracekitClient().search_traces(max_results=50):
        root = trace.data.spans[0]
        outputs[root.inputs["i"]] = root.outputs
    assert outputs[0] == "report-\\udcff.txt"  # visible, and the rest of the name kept
    assert outputs[2] == "1180591620717411303424 [tracekit: integer beyond 64 bits, stored as text]"
    assert outputs[3] == "nan [tracekit: not a JSON number]"
    assert "nested deeper than 100 levels" in str(outputs[5])
    assert outputs[6] == "[tracekit: Unprintable object whose conversion raised RuntimeError]"


def test_set_inputs_never_raises_the_users_exception():
    with tracekit.start_span("call") as span:
        span.set_inputs(Unprintable())
        span.set_inputs({"nested": [Unprintable()]})
        span.set_attributes({Unprintable(): Unprintable()})
        span.record_exception(ValueError(Unprintable()))
    stats = assert_counters_add_up()
    assert (stats.completed, stats.exported) == (1, 1)


class ExplodingMapping(dict):
    def items(self):
        raise RuntimeError("cannot iterate")


def test_a_failed_capture_never_leaks_a_buffer_slot():
    with tracekit.start_span("call", attributes=ExplodingMapping(a=1)):
        tracekit.update_current_trace(tags=ExplodingMapping(b=2))
    assert len(RUNTIME.buffer) == 0
    stats = assert_counters_add_up()
    assert (stats.completed, stats.exported) == (1, 1)


def test_a_spill_folder_that_cannot_be_written_logs_one_error_and_counts_the_drops(monkeypatch, tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spill folder should be")  # fails like a read-only or full disk, as root too
    spill_dir = blocked / "spill"
    if os.geteuid() != 0:
        spill_dir = tmp_path / "read-only"
        spill_dir.mkdir()
        spill_dir.chmod(0o555)
    monkeypatch.setenv("TRACEKIT_SPILL_DIR", str(spill_dir))
    tracekit.tracing.reset()
    tracekit.set_tracking_uri(f"postgresql://nobody@127.0.0.1:{free_port()}/down")
    with caplog.at_level(logging.ERROR, logger="tracekit"):
        _burst(300)
        stats = assert_counters_add_up()

    assert (stats.completed, stats.dropped, stats.spilled_pending, stats.exported) == (300, 300, 0, 0)
    spill_errors = [record for record in caplog.records if "cannot write to the spill folder" in record.getMessage()]
    assert len(spill_errors) == 1 and spill_errors[0].exc_info is None
    assert all(record.exc_info is None for record in caplog.records)
