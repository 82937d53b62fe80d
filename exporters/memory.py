"""An exporter that keeps traces in a list: for tests and for inspecting traces in a notebook."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tracekit.entities import Trace
from tracekit.tracing.exporter import TraceExporter


class InMemoryTraceExporter(TraceExporter):
    """Holds every exported trace, keyed by trace id (a re-exported trace replaces the earlier copy).

    >>> exporter = InMemoryTraceExporter()
    >>> tracekit.tracing.set_exporter(exporter)
    >>> exporter.traces  # list of Trace, oldest first
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._traces: dict[str, Trace] = {}
        self.batches: int = 0

    @property
    def writes_in_process(self) -> bool:
        """True: traces are kept in this process's memory."""
        return True

    def export(self, traces: Sequence[Trace]) -> None:
        """Keep `traces`."""
        with self._lock:
            self.batches += 1
            for trace in traces:
                self._traces[trace.info.trace_id] = trace

    @property
    def traces(self) -> list[Trace]:
        """Every trace received, in arrival order."""
        with self._lock:
            return list(self._traces.values())

    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id, or None."""
        with self._lock:
            return self._traces.get(trace_id)

    def clear(self) -> None:
        """Forget every trace."""
        with self._lock:
            self._traces.clear()
            self.batches = 0
