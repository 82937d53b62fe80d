"""TracekitClient: spans addressed by id, from any thread."""

from __future__ import annotations

import threading

import pytest

import tracekit
from tracekit import SpanStatusCode, TraceState
from tracekit.exceptions import TracekitException


def test_client_builds_a_trace_across_threads(exported):
    client = tracekit.TracekitClient()
    root = client.start_trace("handle", inputs={"q": "hi"}, tags={"source": "client"})
    assert tracekit.get_current_active_span() is None  # not tied to the context

    def worker(i):
        span = client.start_span(f"step-{i}", trace_id=root.trace_id, parent_id=root.span_id, inputs={"i": i})
        client.end_span(root.trace_id, span.span_id, outputs=i * 2)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.end_trace(root.trace_id, outputs="done")

    (trace,) = exported()
    assert trace.info.tags == {"source": "client"}
    assert len(trace.data.spans) == 5
    steps = [span for span in trace.data.spans if span.name.startswith("step-")]
    assert {span.parent_id for span in steps} == {root.span_id}
    assert sorted(span.outputs for span in steps) == [0, 2, 4, 6]
    assert trace.data.root_span.outputs == "done"


def test_end_span_with_error_status(exported):
    client = tracekit.TracekitClient()
    root = client.start_trace("t")
    client.end_trace(root.trace_id, status="ERROR")
    trace = exported()[0]
    assert trace.info.state == TraceState.ERROR
    assert trace.data.spans[0].status.status_code == SpanStatusCode.ERROR


def test_unknown_trace_or_span_is_a_clear_error(exported):
    client = tracekit.TracekitClient()
    with pytest.raises(TracekitException, match="not running"):
        client.start_span("x", trace_id="tr-" + "1" * 32, parent_id="a" * 16)
    root = client.start_trace("t")
    with pytest.raises(TracekitException, match="Span 'bbbbbbbbbbbbbbbb' is not running"):
        client.end_span(root.trace_id, "b" * 16)
    client.end_trace(root.trace_id)


def test_set_and_delete_tag_on_a_running_trace(exported):
    client = tracekit.TracekitClient()
    root = client.start_trace("t")
    client.set_trace_tag(root.trace_id, "k", "v")
    client.set_trace_tag(root.trace_id, "gone", "x")
    client.delete_trace_tag(root.trace_id, "gone")
    client.end_trace(root.trace_id)
    assert exported()[0].info.tags == {"k": "v"}
