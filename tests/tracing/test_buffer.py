"""The per-trace buffer: traces leave it whole when the root ends, or as IN_PROGRESS when pushed out."""

from __future__ import annotations

import gc
import logging
import time

import psutil
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext
from waiting import CountingExporter

import tracekit
from tracekit import TraceState
from tracekit.tracing.runtime import RUNTIME


def test_spans_are_exported_only_when_the_root_ends(exported, exporter):
    with tracekit.start_span("root"):
        with tracekit.start_span("child"):
            pass
        tracekit.flush_trace_async_logging()
        assert exporter.traces == []
    (trace,) = exported()
    assert [span.name for span in trace.data.spans] == ["child", "root"]


def test_a_trace_pushed_out_by_the_size_limit_is_exported_in_progress(monkeypatch, exported, caplog):
    monkeypatch.setenv("TRACEKIT_TRACE_BUFFER_MAX_SIZE", "2")
    tracekit.tracing.reset()
    client = tracekit.TracekitClient()
    first = client.start_trace("first")
    child = client.start_span("child", trace_id=first.trace_id, parent_id=first.span_id)
    client.end_span(first.trace_id, child.span_id)
    client.start_trace("second")
    with caplog.at_level(logging.WARNING):
        third = client.start_trace("third")  # over the limit: "first" leaves the buffer
    traces = exported()
    assert len(traces) == 1
    evicted = traces[0]
    assert evicted.info.trace_id == first.trace_id
    assert evicted.info.state == TraceState.IN_PROGRESS
    assert evicted.info.trace_metadata["tracekit.evictedInProgress"] == "true"
    assert {span.name for span in evicted.data.spans} == {"first", "child"}
    assert evicted.search_spans(name="first")[0].end_time_ns is None
    assert "exported as IN_PROGRESS" in caplog.text
    assert tracekit.tracing.stats().evicted_in_progress == 1

    first.end()  # the evicted root ends later: counted as a late span, not stored twice
    assert tracekit.tracing.stats().late_spans == 1
    client.end_trace(third.trace_id)
    assert len(exported()) == 2


class UnconvertibleSpan(ReadableSpan):
    """An ended span as another SDK or provider might hand the buffer: converting it reads its status, which
    records that it was read and raises."""

    def __init__(self, otel_trace_id: int, span_id: int) -> None:
        super().__init__(name="foreign", context=SpanContext(otel_trace_id, span_id, is_remote=False))
        self.status_reads = 0

    @property
    def status(self):
        self.status_reads += 1
        raise RuntimeError("conversion touched this span")


def test_a_span_of_an_evicted_trace_is_counted_logged_and_not_converted(monkeypatch, exported, caplog):
    monkeypatch.setenv("TRACEKIT_TRACE_BUFFER_MAX_SIZE", "1")
    tracekit.tracing.reset()
    client = tracekit.TracekitClient()
    first = client.start_trace("first")
    client.start_trace("second")  # over the limit: "first" leaves the buffer
    assert [trace.info.trace_id for trace in exported()] == [first.trace_id]
    late = UnconvertibleSpan(int(first.trace_id[3:], 16), 0x1234)

    with caplog.at_level(logging.WARNING):
        RUNTIME.buffer.on_end(late)

    assert late.status_reads == 0
    assert tracekit.tracing.stats().late_spans == 1
    assert f"Span 'foreign' of trace {first.trace_id} ended after its trace left the buffer" in caplog.text
    assert len(exported()) == 1  # stored nowhere


class SpanPushingItsTraceOut(ReadableSpan):
    """An ended span of a buffered trace whose conversion (outside the buffer's lock) calls `push_out` first: the
    trace leaving the buffer while one of its spans ends, as another thread's new trace or the exit can make it."""

    def __init__(self, otel_trace_id: int, parent_span_id: int, push_out) -> None:
        super().__init__(name="late child", context=SpanContext(otel_trace_id, 0x5678, is_remote=False),
                         parent=SpanContext(otel_trace_id, parent_span_id, is_remote=False))
        self._push_out = push_out

    @property
    def status(self):
        push_out, self._push_out = self._push_out, None
        if push_out is not None:
            push_out()
        return super().status


def test_a_span_whose_trace_leaves_while_it_is_converted_is_counted_late_not_added(monkeypatch, exported):
    monkeypatch.setenv("TRACEKIT_TRACE_BUFFER_MAX_SIZE", "1")
    tracekit.tracing.reset()
    client = tracekit.TracekitClient()
    first = client.start_trace("first")
    span = SpanPushingItsTraceOut(int(first.trace_id[3:], 16), int(first.span_id, 16),
                                  push_out=lambda: client.start_trace("second"))

    RUNTIME.buffer.on_end(span)

    assert tracekit.tracing.stats().late_spans == 1
    (evicted,) = exported()
    assert evicted.info.trace_id == first.trace_id
    assert [span.name for span in evicted.data.spans] == ["first"]


def test_a_span_of_a_trace_never_buffered_costs_no_conversion(exported):
    with tracekit.start_span("own"):
        foreign = UnconvertibleSpan(0xABC, 0xDEF)
        RUNTIME.buffer.on_end(foreign)

    assert foreign.status_reads == 0
    assert tracekit.tracing.stats().late_spans == 1
    ((own,),) = [trace.data.spans for trace in exported()]
    assert own.name == "own"


def test_a_trace_older_than_the_ttl_is_exported_in_progress(monkeypatch, exported):
    monkeypatch.setenv("TRACEKIT_TRACE_BUFFER_TTL_SECONDS", "0.05")
    tracekit.tracing.reset()
    client = tracekit.TracekitClient()
    stale = client.start_trace("stale")
    time.sleep(0.1)
    with tracekit.start_span("fresh"):
        pass
    states = {trace.info.trace_id: trace.info.state for trace in exported()}
    assert states[stale.trace_id] == TraceState.IN_PROGRESS
    assert TraceState.OK in states.values()


def test_running_traces_are_exported_in_progress_at_shutdown(exported):
    client = tracekit.TracekitClient()
    running = client.start_trace("never_ended")
    RUNTIME.shutdown()
    (trace,) = exported()
    assert trace.info.trace_id == running.trace_id
    assert trace.info.state == TraceState.IN_PROGRESS



@pytest.mark.slow
def test_memory_stays_bounded_over_100000_traces():
    exporter = CountingExporter()
    tracekit.tracing.set_exporter(exporter)

    @tracekit.trace
    def leaf(x):
        return x

    @tracekit.trace
    def root(x):
        return leaf(x)

    def run(n):
        for i in range(n):
            root(i)
        tracekit.flush_trace_async_logging()
        gc.collect()

    process = psutil.Process()
    run(20_000)
    warm_rss = process.memory_info().rss
    run(80_000)
    grown = process.memory_info().rss - warm_rss
    assert exporter.count == 100_000
    assert len(RUNTIME.buffer) == 0
    assert RUNTIME.queue.pending() == 0
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB over 80,000 traces"


def test_trace_metadata_from_a_provider_is_stored_as_safe_text(monkeypatch, exported):
    from tracekit.tracing import trace_defaults

    monkeypatch.setattr(trace_defaults, "_metadata_providers", [
        lambda: {"plain": "m-1"},
        lambda: {"accented": "modèle", "surrogate": "bad\udcff", 3: 4},
    ])
    with tracekit.start_span("root"):
        pass
    metadata = exported()[0].info.trace_metadata
    assert metadata["plain"] == "m-1"
    assert metadata["accented"] == "modèle"
    assert metadata["surrogate"] == "bad\\udcff"
    assert metadata["3"] == "4"
