"""Tracing controls: switch tracing off and on, configure, choose the exporter, read the counters, carry context to
threads and to other services.

The everyday tracing API (`trace`, `start_span`, `get_trace`, ...) is re-exported from `tracekit` itself.
"""

from __future__ import annotations

from tracekit.entities.model_prices import set_model_prices
from tracekit.tracing.chat import set_span_chat_messages, set_span_chat_tools
from tracekit.tracing.context import with_current_context
from tracekit.tracing.exporter import TraceExporter
from tracekit.tracing.propagation import (
    continue_trace,
    extract_context,
    get_tracing_context_headers_for_http_request,
    inject_context,
    set_tracing_context_from_http_request_headers,
)
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.stats import TracingStats


def disable() -> None:
    """Stop recording: traced functions run undecorated (under 1 µs added) and `start_span` yields a no-op span."""
    RUNTIME.enabled = False


def enable() -> None:
    """Record traces again (tracing is enabled by default)."""
    RUNTIME.enabled = True


def is_enabled() -> bool:
    """Whether traces are being recorded."""
    return RUNTIME.enabled


def configure(*, use_global_tracer_provider: bool | None = None, sampling_ratio: float | None = None) -> None:
    """Change tracing settings in code, over their environment variables; a value left None leaves that setting as
    it is (`tracing.reset()` goes back to the environment).

    - `use_global_tracer_provider`: join OpenTelemetry's global TracerProvider and current-span context
      (TRACEKIT_USE_GLOBAL_TRACER_PROVIDER), so spans of OpenTelemetry instrumentation packages (httpx, SQLAlchemy,
      FastAPI, ...) nest under tracekit spans and are stored in the same trace, and tracekit spans nest under theirs.
      If the application set an SDK TracerProvider, tracekit uses it (its sampler and exporters apply to tracekit
      spans too); otherwise tracekit installs its own as the global one. Joining happens at once (at import with the
      variable, here with the argument), so instrumentation spans started before tracekit's first span are kept;
      an application that sets its own provider should do so before.
    - `sampling_ratio`: the fraction of traces recorded (TRACEKIT_TRACE_SAMPLING_RATIO); when tracekit joined a
      provider the application set, that provider's sampler decides instead.

    Spans started from now on follow the new settings.

    >>> tracekit.configure(use_global_tracer_provider=True)
    >>> HTTPXClientInstrumentor().instrument()   # its spans now nest under tracekit spans
    """
    RUNTIME.configure(use_global_tracer_provider=use_global_tracer_provider, sampling_ratio=sampling_ratio)


def stats() -> TracingStats:
    """Counts of what happened to this process's traces; `completed == exported + spilled_pending + rejected +
    dropped + sampled_out` whenever nothing is being exported (each counter is described on `TracingStats`)."""
    return RUNTIME.stats.snapshot()


def set_exporter(exporter: TraceExporter | None) -> None:
    """Send completed traces to `exporter` instead of the tracking URI's store; None goes back to the store.

    >>> from tracekit.exporters.memory import InMemoryTraceExporter
    >>> tracekit.tracing.set_exporter(InMemoryTraceExporter())
    """
    RUNTIME.set_exporter(exporter)


def get_exporter() -> TraceExporter:
    """The exporter completed traces go to now."""
    return RUNTIME.current_exporter()


def reset() -> None:
    """Flush pending traces, zero the counters and re-read every TRACEKIT_* setting (buffer, queue), dropping
    what `configure` set."""
    from tracekit.tracing.spill_replay import forget_checked

    RUNTIME.rebuild()
    forget_checked()


__all__ = ["TracingStats", "configure", "continue_trace", "disable", "enable", "extract_context", "get_exporter",
           "set_model_prices",
           "get_tracing_context_headers_for_http_request", "inject_context", "is_enabled", "reset", "set_exporter",
           "set_span_chat_messages", "set_span_chat_tools", "set_tracing_context_from_http_request_headers", "stats",
           "with_current_context"]
