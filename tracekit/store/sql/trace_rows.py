"""Mapping between `Trace` entities and the rows of the store's tables, in bulk.

Text going into bounded columns (tag and metadata keys and values, span names and types) is clipped to the column
size, so that one oversized value never makes a whole batch fail on the databases that enforce lengths; the span's
full name and type stay in its JSON content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Span, Trace, TraceState
from tracekit.entities.assessment import Assessment
from tracekit.store.sql import schema
from tracekit.store.trace_records import InfoFields

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


def _fits(text: str | None, limit: int) -> bool:
    """Whether `text` goes into a column of `limit` characters as it is (the usual case, checked without a call to
    `clip`)."""
    return text is None or (len(text) <= limit and "\x00" not in text)


def _key_value_rows(trace_id: str, items: Mapping[str, str], kind: str) -> list[dict[str, Any]]:
    rows = []
    key_length, value_length = schema.KEY_LENGTH, schema.TAG_VALUE_LENGTH
    for key, value in items.items():
        # `_fits`, inlined: this runs for every tag and metadata entry of every stored trace
        stored_key: str | None = key
        if type(key) is not str or len(key) > key_length or "\x00" in key:
            stored_key = clip(str(key), key_length, f"{kind} key {str(key)[:40]!r}...")
        stored_value: str | None = value
        if value is not None and (type(value) is not str or len(value) > value_length or "\x00" in value):
            stored_value = clip(str(value), value_length, f"{kind} {key!r}")
        rows.append({"trace_id": trace_id, "key": stored_key, "value": stored_value})
    return rows


# Decoded span types by their stored JSON text: a handful of distinct ones per process, decoded once each.
_SPAN_TYPES: dict[str, str] = {}


def _span_type(span: Span) -> str:
    raw = span.raw_attributes.get(SpanAttributeKey.SPAN_TYPE)
    if type(raw) is not str:
        return span.span_type
    decoded = _SPAN_TYPES.get(raw)
    if decoded is None:
        decoded = span.span_type
        if type(decoded) is not str:
            return decoded
        if len(_SPAN_TYPES) < 1024:
            _SPAN_TYPES[raw] = decoded
    return decoded


def _span_row(trace_id: str, span: Span) -> dict[str, Any]:
    name, span_type = span.name, _span_type(span)
    return {
        "trace_id": trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_id,
        "name": name if _fits(name, schema.NAME_LENGTH) else clip(name, schema.NAME_LENGTH, "span name"),
        "span_type": span_type if _fits(span_type, schema.SPAN_TYPE_LENGTH)
        else clip(span_type, schema.SPAN_TYPE_LENGTH, "span type"),
        # `_value_`: the enum's `.value` is a Python-level descriptor, read twice per stored span
        "status": span.status.status_code._value_,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
        "content": orjson.dumps(span.to_dict()).decode("utf-8"),
    }


def _root_of(spans: Sequence[Span]) -> Span | None:
    """`TraceData.root_span`, without building the set of span ids when the first span is the parentless root
    (a trace of one span)."""
    if spans and spans[0].parent_id is None:
        return spans[0]
    ids = {span.span_id for span in spans}
    return next((span for span in spans if span.parent_id is None or span.parent_id not in ids), None)


def span_rows(traces: Sequence[Trace]) -> Iterator[dict[str, Any]]:
    """The span rows of `traces`, made one at a time (see `SqlDatabase.insert_new`), each trace's in span id order."""
    for trace in traces:
        trace_id = trace.info.trace_id
        for span in _in_span_id_order(trace.data.spans):
            yield _span_row(trace_id, span)


def _span_id(span: Span) -> str:
    return span.span_id


def _in_span_id_order(spans: Sequence[Span]) -> Sequence[Span]:
    """`spans` sorted by span id (a single span as it is), the order a trace's span rows are written in."""
    return sorted(spans, key=_span_id) if len(spans) > 1 else spans


