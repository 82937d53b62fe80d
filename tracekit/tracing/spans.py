"""Starting spans on tracekit's tracer: the one place that turns (name, type, parent) into a `LiveSpan`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context

from tracekit.tracing.live_span import LiveSpan, UnsampledSpan
from tracekit.tracing.runtime import RUNTIME

# An empty context: a span started with it is a root span, whatever OpenTelemetry's global context holds.
_ROOT_CONTEXT = Context()


def start_live_span(
    name: str,
    span_type: str | None,
    attributes: Mapping[str, Any] | None,
    parent: LiveSpan | None,
    start_time_ns: int | None = None,
    otel_parent_context: Context | None = None,
) -> LiveSpan:
    """Start a span under `parent` (or a new trace when None) and return it; it is not made current here."""
    if parent is not None:
        context = parent.otel_context()
    else:
        context = otel_parent_context if otel_parent_context is not None else _ROOT_CONTEXT
    otel_span = RUNTIME.tracer.start_span(name, context=context, start_time=start_time_ns)
    if not otel_span.is_recording():
        return UnsampledSpan(otel_span)
    span = LiveSpan(otel_span, span_type)
    if attributes:
        span.set_attributes(attributes)
    return span
