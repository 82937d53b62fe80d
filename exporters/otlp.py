"""OTLP export: completed traces sent to an OpenTelemetry collector (or any OTLP endpoint) over HTTP/protobuf or
gRPC, with the exporters of `opentelemetry-exporter-otlp`.

Switched on by the standard variables `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, with
`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `grpc`) and
`OTEL_EXPORTER_OTLP_TRACES_HEADERS` / `OTEL_EXPORTER_OTLP_HEADERS` (see `tracekit.config`). The resource comes from
`OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` as the OpenTelemetry SDK reads them.

What a span carries:
- every attribute tracekit stored: `tracekit.*` keys as tracekit's JSON text (inputs, outputs, span type, ...), other
  keys as OpenTelemetry values (strings, numbers, booleans and lists of them; anything structured as JSON text);
- the standard keys other backends render: OpenInference (`openinference.span.kind`, `input.value`,
  `input.mime_type`, `output.value`, `output.mime_type`, `llm.model_name`, `llm.token_count.*`) and the OpenTelemetry
  GenAI conventions (`gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.usage.input_tokens`, ...), filled in
  from tracekit's data where the span does not already have them;
- events, status, and, for spans of instrumentation packages recorded with the global provider joined, their
  original span kind and instrumentation scope;
- on the root span: the trace's id, experiment, tags and metadata (run id, model id) as `tracekit.trace.*`, and the
  metadata again as OpenInference's `metadata`.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from tracekit import config, serialization
from tracekit.config import Setting
from tracekit.constants import INSTRUMENTATION_NAME, GenAiKey, SpanAttributeKey
from tracekit.entities import Span, SpanStatusCode, Trace
from tracekit.exporters import TraceExporter

logger = logging.getLogger(__name__)

PROTOCOLS = ("http/protobuf", "grpc")
_DEFAULT_PORTS = {"http/protobuf": 4318, "grpc": 4317}
_PING_TIMEOUT_SECONDS = 1.0

TRACE_ID_ATTRIBUTE = "tracekit.trace.id"
EXPERIMENT_ATTRIBUTE = "tracekit.trace.experimentId"
TAGS_ATTRIBUTE = "tracekit.trace.tags"
METADATA_ATTRIBUTE = "tracekit.trace.metadata"
CLIENT_REQUEST_ID_ATTRIBUTE = "tracekit.trace.clientRequestId"

_OPENINFERENCE_KIND = {
    "LLM": "LLM", "CHAT_MODEL": "LLM", "CHAIN": "CHAIN", "AGENT": "AGENT", "TOOL": "TOOL",
    "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING", "RERANKER": "RERANKER", "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR", "PARSER": "CHAIN", "MEMORY": "CHAIN", "WORKFLOW": "CHAIN", "TASK": "CHAIN",
}
_GEN_AI_OPERATION = {
    "CHAT_MODEL": "chat", "LLM": "text_completion", "EMBEDDING": "embeddings", "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
}
_STATUS = {SpanStatusCode.UNSET: StatusCode.UNSET, SpanStatusCode.OK: StatusCode.OK,
           SpanStatusCode.ERROR: StatusCode.ERROR}
_KINDS = {kind.name: kind for kind in SpanKind}
_TRACEKIT_SCOPE = InstrumentationScope(INSTRUMENTATION_NAME)
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_PRIMITIVES = (str, bool, int, float)
_INT64 = range(-(2 ** 63), 2 ** 63)
# RFC 7230 header-name characters.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


# --- configuration from the environment ---------------------------------------------------------------------------
def _first_set(*settings: Setting[str]) -> tuple[str, str] | tuple[None, None]:
    for setting in settings:
        value = setting.get().strip()
        if value:
            return setting.name, value
    return None, None


def _headers_problem(raw: str) -> str | None:
    for pair in raw.split(","):
        if not pair.strip():
            continue
        if "=" not in pair:
            return f"{pair.strip()!r} has no '='"
        name = pair.split("=", 1)[0].strip()
        if not _HEADER_NAME.match(name):
            return f"{name!r} is not a valid header name"
    return None


def endpoint_from_environment() -> str | None:
    """The configured OTLP traces endpoint, or None when OTLP export is off or misconfigured: then a warning names
    the variable at fault and traces keep going to the tracking store."""
    name, endpoint = _first_set(config.OTLP_TRACES_ENDPOINT, config.OTLP_ENDPOINT)
    if endpoint is None:
        return None
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        logger.warning("Ignoring %s=%r: expected an http:// or https:// URL such as http://localhost:4318; OTLP "
                       "export stays off and traces go to the tracking store.", name, endpoint)
        return None
    try:
        parsed.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        logger.warning("Ignoring %s=%r: the port is not a number from 0 to 65535; OTLP export stays off and traces "
                       "go to the tracking store.", name, endpoint)
        return None
    header_name, headers = _first_set(config.OTLP_TRACES_HEADERS, config.OTLP_HEADERS)
    problem = None if headers is None else _headers_problem(headers)
    if problem is not None:
        logger.warning("Ignoring OTLP export: %s is malformed (%s); expected comma-separated key=value pairs. Traces "
                       "go to the tracking store.", header_name, problem)
        return None
    return endpoint


def protocol_from_environment() -> str:
    """`http/protobuf` (default) or `grpc`; anything else is warned about and replaced by the default."""
    name, protocol = _first_set(config.OTLP_TRACES_PROTOCOL, config.OTLP_PROTOCOL)
    if protocol is None:
        return "http/protobuf"
    if protocol not in PROTOCOLS:
        logger.warning("Ignoring %s=%r: tracekit supports %s; using http/protobuf.", name, protocol,
                       ", ".join(PROTOCOLS))
        return "http/protobuf"
    return protocol


def _span_exporter(protocol: str, endpoint: str | None) -> SpanExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        insecure = endpoint is not None and urlparse(endpoint).scheme == "http"
        return GrpcExporter(endpoint=endpoint, insecure=insecure or None)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    if endpoint and not config.OTLP_TRACES_ENDPOINT.get().strip():
        # A base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) gets the signal path, as the specification says.
        endpoint = endpoint.rstrip("/") + "/v1/traces"
    return HttpExporter(endpoint=endpoint)


class OtlpTraceExporter(TraceExporter):
    """Sends completed traces as OTLP spans. A failed send raises, so tracekit's queue retries it and, if the
    collector stays down, spills the traces to disk and replays them when it answers again (the OpenTelemetry
    exporter underneath also retries within OTEL_EXPORTER_OTLP_TRACES_TIMEOUT).

    >>> tracekit.tracing.set_exporter(OtlpTraceExporter(endpoint="http://localhost:4318/v1/traces"))
    """

    def __init__(self, endpoint: str | None = None, protocol: str | None = None,
                 resource: Resource | None = None) -> None:
        self.protocol = protocol or protocol_from_environment()
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"OTLP protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        self.endpoint = endpoint or endpoint_from_environment()
        #: The resource (service.name, ...) every exported span carries.
        self.resource = resource or Resource.create()
        self._exporter = _span_exporter(self.protocol, self.endpoint)

    @property
    def name(self) -> str:
        """`otlp+<protocol>:<endpoint>`."""
        return f"otlp+{self.protocol}:{self.endpoint or 'default'}"

    def export(self, traces: Sequence[Trace]) -> None:
        """Send the spans of `traces`; raises ConnectionError if the endpoint did not take them."""
        spans = [otel_span for trace in traces for otel_span in to_otel_spans(trace, self.resource)]
        if self._exporter.export(spans) is not SpanExportResult.SUCCESS:
            raise ConnectionError(f"the OTLP endpoint {self.endpoint or '(default)'} did not accept "
                                  f"{len(traces)} trace(s)")

    def ping(self) -> None:
        """Raise OSError unless the endpoint accepts a TCP connection (a cheap probe while it is down)."""
        parsed = urlparse(self.endpoint or f"http://localhost:{_DEFAULT_PORTS[self.protocol]}")
        default_port = 443 if parsed.scheme == "https" else _DEFAULT_PORTS[self.protocol]
        with socket.create_connection((parsed.hostname or "localhost", parsed.port or default_port),
                                      timeout=_PING_TIMEOUT_SECONDS):
            pass

    def shutdown(self) -> None:
        """Close the underlying exporter."""
        self._exporter.shutdown()


# --- conversion ---------------------------------------------------------------------------------------------------
def _otel_value(raw: Any) -> Any:
    """An attribute stored as JSON text, as an OpenTelemetry attribute value: primitives and homogeneous lists of
    them decoded, anything else kept as JSON text."""
    value = serialization.loads(raw)
    if isinstance(value, _PRIMITIVES) and (not isinstance(value, int) or value in _INT64):
        return value
    if (isinstance(value, list) and value and isinstance(value[0], _PRIMITIVES)
            and all(type(item) is type(value[0]) for item in value)):
        return value
    return raw if isinstance(raw, str) else serialization.dumps(value)


def _payload(raw: str) -> tuple[str, str]:
    """(value, mime type) for OpenInference's input.value / output.value: a plain string as text, else JSON."""
    value = serialization.loads(raw)
    if isinstance(value, str):
        return value, "text/plain"
    return raw, "application/json"


