"""tracekit `Trace` -> OTLP: OpenTelemetry `ReadableSpan`s for the SDK's OTLP exporters, or a protobuf
`ExportTraceServiceRequest`.

What a span carries:
- every attribute tracekit stored: `tracekit.*` keys as tracekit's JSON text (inputs, outputs, span type, ...), other
  keys as OpenTelemetry values (strings, numbers, booleans and lists of them; anything structured as JSON text);
- on tracekit's own spans, the standard keys other backends render (`tracekit.otlp.conventions`), filled in from
  tracekit's data where the span does not already have them, and listed under `keys.DERIVED_KEYS`; a tracekit key
  that an added standard key carries whole (inputs as `input.value`, the conversation as `llm.input_messages.*` /
  `llm.output_messages.*`, tools as `llm.tools.*`) is not sent itself: the payload goes out once, and decoding
  restores the tracekit key;
- on tracekit's LLM and CHAT_MODEL spans, the GenAI message events (`tracekit.otlp.events`; their text only with
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT), added after the span's own events and counted under
  `keys.DERIVED_EVENTS`; a long text (the prompt) goes out once, its other places pointing at it
  (`tracekit.otlp.dedupe`);
- span kind CLIENT for tracekit's model and store calls (`CLIENT_SPAN_TYPES`), INTERNAL for its other spans;
- events, status, and, for spans of instrumentation packages recorded with the global provider joined, their
  original span kind and instrumentation scope;
- on the root span: the trace's id, experiment, tags, metadata and client request id (`keys.TraceAttributeKey`), and
  the standard trace-level keys (OpenInference's `metadata`).
A parent outside the trace (the caller's span, in another process) is marked remote.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from tracekit import config, serialization
from tracekit.constants import INSTRUMENTATION_NAME, SpanAttributeKey
from tracekit.entities import Span, SpanStatusCode, Trace
from tracekit.entities.ids import parse_trace_id
from tracekit.otlp.conventions import restore_tracekit_keys, standard_attributes, standard_trace_attributes
from tracekit.otlp.dedupe import send_texts_once
from tracekit.otlp.events import CHAT_SPAN_TYPES, ContentCapture, content_capture, message_events
from tracekit.otlp.keys import DERIVED_EVENTS, DERIVED_KEYS, FLATTENED_PREFIXES, TraceAttributeKey

if TYPE_CHECKING:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

_STATUS = {SpanStatusCode.UNSET: StatusCode.UNSET, SpanStatusCode.OK: StatusCode.OK,
           SpanStatusCode.ERROR: StatusCode.ERROR}
_KINDS = {kind.name: kind for kind in SpanKind}
_TRACEKIT_SCOPE = InstrumentationScope(INSTRUMENTATION_NAME)
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_PRIMITIVES = (str, bool, int, float)
_INT64 = range(-(2 ** 63), 2 ** 63)
#: tracekit span types that call out to a model or a store: exported with span kind CLIENT.
CLIENT_SPAN_TYPES = frozenset({"LLM", "CHAT_MODEL", "EMBEDDING", "RETRIEVER", "RERANKER"})
#: tracekit keys a standard key may carry whole (then sent once, as the standard key, and restored on decoding).
_MOVABLE_KEYS = (SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS, SpanAttributeKey.CHAT_MESSAGES,
                 SpanAttributeKey.CHAT_TOOLS)


def otel_value(raw: Any) -> Any:
    """An attribute stored as JSON text, as an OpenTelemetry attribute value: primitives and homogeneous lists of
    them decoded, anything else kept as JSON text."""
    value = serialization.loads(raw)
    if isinstance(value, _PRIMITIVES) and (not isinstance(value, int) or value in _INT64):
        return value
    if (isinstance(value, list) and value and isinstance(value[0], _PRIMITIVES)
            and all(type(item) is type(value[0]) for item in value)):
        return value
    return raw if isinstance(raw, str) else serialization.dumps(value)


def _span_attributes(span: Span, trace: Trace | None, capture: ContentCapture
                     ) -> tuple[dict[str, Any], SpanKind, InstrumentationScope, list[tuple[str, dict[str, Any]]]]:
    """The span's OTLP attributes, kind, scope and the events to add; `trace` is given for the root span."""
    attributes: dict[str, Any] = {}
    kind, scope = SpanKind.INTERNAL, _TRACEKIT_SCOPE
    for key, raw in span.raw_attributes.items():
        if key == SpanAttributeKey.OTEL_SPAN_KIND:
            kind = _KINDS.get(str(serialization.loads(raw)), SpanKind.INTERNAL)
        elif key == SpanAttributeKey.OTEL_SCOPE:
            scope = InstrumentationScope(str(serialization.loads(raw)))
        elif key.startswith("tracekit."):
            attributes[key] = raw
        else:
            attributes[key] = otel_value(raw)
    # standard keys describe tracekit's own spans, not an instrumentation's
    derived: dict[str, Any] = {}
    if scope is _TRACEKIT_SCOPE:
        derived = standard_attributes(span, attributes)
        if span.span_type in CLIENT_SPAN_TYPES:
            kind = SpanKind.CLIENT
    if trace is not None:
        attributes.update(_trace_attributes(trace))
        derived.update(standard_trace_attributes(trace))
    added = []
    for key, value in derived.items():
        if key not in attributes:
            attributes[key] = value
            added.append(key)
    if added:
        attributes[DERIVED_KEYS] = _key_list(tuple(_compact(added, attributes)))
        _send_payloads_once(attributes, added)
    events: list[tuple[str, dict[str, Any]]] = []
    if scope is _TRACEKIT_SCOPE and span.span_type in CHAT_SPAN_TYPES:
        chat = serialization.loads(span.raw_attributes.get(SpanAttributeKey.CHAT_MESSAGES))
        if isinstance(chat, list) and chat and all(isinstance(message, Mapping) for message in chat):
            events = message_events(chat, attributes, capture)
            if events:
                attributes[DERIVED_EVENTS] = len(events)
        send_texts_once(attributes, events, texts_in_events=capture == "events")  # only chat spans repeat texts
    return attributes, kind, scope, events


