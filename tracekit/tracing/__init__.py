"""Tracing controls: switch tracing off and on, choose the exporter, read the counters, carry context to threads.

The everyday tracing API (`trace`, `start_span`, `get_trace`, ...) is re-exported from `tracekit` itself.
"""

from __future__ import annotations

from tracekit.exporters import TraceExporter
from tracekit.tracing.context import with_current_context
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


def stats() -> TracingStats:
    """Counts of traces completed, exported, retried, spilled, replayed, evicted and dropped in this process."""
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
    """Flush pending traces, zero the counters and re-read every TRACEKIT_* setting (buffer, queue)."""
    RUNTIME.rebuild()


__all__ = ["TracingStats", "disable", "enable", "get_exporter", "is_enabled", "reset", "set_exporter", "stats",
           "with_current_context"]
