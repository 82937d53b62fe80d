"""Spans in their readable form, the dicts of a `search_traces` DataFrame's `spans` column: `Span.to_dict()` with
the attributes decoded from JSON, plus `span_type`, `inputs` and `outputs`. Made from `Span`s or straight from the
stored JSON text of spans, without building `Span`s."""

from __future__ import annotations

from typing import Any

import orjson

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.entities import Span, SpanType

_loads = orjson.loads
_SPAN_TYPE, _INPUTS, _OUTPUTS = SpanAttributeKey.SPAN_TYPE, SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS


def span_to_readable_dict(span: Span) -> dict[str, Any]:
    """`Span.to_dict()` with attributes decoded from JSON, plus `span_type`, `inputs` and `outputs`."""
    attributes = span.attributes
    return {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "name": span.name,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
        "status": span.status.to_dict(),
        "attributes": attributes,
        "events": [event.to_dict() for event in span.events],
        "span_type": attributes.get(SpanAttributeKey.SPAN_TYPE) or SpanType.UNKNOWN,
        "inputs": attributes.get(SpanAttributeKey.INPUTS),
        "outputs": attributes.get(SpanAttributeKey.OUTPUTS),
    }


def _decoded_attributes(raw: dict[str, Any]) -> dict[str, Any]:
    """Attribute values parsed from their JSON text; one that is not JSON (a plain OpenTelemetry value) as it is."""
    try:
        return {key: _loads(value) for key, value in raw.items()}
    except (orjson.JSONDecodeError, TypeError):
        return {key: serialization.loads(value) for key, value in raw.items()}


# The keys of a stored span's JSON (`Span.to_dict()`), in order: such a dict becomes its readable form in place.
_STORED_SPAN_KEYS = ("trace_id", "span_id", "parent_id", "name", "start_time_ns", "end_time_ns", "status",
                     "attributes", "events")


def readable_spans(array_text: str) -> list[dict[str, Any]]:
    """`span_to_readable_dict` of each span of `array_text`, a JSON array of spans' `to_dict()` JSON, parsed in one
    call and without building `Span`s. A dict as `to_dict()` writes it gains its readable keys in place (the same
    keys in the same order as a fresh one); any other is copied field by field, with `Span.from_dict`'s defaults."""
    spans = _loads(array_text)
    for index, data in enumerate(spans):
        if (tuple(data) == _STORED_SPAN_KEYS and type(data["start_time_ns"]) is int and data["status"]
                and data["events"] is not None and (data["end_time_ns"] is None or type(data["end_time_ns"]) is int)):
            raw = data["attributes"]
            attributes = data["attributes"] = _decoded_attributes(raw) if raw else {}
            data["span_type"] = attributes.get(_SPAN_TYPE) or SpanType.UNKNOWN
            data["inputs"] = attributes.get(_INPUTS)
            data["outputs"] = attributes.get(_OUTPUTS)
        else:
            spans[index] = _readable_copy(data)
    return spans


def _readable_copy(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("attributes")
    attributes = _decoded_attributes(raw) if raw else {}
    end_time_ns = data.get("end_time_ns")
    return {
        "trace_id": data["trace_id"],
        "span_id": data["span_id"],
        "parent_id": data.get("parent_id"),
        "name": data["name"],
        "start_time_ns": int(data["start_time_ns"]),
        "end_time_ns": None if end_time_ns is None else int(end_time_ns),
        "status": data.get("status") or {"code": "UNSET", "message": ""},
        "attributes": attributes,
        "events": data.get("events") or [],
        "span_type": attributes.get(_SPAN_TYPE) or SpanType.UNKNOWN,
        "inputs": attributes.get(_INPUTS),
        "outputs": attributes.get(_OUTPUTS),
    }


def inputs_and_outputs(span_text: str) -> tuple[Any, Any]:
    """The readable `inputs` and `outputs` of one span's stored JSON text, decoding those two attributes only."""
    raw = _loads(span_text).get("attributes") or {}
    inputs, outputs = raw.get(_INPUTS), raw.get(_OUTPUTS)
    if type(inputs) is str and type(outputs) is str:  # the usual case, without `serialization.loads`' checks
        try:
            return _loads(inputs), _loads(outputs)
        except orjson.JSONDecodeError:
            pass
    return serialization.loads(inputs), serialization.loads(outputs)