def standard_attributes(span: Span, attributes: dict[str, Any]) -> dict[str, Any]:
    """The OpenInference and GenAI keys derivable from tracekit's data (existing keys win later)."""
    extra: dict[str, Any] = {}
    span_type = span.span_type
    extra["openinference.span.kind"] = _OPENINFERENCE_KIND.get(span_type, "UNKNOWN")
    for key, stored in ((SpanAttributeKey.INPUTS, "input"), (SpanAttributeKey.OUTPUTS, "output")):
        raw = span.raw_attributes.get(key)
        if raw is not None:
            extra[f"{stored}.value"], extra[f"{stored}.mime_type"] = _payload(raw)
    operation = _GEN_AI_OPERATION.get(span_type)
    if operation is not None:
        extra[GenAiKey.OPERATION] = operation
    if span_type == "TOOL":
        extra["tool.name"] = span.name
    usage = attributes.get(GenAiKey.TOKEN_USAGE)
    usage = serialization.loads(usage) if isinstance(usage, str) else None
    input_tokens = attributes.get(GenAiKey.USAGE_INPUT_TOKENS)
    output_tokens = attributes.get(GenAiKey.USAGE_OUTPUT_TOKENS)
    if isinstance(usage, Mapping):
        input_tokens = input_tokens if input_tokens is not None else usage.get("input_tokens")
        output_tokens = output_tokens if output_tokens is not None else usage.get("output_tokens")
        total = usage.get("total_tokens")
        if isinstance(total, int):
            extra["llm.token_count.total"] = total
    if isinstance(input_tokens, int):
        extra[GenAiKey.USAGE_INPUT_TOKENS] = extra["llm.token_count.prompt"] = input_tokens
    if isinstance(output_tokens, int):
        extra[GenAiKey.USAGE_OUTPUT_TOKENS] = extra["llm.token_count.completion"] = output_tokens
    model = attributes.get(GenAiKey.RESPONSE_MODEL) or attributes.get(GenAiKey.REQUEST_MODEL)
    if isinstance(model, str):
        extra["llm.model_name"] = model
    system = attributes.get(GenAiKey.SYSTEM)
    if isinstance(system, str):
        extra["llm.system"] = system
    return extra


