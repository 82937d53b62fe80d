"""TRACEKIT_TRACE_SAMPLING_RATIO keeps or drops whole traces, counted as sampled out, never as lost."""

from __future__ import annotations

import logging

import pytest

import tracekit


@tracekit.trace
def leaf(i: int) -> int:
    return i + 1


@tracekit.trace
def three_spans(i: int) -> int:
    with tracekit.start_span("middle") as span:
        span.set_attribute("i", i)
        tracekit.update_current_trace(tags={"i": str(i)})
        return leaf(i)


@pytest.fixture
def ratio(monkeypatch):
    def set_ratio(value: str) -> None:
        monkeypatch.setenv("TRACEKIT_TRACE_SAMPLING_RATIO", value)
        tracekit.tracing.reset()

    return set_ratio


def test_ratio_zero_records_nothing_and_counts_it(ratio, exported):
    ratio("0")
    assert [three_spans(i) for i in range(20)] == list(range(1, 21))  # the application runs unchanged
    assert exported() == []
    stats = tracekit.tracing.stats()
    assert (stats.sampled_out, stats.completed, stats.exported, stats.dropped, stats.late_spans) == (20, 20, 0, 0, 0)


def test_traces_are_kept_or_dropped_whole(ratio, exported):
    ratio("0.5")
    for i in range(300):
        three_spans(i)
    traces = exported()
    assert all(sorted(span.name for span in trace.data.spans) == ["leaf", "middle", "three_spans"]
               for trace in traces)
    stats = tracekit.tracing.stats()
    assert stats.sampled_out + len(traces) == 300
    assert 90 < len(traces) < 210  # about half; TraceIdRatioBased decides on random trace ids


def test_sampled_out_spans_accept_every_call(ratio, exported):
    ratio("0")
    with tracekit.start_span("root") as span:
        span.set_inputs({"a": 1})
        span.add_event("e")
        tracekit.update_current_trace(tags={"k": "v"}, metadata={"m": "n"})
        tracekit.add_trace({"info": {"trace_id": "tr-" + "1" * 32, "request_time": 1, "state": "OK"},
                            "data": {"spans": [{"trace_id": "tr-" + "1" * 32, "span_id": "1" * 16, "name": "r",
                                                "start_time_ns": 1, "end_time_ns": 2}]}})
        assert tracekit.get_active_trace_id() is None
    client = tracekit.TracekitClient()
    root = client.start_trace("client-root")
    child = client.start_span("child", trace_id=root.trace_id, parent_id=root.span_id)
    client.end_span(root.trace_id, child.span_id)
    client.end_trace(root.trace_id)
    assert exported() == []
    assert tracekit.tracing.stats().sampled_out == 2


def test_configure_overrides_the_variable_until_reset(ratio, exported):
    ratio("1.0")
    tracekit.configure(sampling_ratio=0.0)
    leaf(1)
    assert exported() == []
    tracekit.tracing.reset()
    leaf(2)
    assert [trace.data.root_span.inputs for trace in exported()] == [{"i": 2}]
    assert tracekit.tracing.stats().sampled_out == 0


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_a_bad_ratio_is_named_and_everything_is_recorded(ratio, exported, caplog, value):
    with caplog.at_level(logging.WARNING):
        ratio(value)
    assert any("TRACEKIT_TRACE_SAMPLING_RATIO" in record.getMessage() for record in caplog.records)
    leaf(1)
    assert len(exported()) == 1


def test_configure_leaves_settings_it_is_not_given(exported):
    tracekit.configure(sampling_ratio=0.0)
    tracekit.configure(use_global_tracer_provider=False)
    leaf(1)
    assert exported() == [] and tracekit.tracing.stats().sampled_out == 1
