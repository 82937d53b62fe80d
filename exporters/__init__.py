"""Where completed traces go: the built-in exporters (`store`, `otlp`, `memory`) and, re-exported from core, the
`TraceExporter` contract they implement (see `tracekit.tracing.exporter`).

Write your own by subclassing `tracekit.exporters.TraceExporter` and pass it to `tracekit.tracing.set_exporter`.
"""

from __future__ import annotations

from tracekit.tracing.exporter import TraceExporter

__all__ = ["TraceExporter"]
