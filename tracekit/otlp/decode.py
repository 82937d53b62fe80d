"""OTLP spans -> tracekit traces.

Spans are grouped by trace id; each group becomes a `Trace` whose trace-level fields come from its top span (the
root, when it is in the request). tracekit's own attributes are kept as they are (span type, inputs, outputs as JSON
text), the root span's `tracekit.trace.*` attributes (`keys.TraceAttributeKey`) become the trace's id, experiment,
tags, metadata and client request id again, and the standard keys tracekit's encoder derived (listed under
`keys.DERIVED_KEYS`) are dropped, as are the GenAI message events it added (`keys.DERIVED_EVENTS`), once the long
texts it sent once are back in place (`tracekit.otlp.dedupe`). Spans from other OpenTelemetry SDKs get a span type,
inputs and outputs from their OpenInference / GenAI keys (`tracekit.otlp.conventions`).

The experiment of a trace: its root's `tracekit.trace.experimentId`, else the default given (the server passes its
request's `x-tracekit-experiment-id` header), else "0". A trace whose top span has a parent not yet seen (its root
comes in a later request) is IN_PROGRESS until the root arrives; a parent flagged remote (the root lives in another
service) does not count.
"""

from __future__ import annotations

import base64
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as OtlpSpan
from opentelemetry.proto.trace.v1.trace_pb2 import SpanFlags, Status

from tracekit import serialization
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Span, SpanEvent, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.entities.ids import format_span_id, format_trace_id
from tracekit.entities.token_usage import record_token_usage
from tracekit.entities.trace import span_order, top_span
from tracekit.otlp.conventions import adopt_standard_keys, restore_tracekit_keys
from tracekit.otlp.dedupe import restore_texts
from tracekit.otlp.keys import DERIVED_EVENTS, DERIVED_KEYS, FLATTENED_PREFIXES, TRACE_LEVEL_KEYS, TraceAttributeKey
from tracekit.store.sql import schema

logger = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1

_STATUS = {Status.STATUS_CODE_UNSET: SpanStatusCode.UNSET, Status.STATUS_CODE_OK: SpanStatusCode.OK,
           Status.STATUS_CODE_ERROR: SpanStatusCode.ERROR}


@dataclass
class DecodeResult:
    """The traces found in one request, and the spans that had to be left out (with the first reason)."""

    traces: list[Trace] = field(default_factory=list)
    rejected_spans: int = 0
    error_message: str = ""

    def reject(self, reason: str) -> None:
        """Count one span left out."""
        self.rejected_spans += 1
        if not self.error_message:
            self.error_message = reason


def any_value(value: AnyValue) -> Any:
    """A Python value for an OTLP AnyValue (bytes as 'base64:...' text, as tracekit stores bytes)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_dict(value.kvlist_value.values)
    if kind == "bytes_value":
        return "base64:" + base64.b64encode(value.bytes_value).decode("ascii")
    return getattr(value, kind)


def attributes_dict(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    """OTLP attributes as a dict."""
    return {pair.key: any_value(pair.value) for pair in pairs}


def _drop_derived_keys(attributes: dict[str, Any]) -> None:
    """Restore the tracekit keys the encoder sent only as standard keys, then remove the standard keys it added,
    and the list naming them."""
    derived = attributes.pop(DERIVED_KEYS, None)
    names = serialization.loads(derived) if isinstance(derived, str) else ()
    names = [name for name in names if isinstance(name, str) and not name.startswith("tracekit.")] \
        if isinstance(names, list) else []
    families = tuple(name[:-1] for name in names if name.endswith("*") and name[:-1] in FLATTENED_PREFIXES)
    if families:
        names = [name for name in names if not name.endswith("*")]
        names += [key for key in attributes if key.startswith(families)]
    restore_tracekit_keys(attributes, names)
    for name in names:
        attributes.pop(name, None)


def _without_derived_events(attributes: dict[str, Any], events: list[SpanEvent]) -> list[SpanEvent]:
    """The span's events less the trailing ones the encoder added (counted under `DERIVED_EVENTS`, removed)."""
    count = attributes.pop(DERIVED_EVENTS, 0)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= len(events):
        return events
    return events[:-count]


def _span(otlp: OtlpSpan, trace_id: str) -> tuple[Span, dict[str, Any]]:
    """The `Span` and the trace-level attributes it carried (taken off the span)."""
    attributes = attributes_dict(otlp.attributes)
    trace_level = {key: attributes.pop(key) for key in TRACE_LEVEL_KEYS if key in attributes}
    events = [SpanEvent(event.name, event.time_unix_nano, attributes_dict(event.attributes))
              for event in otlp.events]
    if SpanAttributeKey.SPAN_TYPE in attributes:  # made by tracekit
        restore_texts(attributes, [event.attributes for event in events])
        events = _without_derived_events(attributes, events)
        _drop_derived_keys(attributes)
    else:
        try:
            adopt_standard_keys(attributes, ((event.name, event.attributes) for event in events))
        except Exception:  # noqa: BLE001 - a span the translation cannot read is stored untranslated
            logger.warning("Could not read the OpenInference/GenAI keys of span %r", otlp.name, exc_info=True)
            attributes[SpanAttributeKey.SPAN_TYPE] = serialization.dumps("UNKNOWN")
    # tracekit keeps every attribute value as JSON text; OTLP carries the other keys as plain values.
    for key, value in attributes.items():
        if not key.startswith("tracekit."):
            attributes[key] = serialization.dumps(value)
    span = Span(
        trace_id=trace_id,
        span_id=format_span_id(int.from_bytes(otlp.span_id, "big")),
        parent_id=format_span_id(int.from_bytes(otlp.parent_span_id, "big")) if otlp.parent_span_id else None,
        name=otlp.name,
        start_time_ns=otlp.start_time_unix_nano,
        end_time_ns=otlp.end_time_unix_nano or None,
        status=SpanStatus(_STATUS.get(otlp.status.code, SpanStatusCode.UNSET), otlp.status.message),
        raw_attributes=attributes,
        events=events,
    )
    return span, trace_level


