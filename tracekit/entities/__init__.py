"""Trace entities: `Trace`, `TraceInfo`, `TraceData`, `Span` and their value types."""

from tracekit.entities.span import Span, SpanEvent, SpanStatus, SpanStatusCode, SpanType
from tracekit.entities.trace import Trace, TraceData
from tracekit.entities.trace_info import TraceInfo, TraceState

__all__ = ["Span", "SpanEvent", "SpanStatus", "SpanStatusCode", "SpanType", "Trace", "TraceData", "TraceInfo",
           "TraceState"]