def _attributes(span: Span) -> tuple[dict[str, Any], SpanKind, InstrumentationScope]:
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
            attributes[key] = _otel_value(raw)
    if scope is _TRACEKIT_SCOPE:  # standard keys describe tracekit's own spans, not an instrumentation's
        for key, value in standard_attributes(span, attributes).items():
            attributes.setdefault(key, value)
    return attributes, kind, scope


def _trace_attributes(trace: Trace) -> dict[str, Any]:
    info = trace.info
    attributes = {
        TRACE_ID_ATTRIBUTE: info.trace_id,
        EXPERIMENT_ATTRIBUTE: str(info.experiment_id),
        TAGS_ATTRIBUTE: serialization.dumps(info.tags),
        METADATA_ATTRIBUTE: serialization.dumps(info.trace_metadata),
        "metadata": serialization.dumps(info.trace_metadata),
    }
    if info.client_request_id:
        attributes[CLIENT_REQUEST_ID_ATTRIBUTE] = info.client_request_id
    return attributes


def to_otel_spans(trace: Trace, resource: Resource) -> list[ReadableSpan]:
    """The spans of `trace` as OpenTelemetry `ReadableSpan`s, with standard keys added and trace-level data on the
    root span. A parent outside the trace (the caller's span, in another process) is marked remote."""
    otel_trace_id = int(trace.info.trace_id[3:], 16)
    root = trace.data.root_span
    span_ids = {span.span_id for span in trace.data.spans}
    spans = []
    for span in trace.data.spans:
        attributes, kind, scope = _attributes(span)
        if span is root:
            attributes.update(_trace_attributes(trace))
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
            events=[Event(event.name, event.attributes, event.timestamp_ns) for event in span.events],
            kind=kind,
            status=Status(_STATUS[span.status.status_code], (span.status.description or None) if error else None),
            start_time=span.start_time_ns,
            end_time=span.end_time_ns if span.end_time_ns is not None else span.start_time_ns,
            instrumentation_scope=scope,
        ))
    return spans