def _parent_is_remote(otlp: OtlpSpan) -> bool:
    flags = otlp.flags
    return bool(flags & SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
                and flags & SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)


def _string_dict(text: Any) -> dict[str, str]:
    try:
        value = serialization.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _trace(trace_id: str, spans: list[Span], trace_level: dict[str, Any], remote_parents: set[str],
           default_experiment_id: str) -> Trace:
    spans.sort(key=span_order)
    head = top_span(spans)
    assert head is not None
    metadata = _string_dict(trace_level.get(TraceAttributeKey.METADATA))
    tags = _string_dict(trace_level.get(TraceAttributeKey.TAGS))
    complete_head = head.parent_id is None or head.span_id in remote_parents
    # A head that is not the trace's root (its root has not arrived) or an evicted trace is still in progress;
    # otherwise the constructor reads the state off the head.
    evicted = metadata.get(TraceMetadataKey.EVICTED) == "true"
    state = TraceState.IN_PROGRESS if not complete_head or evicted else None
    experiment_id = str(trace_level.get(TraceAttributeKey.EXPERIMENT_ID) or "")
    if not is_valid_experiment_id(experiment_id):
        experiment_id = default_experiment_id
    client_request_id = trace_level.get(TraceAttributeKey.CLIENT_REQUEST_ID)
    info = TraceInfo.from_root_span(
        trace_id, head, experiment_id=experiment_id, state=state,
        client_request_id=None if client_request_id is None else str(client_request_id), trace_metadata=metadata,
        tags=tags)
    record_token_usage(info.trace_metadata, spans)
    return Trace(info=info, data=TraceData(spans=spans))


def is_valid_experiment_id(experiment_id: str) -> bool:
    """Whether `experiment_id` fits the store: 1 to 32 characters, no NUL."""
    return 0 < len(experiment_id) <= schema.EXPERIMENT_ID_LENGTH and "\x00" not in experiment_id


def _rejection(otlp: OtlpSpan) -> str | None:
    """Why a span cannot be stored, or None."""
    if len(otlp.trace_id) != 16 or not any(otlp.trace_id):
        return f"span {otlp.name!r}: the trace id must be 16 bytes, not all zero"
    if len(otlp.span_id) != 8 or not any(otlp.span_id):
        return f"span {otlp.name!r}: the span id must be 8 bytes, not all zero"
    if otlp.parent_span_id and len(otlp.parent_span_id) != 8:
        return f"span {otlp.name!r}: the parent span id must be 8 bytes"
    if otlp.end_time_unix_nano and otlp.end_time_unix_nano < otlp.start_time_unix_nano:
        return f"span {otlp.name!r}: ends before it starts"
    if max(otlp.start_time_unix_nano, otlp.end_time_unix_nano,
           *(event.time_unix_nano for event in otlp.events)) > INT64_MAX:
        return f"span {otlp.name!r}: a time is past the year 2262"
    return None


def traces_from_request(request: ExportTraceServiceRequest, default_experiment_id: str = DEFAULT_EXPERIMENT_ID
                        ) -> DecodeResult:
    """The traces in an OTLP export request, one per trace id (partial when the request holds part of a trace)."""
    result = DecodeResult()
    spans_by_trace: dict[str, dict[str, Span]] = defaultdict(dict)
    trace_level: dict[str, dict[str, Any]] = defaultdict(dict)
    remote_parents: dict[str, set[str]] = defaultdict(set)
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for otlp in scope_spans.spans:
                reason = _rejection(otlp)
                if reason is not None:
                    result.reject(reason)
                    continue
                trace_id = format_trace_id(int.from_bytes(otlp.trace_id, "big"))
                span, carried = _span(otlp, trace_id)
                declared = carried.get(TraceAttributeKey.TRACE_ID)
                if declared is not None and declared != trace_id:
                    carried.pop(TraceAttributeKey.TRACE_ID)  # not this trace's id: keep the OpenTelemetry one
                if carried:
                    trace_level[trace_id].update(carried)
                if _parent_is_remote(otlp):
                    remote_parents[trace_id].add(span.span_id)
                spans_by_trace[trace_id][span.span_id] = span  # a span sent twice: the later copy
    for trace_id, spans in spans_by_trace.items():
        result.traces.append(_trace(trace_id, list(spans.values()), trace_level[trace_id], remote_parents[trace_id],
                                    default_experiment_id))
    return result
