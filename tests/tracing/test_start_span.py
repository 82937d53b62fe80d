"""start_span and the live span it yields."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanEvent, SpanStatusCode, SpanType, TraceState


def test_live_span_setters_and_readers(exported):
    with tracekit.start_span("predict", span_type=SpanType.CHAIN, attributes={"model": "m1"}) as span:
        span.set_inputs({"x": [1, 2]})
        span.set_outputs("y")
        span.set_attribute("temperature", 0.2)
        span.set_attributes({"nested": {"a": 1}, "flag": True})
        span.add_event("checkpoint", {"step": 1, "detail": {"k": "v"}})
        span.add_event(SpanEvent("custom", 123, {"a": "b"}))
        assert span.name == "predict"
        assert span.span_type == "CHAIN"
        assert span.inputs == {"x": [1, 2]}
        assert span.outputs == "y"
        assert span.attributes["temperature"] == 0.2
        assert span.attributes["nested"] == {"a": 1}
        assert span.trace_id.startswith("tr-") and len(span.trace_id) == 35
        assert len(span.span_id) == 16
        assert span.parent_id is None
        assert span.start_time_ns > 0 and span.end_time_ns is None
        assert [event.name for event in span.events] == ["checkpoint", "custom"]
    assert span.end_time_ns >= span.start_time_ns

    (trace,) = exported()
    stored = trace.data.spans[0]
    assert stored.attributes["model"] == "m1"
    assert stored.attributes["flag"] is True
    assert stored.events[0].attributes == {"step": 1, "detail": '{"k":"v"}'}
    assert stored.events[1] == SpanEvent("custom", 123, {"a": "b"})
    assert trace.data.request == '{"x":[1,2]}'
    assert trace.data.response == '"y"'


def test_default_name_and_type(exported):
    with tracekit.start_span():
        pass
    span = exported()[0].data.spans[0]
    assert (span.name, span.span_type) == ("span", "UNKNOWN")


def test_exception_in_block_marks_error_and_propagates(exported):
    with pytest.raises(ZeroDivisionError):
        with tracekit.start_span("divide"):
            _ = 1 / 0
    (trace,) = exported()
    assert trace.info.state == TraceState.ERROR
    assert trace.data.spans[0].events[0].attributes["exception.type"] == "ZeroDivisionError"


def test_set_status_and_record_exception_by_hand(exported):
    with tracekit.start_span("manual") as span:
        span.record_exception(ValueError("handled"))
    with tracekit.start_span("explicit") as span:
        span.set_status("ERROR", "went wrong")
    first, second = exported()
    assert first.data.spans[0].status.status_code == SpanStatusCode.ERROR
    assert first.data.spans[0].events[0].attributes["exception.message"] == "handled"
    assert second.data.spans[0].status.description == "went wrong"
    assert second.info.state == TraceState.ERROR


def test_execution_duration_and_request_time_are_milliseconds(exported):
    import time

    before = int(time.time() * 1000)
    with tracekit.start_span("sleep"):
        time.sleep(0.02)
    info = exported()[0].info
    assert info.request_time >= before - 1
    assert 20 <= info.execution_duration < 1000


def test_outputs_already_written_as_json_are_stored_as_they_are(monkeypatch, exported):
    with tracekit.start_span("answer") as span:
        span.set_outputs_json(b'{"predictions":[1,0,2]}')
    with tracekit.start_span("text") as span:
        span.set_outputs_json('{"label":"caf\u00e9"}')
    monkeypatch.setenv("TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", "1000")
    tracekit.tracing.reset()
    with tracekit.start_span("big") as span:
        span.set_outputs_json(b'{"predictions":[' + b",".join(b"1" for _ in range(5000)) + b"]}")

    answer, text, big = (trace.data.spans[0] for trace in exported())
    assert answer.outputs == {"predictions": [1, 0, 2]}
    assert text.outputs == {"label": "caf\u00e9"}
    assert isinstance(big.outputs, str) and big.outputs.startswith('{"predictions":[1,1')
    assert big.outputs.endswith("[truncated by tracekit: 10017 bytes, limit 1000]")


def test_outputs_json_is_ignored_by_a_sampled_out_span(exported):
    tracekit.tracing.configure(sampling_ratio=0.0)
    with tracekit.start_span("dropped") as span:
        assert not span.recording
        span.set_outputs_json(b'{"a":1}')
    assert exported() == []
