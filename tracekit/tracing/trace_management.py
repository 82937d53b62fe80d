"""Tagging and deleting traces from the fluent API (`tracekit.set_trace_tag`, ...), as MLflow 3 names them; each
is `TracekitClient`'s method of the same name on the current tracking URI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracekit.client import TracekitClient


def set_trace_tag(trace_id: str, key: str, value: Any) -> None:
    """Set a tag on a trace, running in this process or stored.

    >>> tracekit.set_trace_tag(tracekit.get_last_active_trace_id(), "verdict", "good")
    """
    TracekitClient().set_trace_tag(trace_id, key, value)


def delete_trace_tag(trace_id: str, key: str) -> None:
    """Remove a tag from a trace, running in this process or stored (ResourceNotFoundError if it has no such tag).

    >>> tracekit.delete_trace_tag(trace_id, "verdict")
    """
    TracekitClient().delete_trace_tag(trace_id, key)


def delete_traces(experiment_id: str, max_timestamp_millis: int | None = None, max_traces: int | None = None,
                  trace_ids: Sequence[str] | None = None) -> int:
    """Delete stored traces of `experiment_id` and return how many were deleted: either those started at or before
    `max_timestamp_millis` (at most `max_traces` of them, oldest first) or those listed in `trace_ids`.

    >>> tracekit.delete_traces("0", max_timestamp_millis=int(time.time() * 1000) - 86_400_000, max_traces=100)
    >>> tracekit.delete_traces("0", trace_ids=["tr-0123456789abcdef0123456789abcdef"])
    1
    """
    return TracekitClient().delete_traces(experiment_id, max_timestamp_millis=max_timestamp_millis,
                                          max_traces=max_traces, trace_ids=trace_ids)
