"""Spans built directly from the entities, for testing entity logic without the tracing core."""

from __future__ import annotations

from typing import Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.entities import Span, SpanStatus, SpanStatusCode

TRACE_ID = "tr-" + "c" * 32
MS = 1_000_000


def span(span_id: str, parent_id: str | None, *, start_ms: int, end_ms: int | None, inputs: Any = None,
         outputs: Any = None, failed: bool = False, name: str | None = None) -> Span:
    """A span of `TRACE_ID` with times in ms; inputs and outputs stored as JSON text, as the tracing core does."""
    raw = {}
    if inputs is not None:
        raw[SpanAttributeKey.INPUTS] = serialization.dumps(inputs)
    if outputs is not None:
        raw[SpanAttributeKey.OUTPUTS] = serialization.dumps(outputs)
    status = SpanStatus(SpanStatusCode.ERROR, "boom") if failed else SpanStatus(SpanStatusCode.OK)
    return Span(trace_id=TRACE_ID, span_id=span_id, parent_id=parent_id, name=name or span_id,
                start_time_ns=start_ms * MS, end_time_ns=None if end_ms is None else end_ms * MS, status=status,
                raw_attributes=raw, events=[])
