"""OTLP spans -> tracekit traces.

Spans are grouped by trace id; each group becomes a `Trace` whose trace-level fields come from its top span (the
root, when it is in the request). tracekit's own attributes are kept as they are (span type, inputs, outputs as JSON
text), and the root span's `tracekit.trace.*` attributes written by `tracekit.exporters.otlp` become the trace's id,
experiment, tags, metadata and client request id again, while the standard keys that exporter adds beside them
(OpenInference, GenAI) are dropped where they only repeat tracekit's own. Spans from other OpenTelemetry SDKs get a
span type, inputs and outputs from the OpenInference / GenAI keys when they have them.

The experiment of a trace: its root's `tracekit.trace.experimentId`, else the request's `x-tracekit-experiment-id`
header, else "0". A trace whose top span has a parent not yet seen (its root comes in a later request) is stored as
IN_PROGRESS until the root arrives; a parent flagged remote (the root lives in another service) does not count.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as OtlpSpan
from opentelemetry.proto.trace.v1.trace_pb2 import SpanFlags, Status

from tracekit import serialization
from tracekit.constants import TRACE_ID_PREFIX, SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Span, SpanEvent, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.trace_info import make_preview
from tracekit.exporters.otlp import (
    CLIENT_REQUEST_ID_ATTRIBUTE,
    EXPERIMENT_ATTRIBUTE,
    METADATA_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    TRACE_ID_ATTRIBUTE,
    standard_attributes,
)
from tracekit.store.sql import schema
from tracekit.store.trace_merge import top_span
from tracekit.store.sql.trace_rows import span_order

DEFAULT_EXPERIMENT_ID = "0"
INT64_MAX = 2**63 - 1
TRACE_LEVEL_ATTRIBUTES = (TRACE_ID_ATTRIBUTE, EXPERIMENT_ATTRIBUTE, TAGS_ATTRIBUTE, METADATA_ATTRIBUTE,
                          CLIENT_REQUEST_ID_ATTRIBUTE)

_STATUS = {Status.STATUS_CODE_UNSET: SpanStatusCode.UNSET, Status.STATUS_CODE_OK: SpanStatusCode.OK,
           Status.STATUS_CODE_ERROR: SpanStatusCode.ERROR}
# Span types for spans of other SDKs, from OpenInference's span kind or the GenAI operation name.
_TYPE_FROM_OPENINFERENCE = {"LLM": "LLM", "CHAIN": "CHAIN", "AGENT": "AGENT", "TOOL": "TOOL",
                            "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING", "RERANKER": "RERANKER",
                            "GUARDRAIL": "GUARDRAIL", "EVALUATOR": "EVALUATOR"}
_TYPE_FROM_GEN_AI = {"chat": "CHAT_MODEL", "text_completion": "LLM", "generate_content": "LLM",
                     "embeddings": "EMBEDDING", "execute_tool": "TOOL", "invoke_agent": "AGENT",
                     "create_agent": "AGENT"}


@dataclass
class IngestResult:
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


def _json_text(value: Any, mime_type: Any) -> str:
    """tracekit's stored form (JSON text) of an OpenInference input/output value."""
    if isinstance(value, str) and mime_type == "application/json":
        try:
            serialization.loads(value)
            return value
        except ValueError:
            pass
    return serialization.dumps(value)


def _adopt_foreign_keys(attributes: dict[str, Any]) -> None:
    """Span type, inputs and outputs for a span another SDK made, from the standard keys it carries."""
    span_type = _TYPE_FROM_OPENINFERENCE.get(str(attributes.get("openinference.span.kind", "")).upper()) \
        or _TYPE_FROM_GEN_AI.get(str(attributes.get("gen_ai.operation.name", "")))
    attributes[SpanAttributeKey.SPAN_TYPE] = serialization.dumps(span_type or "UNKNOWN")
    if "input.value" in attributes:
        attributes[SpanAttributeKey.INPUTS] = _json_text(attributes["input.value"], attributes.get("input.mime_type"))
    if "output.value" in attributes:
        attributes[SpanAttributeKey.OUTPUTS] = _json_text(attributes["output.value"],
                                                          attributes.get("output.mime_type"))


def _drop_repeated_standard_keys(span: Span) -> None:
    """Remove the standard keys tracekit's exporter derived from the span's own attributes."""
    attributes = span.raw_attributes
    for key, value in standard_attributes(span, attributes).items():
        if attributes.get(key) == value:
            del attributes[key]


