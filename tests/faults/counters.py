"""The check every fault test ends with: each completed trace is in exactly one outcome counter."""

from __future__ import annotations

import tracekit


def assert_counters_add_up() -> tracekit.tracing.TracingStats:
    """Flush, then check that every completed trace is in exactly one of the outcome counters."""
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert stats.completed == (stats.exported + stats.spilled_pending + stats.rejected + stats.dropped
                               + stats.sampled_out), stats
    return stats
