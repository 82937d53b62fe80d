"""Mapping between `Trace` entities and the rows of the store's tables, in bulk.

Text going into bounded columns (tag and metadata keys and values, span names and types) is clipped to the column
size, so that one oversized value never makes a whole batch fail on the databases that enforce lengths; the span's
full name and type stay in its JSON content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tracekit.constants import TraceMetadataKey
from tracekit.entities import Span, Trace, TraceInfo, TraceState
from tracekit.store.sql import schema

logger = logging.getLogger(__name__)


@dataclass
class TraceRows:
    """The rows of a batch of traces, one list of dicts per table, ready for executemany-style inserts."""

    trace_info: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)


def text_column(text: str | None) -> str | None:
    """`text` as any of the databases stores it: PostgreSQL refuses NUL characters in text, so they become U+FFFD."""
    return text.replace("\x00", "\ufffd") if text is not None and "\x00" in text else text


def clip(text: str | None, limit: int, what: str) -> str | None:
    """`text` cut to `limit` characters (logged), for a bounded column."""
    text = text_column(text)
    if text is None or len(text) <= limit:
        return text
    logger.warning("tracekit: %s is %d characters long; storing its first %d.", what, len(text), limit)
    return text[:limit]


def _key_value_rows(trace_id: str, items: Mapping[str, str], kind: str) -> Iterable[dict[str, Any]]:
    for key, value in items.items():
        yield {
            "trace_id": trace_id,
            "key": clip(str(key), schema.KEY_LENGTH, f"{kind} key {str(key)[:40]!r}..."),
            "value": clip(None if value is None else str(value), schema.TAG_VALUE_LENGTH, f"{kind} {key!r}"),
        }


def _span_row(trace_id: str, span: Span) -> dict[str, Any]:
    return {
        "trace_id": trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_id,
        "name": clip(span.name, schema.NAME_LENGTH, "span name"),
        "span_type": clip(span.span_type, schema.SPAN_TYPE_LENGTH, "span type"),
        "status": span.status.status_code.value,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
        "content": orjson.dumps(span.to_dict()).decode("utf-8"),
    }


def traces_to_rows(traces: Sequence[Trace]) -> TraceRows:
    """The rows storing `traces` (which must have distinct trace ids)."""
    rows = TraceRows()
    for trace in traces:
        info = trace.info
        trace_id = info.trace_id
        root = trace.data.root_span
        metadata = info.trace_metadata
        rows.trace_info.append({
            "trace_id": trace_id,
            "experiment_id": text_column(str(info.experiment_id)),
            "request_time": int(info.request_time),
            "execution_duration": None if info.execution_duration is None else int(info.execution_duration),
            "state": TraceState(info.state).value,
            "request_preview": text_column(info.request_preview),
            "response_preview": text_column(info.response_preview),
            "client_request_id": clip(info.client_request_id, schema.KEY_LENGTH, "client_request_id"),
            "root_span_name": None if root is None else clip(root.name, schema.NAME_LENGTH, "span name"),
            "run_id": clip(metadata.get(TraceMetadataKey.SOURCE_RUN), schema.TRACE_ID_LENGTH, "run id"),
            "model_id": clip(metadata.get(TraceMetadataKey.MODEL_ID), schema.TRACE_ID_LENGTH, "model id"),
        })
        rows.tags.extend(_key_value_rows(trace_id, info.tags, "tag"))
        rows.metadata.extend(_key_value_rows(trace_id, metadata, "metadata"))
        rows.spans.extend(_span_row(trace_id, span) for span in trace.data.spans)
    return rows


# The trace_info columns `trace_info_from_row` reads, in this order (by position: much faster than by name).
INFO_COLUMNS = ("trace_id", "experiment_id", "request_time", "execution_duration", "state", "request_preview",
                "response_preview", "client_request_id")


_STATES = {state.value: state for state in TraceState}


def trace_info_from_row(row: Sequence[Any], tags: dict[str, str], metadata: dict[str, str]) -> TraceInfo:
    """A `TraceInfo` from a row starting with the `INFO_COLUMNS` and the trace's tags and metadata."""
    (trace_id, experiment_id, request_time, duration, state, request_preview, response_preview,
     client_request_id) = row[:8]
    return TraceInfo(
        trace_id=trace_id,
        experiment_id=experiment_id,
        request_time=int(request_time),
        execution_duration=None if duration is None else int(duration),
        state=_STATES.get(state) or TraceState(state),
        request_preview=request_preview,
        response_preview=response_preview,
        client_request_id=client_request_id,
        trace_metadata=metadata,
        tags=tags,
        assessments=[],
    )


def span_from_content(content: str) -> Span:
    """A `Span` from its stored JSON (kept on the span for `Trace.to_json`)."""
    return Span.from_json(content)
