"""Builders of test traces made directly from the entities (no tracing core involved)."""

from __future__ import annotations

import itertools
from typing import Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Span, SpanEvent, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState

BASE_TIME_MS = 1_700_000_000_000


def make_span(trace_id: str, span_id: str, parent_id: str | None, name: str, *, span_type: str = "UNKNOWN",
              start_ns: int, end_ns: int | None, inputs: Any = None, outputs: Any = None,
              status: SpanStatusCode = SpanStatusCode.OK, attributes: dict[str, Any] | None = None,
              events: list[SpanEvent] | None = None) -> Span:
    """A finished span, with attribute values stored as JSON text as the tracing core stores them."""
    raw = {SpanAttributeKey.SPAN_TYPE: serialization.dumps(span_type)}
    if inputs is not None:
        raw[SpanAttributeKey.INPUTS] = serialization.dumps(inputs)
    if outputs is not None:
        raw[SpanAttributeKey.OUTPUTS] = serialization.dumps(outputs)
    for key, value in (attributes or {}).items():
        raw[key] = serialization.dumps(value)
    return Span(trace_id=trace_id, span_id=span_id, parent_id=parent_id, name=name, start_time_ns=start_ns,
                end_time_ns=end_ns, status=SpanStatus(status, "boom" if status == SpanStatusCode.ERROR else ""),
                raw_attributes=raw, events=events or [])


_counter = itertools.count(1)


def build_trace(*, trace_id: str | None = None, experiment_id: str = "0", request_time: int | None = None,
                duration_ms: int | None = 100, state: TraceState = TraceState.OK, name: str = "root",
                inputs: Any = None, outputs: Any = None, tags: dict[str, str] | None = None,
                metadata: dict[str, str] | None = None, run_id: str | None = None, model_id: str | None = None,
                client_request_id: str | None = None, llm_status: SpanStatusCode = SpanStatusCode.OK,
                llm_name: str = "llm", extra_spans: int = 0, number: int | None = None) -> Trace:
    """A three-span trace: root (CHAIN) with children `retrieve` (RETRIEVER) and `llm` (LLM). Span ids (and the
    default trace id and time) derive from `number`, a fresh one per call unless given."""
    number = next(_counter) if number is None else number
    trace_id = trace_id or f"tr-{number:032x}"
    request_time = BASE_TIME_MS + number if request_time is None else request_time
    start = request_time * 1_000_000
    end = None if duration_ms is None else start + duration_ms * 1_000_000
    child_end = start + 2_000_000 if end is None else min(end, start + 2_000_000)
    inputs = {"question": f"q{number}"} if inputs is None else inputs
    outputs = {"answer": f"a{number}"} if outputs is None else outputs
    root_id = f"{number:08x}00000001"
    spans = [
        make_span(trace_id, f"{number:08x}00000002", root_id, "retrieve", span_type="RETRIEVER",
                  start_ns=start + 1_000, end_ns=child_end - 1_000, inputs={"query": inputs},
                  outputs=[{"doc": "d1"}]),
        make_span(trace_id, f"{number:08x}00000003", root_id, llm_name, span_type="LLM", start_ns=start + 2_000,
                  end_ns=child_end, inputs={"prompt": "p", "temperature": 0.1}, outputs={"text": "t"},
                  status=llm_status),
    ]
    for index in range(extra_spans):
        spans.append(make_span(trace_id, f"{number:08x}1{index:07x}", root_id, f"extra-{index}",
                               start_ns=start + 3_000 + index, end_ns=child_end + index + 1))
    spans.append(make_span(trace_id, root_id, None, name, span_type="CHAIN", start_ns=start, end_ns=end,
                           inputs=inputs, outputs=outputs,
                           status=SpanStatusCode.ERROR if state == TraceState.ERROR else SpanStatusCode.OK))
    trace_metadata = {TraceMetadataKey.TRACE_SCHEMA_VERSION: "1", **(metadata or {})}
    if run_id is not None:
        trace_metadata[TraceMetadataKey.SOURCE_RUN] = run_id
    if model_id is not None:
        trace_metadata[TraceMetadataKey.MODEL_ID] = model_id
    info = TraceInfo(
        trace_id=trace_id, experiment_id=experiment_id, request_time=request_time, execution_duration=duration_ms,
        state=state, request_preview=serialization.dumps(inputs)[:1000],
        response_preview=serialization.dumps(outputs)[:1000], client_request_id=client_request_id,
        trace_metadata=trace_metadata, tags=dict(tags or {}))
    return Trace(info=info, data=TraceData(spans=spans))
