"""`BaseSpan`: a running span (`LiveSpan`) and the finished `Span` it becomes read the same way."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import LiveSpan, Span, SpanType
from tracekit.entities.span import BaseSpan

READ_API = ["trace_id", "request_id", "span_id", "parent_id", "name", "span_type", "start_time_ns", "end_time_ns",
            "duration_ns", "inputs", "outputs", "attributes", "raw_attributes", "events"]


def test_live_and_finished_spans_share_one_read_api():
    assert issubclass(LiveSpan, BaseSpan) and issubclass(Span, BaseSpan)
    for name in ["request_id", "span_type", "inputs", "outputs", "attributes", "duration_ns", "get_attribute"]:
        assert getattr(LiveSpan, name) is getattr(BaseSpan, name) is getattr(Span, name), name


@pytest.mark.parametrize("field", READ_API)
def test_a_live_span_reads_as_the_span_it_becomes(exported, field):
    with tracekit.start_span("root"):
        with tracekit.start_span("retrieve", span_type=SpanType.RETRIEVER) as live:
            live.set_inputs({"query": "q"})
            live.set_outputs(["d1"])
            live.set_attribute("k", {"nested": 1})
            live.add_event("cache_miss", {"key": "q"})
    finished = next(span for span in exported()[0].data.spans if span.name == "retrieve")
    assert getattr(live, field) == getattr(finished, field)


def test_a_span_that_ended_without_error_is_ok_once_finished(exported):
    with tracekit.start_span("root") as live:
        pass
    # The running span keeps OpenTelemetry's UNSET: setting OK on every span would cost hot-path time.
    assert (live.status.status_code.value, exported()[0].data.spans[0].status.status_code.value) == ("UNSET", "OK")


def test_a_running_span_has_no_end_or_duration_yet():
    with tracekit.start_span("root") as live:
        assert (live.end_time_ns, live.duration_ns) == (None, None)
        live.set_inputs("x")
        assert (live.inputs, live.get_attribute("tracekit.spanInputs"), live.get_attribute("missing")) == (
            "x", "x", None)
