"""Starting spans on tracekit's tracer: the one place that turns (name, type, parent) into a `LiveSpan`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context

from tracekit import serialization
from tracekit.tracing import context as _context
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
    return _start(name, span_type, attributes, context, start_time_ns, parent is None)


def start_child_of_current(name: str, span_type: str | None, attributes: Mapping[str, Any] | None) -> LiveSpan:
    """Start a span under whatever is current: tracekit's current span; else, inside `continue_trace`, the remote
    caller's span; else a new trace. Joined to OpenTelemetry's context, its current span (maybe an instrumentation
    package's) is the parent instead. It is not made current here."""
    parent = _context.current_span.get()
    if parent is not None and not parent.recording:
        return parent  # a sampled-out trace: its spans record nothing, so one stand-in serves them all
    if _context.otel_joined:
        context = None  # OpenTelemetry's current context, where tracekit's current span is too
    elif parent is not None:
        context = parent.otel_context()
    else:
        context = _context.remote_parent.get() or _ROOT_CONTEXT
    return _start(name, span_type, attributes, context, None, parent is None)


def _start(name: str, span_type: str | None, attributes: Mapping[str, Any] | None, context: Context | None,
           start_time_ns: int | None, is_root: bool) -> LiveSpan:
    if type(name) is not str or not name.isascii():
        name = serialization.safe_str(name)
    otel_span = RUNTIME.tracer.start_span(name, context=context, start_time=start_time_ns)
    if not otel_span.is_recording():
        if is_root:
            RUNTIME.stats.add("completed")  # its root will never reach the buffer: it is completed now
            RUNTIME.stats.add("sampled_out")
        return UnsampledSpan(otel_span)
    try:
        span = LiveSpan(otel_span, span_type)
        if attributes:
            span.set_attributes(attributes)
    except BaseException:
        otel_span.end()  # a started span that nobody can end would hold its trace in the buffer
        raise
    return span