def _span(otlp: OtlpSpan, trace_id: str) -> tuple[Span, dict[str, Any]]:
    """The `Span` and the trace-level attributes it carried (taken off the span)."""
    attributes = attributes_dict(otlp.attributes)
    trace_level = {key: attributes.pop(key) for key in TRACE_LEVEL_ATTRIBUTES if key in attributes}
    made_by_tracekit = SpanAttributeKey.SPAN_TYPE in attributes
    if not made_by_tracekit:
        _adopt_foreign_keys(attributes)
    span = Span(
        trace_id=trace_id,
        span_id=otlp.span_id.hex(),
        parent_id=otlp.parent_span_id.hex() if otlp.parent_span_id else None,
        name=otlp.name,
        start_time_ns=otlp.start_time_unix_nano,
        end_time_ns=otlp.end_time_unix_nano or None,
        status=SpanStatus(_STATUS.get(otlp.status.code, SpanStatusCode.UNSET), otlp.status.message),
        raw_attributes=attributes,
        events=[SpanEvent(event.name, event.time_unix_nano, attributes_dict(event.attributes))
                for event in otlp.events],
    )
    if made_by_tracekit:
        _drop_repeated_standard_keys(span)
        if METADATA_ATTRIBUTE in trace_level and "metadata" in attributes and \
                _string_dict(attributes["metadata"]) == _string_dict(trace_level[METADATA_ATTRIBUTE]):
            del attributes["metadata"]  # OpenInference's copy of the trace metadata on the root span
    # tracekit keeps every attribute value as JSON text; OTLP carries the other keys as plain values.
    for key, value in attributes.items():
        if not key.startswith("tracekit."):
            attributes[key] = serialization.dumps(value)
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
    metadata = _string_dict(trace_level.get(METADATA_ATTRIBUTE))
    tags = _string_dict(trace_level.get(TAGS_ATTRIBUTE))
    complete_head = head.parent_id is None or head.span_id in remote_parents
    if not complete_head or head.end_time_ns is None or metadata.get(TraceMetadataKey.EVICTED) == "true":
        state = TraceState.IN_PROGRESS
    else:
        state = TraceState.ERROR if head.status.status_code is SpanStatusCode.ERROR else TraceState.OK
    experiment_id = str(trace_level.get(EXPERIMENT_ATTRIBUTE) or "")
    if not is_valid_experiment_id(experiment_id):
        experiment_id = default_experiment_id
    client_request_id = trace_level.get(CLIENT_REQUEST_ID_ATTRIBUTE)
    info = TraceInfo(
        trace_id=trace_id,
        experiment_id=experiment_id,
        request_time=head.start_time_ns // 1_000_000,
        execution_duration=None if head.end_time_ns is None else (head.end_time_ns - head.start_time_ns) // 1_000_000,
        state=state,
        request_preview=make_preview(_text(head.raw_attributes.get(SpanAttributeKey.INPUTS))),
        response_preview=make_preview(_text(head.raw_attributes.get(SpanAttributeKey.OUTPUTS))),
        client_request_id=None if client_request_id is None else str(client_request_id),
        trace_metadata=metadata,
        tags=tags,
    )
    return Trace(info=info, data=TraceData(spans=spans))


def is_valid_experiment_id(experiment_id: str) -> bool:
    """Whether `experiment_id` fits the store: 1 to 32 characters, no NUL."""
    return 0 < len(experiment_id) <= schema.EXPERIMENT_ID_LENGTH and "\x00" not in experiment_id


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else serialization.dumps(value)


def traces_from_request(request: ExportTraceServiceRequest, default_experiment_id: str = DEFAULT_EXPERIMENT_ID
                        ) -> IngestResult:
    """The traces in an OTLP export request, one per trace id (partial when the request holds part of a trace)."""
    result = IngestResult()
    spans_by_trace: dict[str, dict[str, Span]] = defaultdict(dict)
    trace_level: dict[str, dict[str, Any]] = defaultdict(dict)
    remote_parents: dict[str, set[str]] = defaultdict(set)
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for otlp in scope_spans.spans:
                if len(otlp.trace_id) != 16 or not any(otlp.trace_id):
                    result.reject(f"span {otlp.name!r}: the trace id must be 16 bytes, not all zero")
                    continue
                if len(otlp.span_id) != 8 or not any(otlp.span_id):
                    result.reject(f"span {otlp.name!r}: the span id must be 8 bytes, not all zero")
                    continue
                if otlp.parent_span_id and len(otlp.parent_span_id) != 8:
                    result.reject(f"span {otlp.name!r}: the parent span id must be 8 bytes")
                    continue
                if otlp.end_time_unix_nano and otlp.end_time_unix_nano < otlp.start_time_unix_nano:
                    result.reject(f"span {otlp.name!r}: ends before it starts")
                    continue
                if max(otlp.start_time_unix_nano, otlp.end_time_unix_nano,
                       *(event.time_unix_nano for event in otlp.events)) > INT64_MAX:
                    result.reject(f"span {otlp.name!r}: a time is past the year 2262")
                    continue
                trace_id = TRACE_ID_PREFIX + otlp.trace_id.hex()
                span, carried = _span(otlp, trace_id)
                declared = carried.get(TRACE_ID_ATTRIBUTE)
                if declared is not None and declared != trace_id:
                    carried.pop(TRACE_ID_ATTRIBUTE)  # not this trace's id: keep the OpenTelemetry one
                if carried:
                    trace_level[trace_id].update(carried)
                if _parent_is_remote(otlp):
                    remote_parents[trace_id].add(span.span_id)
                spans_by_trace[trace_id][span.span_id] = span  # a span sent twice: the later copy
    for trace_id, spans in spans_by_trace.items():
        result.traces.append(_trace(trace_id, list(spans.values()), trace_level[trace_id], remote_parents[trace_id],
                                    default_experiment_id))
    return result