def _compact(added: list[str], attributes: Mapping[str, Any]) -> list[str]:
    """`added` with the indexed keys of each flattened family (`llm.input_messages.*`, ...) named by one
    `<prefix>*` entry, unless the span had a key of that family itself."""
    flattened = {key for key in added if key.startswith(FLATTENED_PREFIXES)}
    if not flattened:
        return added
    families = {prefix for prefix in FLATTENED_PREFIXES if any(key.startswith(prefix) for key in flattened)}
    for key in attributes:
        if key.startswith(FLATTENED_PREFIXES) and key not in flattened:  # the span's own key in a family
            families.difference_update(prefix for prefix in FLATTENED_PREFIXES if key.startswith(prefix))
    if not families:
        return added
    whole = tuple(families)
    return [key for key in added if not key.startswith(whole)] + [prefix + "*" for prefix in FLATTENED_PREFIXES
                                                                  if prefix in families]


def _send_payloads_once(attributes: dict[str, Any], added: list[str]) -> None:
    """Drop the tracekit keys (inputs, outputs, chat messages and tools) that the added standard keys carry whole:
    decoding restores each from them. A key is kept when reading it back would not give the same value."""
    movable = [key for key in _MOVABLE_KEYS if key in attributes]
    if not movable:
        return
    # what the decoder will see: every attribute (a family may hold keys of the span's own), no movable key
    restored = {key: value for key, value in attributes.items() if key not in _MOVABLE_KEYS}
    restore_tracekit_keys(restored, added)
    for key in movable:
        if key in restored and (restored[key] == attributes[key]  # the usual case: the very same text
                                or serialization.loads(restored[key]) == serialization.loads(attributes[key])):
            del attributes[key]


@functools.lru_cache(maxsize=256)
def _key_list(keys: tuple[str, ...]) -> str:
    # A handful of key sets recur on every span: serialize each once.
    return serialization.dumps(list(keys))


def _trace_attributes(trace: Trace) -> dict[str, Any]:
    info = trace.info
    attributes = {
        TraceAttributeKey.TRACE_ID: info.trace_id,
        TraceAttributeKey.EXPERIMENT_ID: str(info.experiment_id),
        TraceAttributeKey.TAGS: serialization.dumps(info.tags),
        TraceAttributeKey.METADATA: serialization.dumps(info.trace_metadata),
    }
    if info.client_request_id:
        attributes[TraceAttributeKey.CLIENT_REQUEST_ID] = info.client_request_id
    return attributes


def message_content_capture() -> ContentCapture:
    """Where exported message text goes, from OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT."""
    return content_capture(config.GENAI_CAPTURE_MESSAGE_CONTENT.get())


def to_otel_spans(trace: Trace, resource: Resource, capture: ContentCapture | None = None) -> list[ReadableSpan]:
    """The spans of `trace` as OpenTelemetry `ReadableSpan`s with `resource`, ready for an SDK span exporter;
    `capture` says where message text goes (default: `message_content_capture()`)."""
    capture = capture or message_content_capture()
    otel_trace_id = parse_trace_id(trace.info.trace_id)
    root = trace.data.root_span
    span_ids = {span.span_id for span in trace.data.spans}
    spans = []
    for span in trace.data.spans:
        attributes, kind, scope, added_events = _span_attributes(span, trace if span is root else None, capture)
        parent = None
        if span.parent_id is not None:
            parent = SpanContext(otel_trace_id, int(span.parent_id, 16), is_remote=span.parent_id not in span_ids,
                                 trace_flags=_SAMPLED)
        error = span.status.status_code is SpanStatusCode.ERROR
        spans.append(ReadableSpan(
            name=span.name,
            context=SpanContext(otel_trace_id, int(span.span_id, 16), is_remote=False, trace_flags=_SAMPLED),
            parent=parent,
            resource=resource,
            attributes=attributes,
            events=[*(Event(event.name, event.attributes, event.timestamp_ns) for event in span.events),
                    *_timed(added_events, span)],
            kind=kind,
            status=Status(_STATUS[span.status.status_code], (span.status.description or None) if error else None),
            start_time=span.start_time_ns,
            end_time=span.end_time_ns if span.end_time_ns is not None else span.start_time_ns,
            instrumentation_scope=scope,
        ))
    return spans


def _timed(events: list[tuple[str, dict[str, Any]]], span: Span) -> list[Event]:
    """The GenAI message events at the span's start, its choices at its end."""
    end = span.end_time_ns if span.end_time_ns is not None else span.start_time_ns
    return [Event(name, attributes, end if name == "gen_ai.choice" else span.start_time_ns)
            for name, attributes in events]


def encode_request(traces: Sequence[Trace], resource: Resource | None = None,
                   capture: ContentCapture | None = None) -> ExportTraceServiceRequest:
    """The OTLP `ExportTraceServiceRequest` holding the spans of `traces`; `.SerializeToString()` is an OTLP/HTTP
    protobuf body.

    >>> body = encode_request([trace]).SerializeToString()
    """
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    resource = resource or Resource.create()
    capture = capture or message_content_capture()
    return encode_spans([otel_span for trace in traces for otel_span in to_otel_spans(trace, resource, capture)])
