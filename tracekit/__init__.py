"""tracekit: OpenTelemetry-based tracing for ML and LLM applications, stored in SQL and searchable as DataFrames.

This module is the one place that lists the public API.
"""

from __future__ import annotations

from tracekit import tracing
from tracekit.client import TracekitClient
from tracekit.entities import (
    Span,
    SpanEvent,
    SpanStatus,
    SpanStatusCode,
    SpanType,
    Trace,
    TraceData,
    TraceInfo,
    TraceState,
)
from tracekit.exceptions import (
    InvalidFilterError,
    ResourceNotFoundError,
    TracekitException,
    TrackingServerUnavailableError,
)
from tracekit.tracing import configure
from tracekit.tracing.decorator import trace
from tracekit.tracing.fluent import (
    add_trace,
    flush_trace_async_logging,
    get_active_trace_id,
    get_current_active_span,
    get_last_active_trace,
    get_last_active_trace_id,
    get_trace,
    start_span,
    update_current_trace,
)
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.search import search_traces
from tracekit.tracking_uri import get_tracking_uri, set_tracking_uri

__version__ = "0.1.0"

__all__ = [
    "InvalidFilterError",
    "LiveSpan",
    "ResourceNotFoundError",
    "Span",
    "SpanEvent",
    "SpanStatus",
    "SpanStatusCode",
    "SpanType",
    "Trace",
    "TraceData",
    "TraceInfo",
    "TraceState",
    "TracekitClient",
    "TracekitException",
    "TrackingServerUnavailableError",
    "add_trace",
    "configure",
    "flush_trace_async_logging",
    "get_active_trace_id",
    "get_current_active_span",
    "get_last_active_trace",
    "get_last_active_trace_id",
    "get_trace",
    "get_tracking_uri",
    "search_traces",
    "set_tracking_uri",
    "start_span",
    "trace",
    "tracing",
    "update_current_trace",
]
