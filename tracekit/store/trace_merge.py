"""Moved to `tracekit.entities.trace_merge` and `tracekit.entities.trace`; `top_span` stays importable from here
until the OTLP decoder (`tracekit/server/otlp_mapping.py`) imports it from `tracekit.entities.trace`."""

from tracekit.entities.trace import top_span

__all__ = ["top_span"]