def traces_to_rows(traces: Sequence[Trace], with_spans: bool = True) -> TraceRows:
    """The rows storing `traces` (which must have distinct trace ids); without span rows if not `with_spans`."""
    rows = TraceRows()
    rows.trace_info.extend(info_rows(traces, rows, with_spans))
    return rows


def info_rows(traces: Sequence[Trace], rows: TraceRows, with_spans: bool = True) -> Iterator[dict[str, Any]]:
    """The trace_info rows of `traces` (distinct ids), made one at a time; making each first adds its trace's tag,
    metadata and (if `with_spans`) span rows, in span id order, to `rows`. `SqlTraceStore` COPYs a new batch's
    trace_info rows as they are made, so the server stores them while the client makes the tag and metadata rows."""
    tag_rows, metadata_rows, span_rows = rows.tags, rows.metadata, rows.spans
    for trace in traces:
        info = trace.info
        trace_id = info.trace_id
        spans = trace.data.spans
        root = _root_of(spans)
        metadata = info.trace_metadata
        state = info.state
        root_name = None if root is None else root.name
        client_request_id = info.client_request_id
        run_id, model_id = metadata.get(TraceMetadataKey.SOURCE_RUN), metadata.get(TraceMetadataKey.MODEL_ID)
        if info.tags:
            tag_rows.extend(_key_value_rows(trace_id, info.tags, "tag"))
        if metadata:
            metadata_rows.extend(_key_value_rows(trace_id, metadata, "metadata"))
        if with_spans:
            for span in _in_span_id_order(spans):
                span_rows.append(_span_row(trace_id, span))
        yield {
            "trace_id": trace_id,
            "experiment_id": text_column(str(info.experiment_id)),
            "request_time": int(info.request_time),
            "execution_duration": None if info.execution_duration is None else int(info.execution_duration),
            "state": state._value_ if type(state) is TraceState else TraceState(state).value,
            "request_preview": text_column(info.request_preview),
            "response_preview": text_column(info.response_preview),
            "client_request_id": client_request_id if _fits(client_request_id, schema.KEY_LENGTH)
            else clip(client_request_id, schema.KEY_LENGTH, "client_request_id"),
            "root_span_name": root_name if _fits(root_name, schema.NAME_LENGTH)
            else clip(root_name, schema.NAME_LENGTH, "span name"),
            "run_id": run_id if _fits(run_id, schema.TRACE_ID_LENGTH)
            else clip(run_id, schema.TRACE_ID_LENGTH, "run id"),
            "model_id": model_id if _fits(model_id, schema.TRACE_ID_LENGTH)
            else clip(model_id, schema.TRACE_ID_LENGTH, "model id"),
        }


# The trace_info columns `trace_info_fields` reads, in this order (by position: much faster than by name).
INFO_COLUMNS = ("trace_id", "experiment_id", "request_time", "execution_duration", "state", "request_preview",
                "response_preview", "client_request_id")


_STATES = {state.value: state for state in TraceState}


def trace_info_fields(row: Sequence[Any], tags: dict[str, str], metadata: dict[str, str],
                      assessments: list[Assessment]) -> InfoFields:
    """`TraceInfo`'s fields (see `TraceRecord.from_fields`) from a row starting with the `INFO_COLUMNS`, the
    trace's tags, metadata and assessments; the state is checked here and stays its text."""
    (trace_id, experiment_id, request_time, duration, state, request_preview, response_preview,
     client_request_id) = row[:8]
    if state not in _STATES:
        state = TraceState(state)  # ValueError for a state that is none
    return (trace_id, experiment_id, int(request_time), None if duration is None else int(duration), state,
            request_preview, response_preview, client_request_id, metadata, tags, assessments)


def span_from_content(content: str) -> Span:
    """A `Span` from its stored JSON (kept on the span for `Trace.to_json`)."""
    return Span.from_json(content)
