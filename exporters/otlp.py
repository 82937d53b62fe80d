"""OTLP export: completed traces sent to an OpenTelemetry collector (or any OTLP endpoint) over HTTP/protobuf or
gRPC, with the exporters of `opentelemetry-exporter-otlp`.

Switched on by the standard variables `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, with
`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `grpc`) and
`OTEL_EXPORTER_OTLP_TRACES_HEADERS` / `OTEL_EXPORTER_OTLP_HEADERS`. Each span keeps tracekit's own attributes and also
gets the standard keys other backends render: OpenInference (`openinference.span.kind`, `input.value`,
`output.value`) and the OpenTelemetry GenAI conventions (`gen_ai.operation.name`). The root span carries the
trace's id, experiment, tags and metadata (run id, model id) as `tracekit.trace.*` attributes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from urllib.parse import urlparse

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from tracekit.constants import SpanAttributeKey
from tracekit.entities import Span, SpanStatusCode, Trace
from tracekit.exporters import TraceExporter

logger = logging.getLogger(__name__)

PROTOCOLS = ("http/protobuf", "grpc")

TRACE_ID_ATTRIBUTE = "tracekit.trace.id"
EXPERIMENT_ATTRIBUTE = "tracekit.trace.experimentId"
TAGS_ATTRIBUTE = "tracekit.trace.tags"
METADATA_ATTRIBUTE = "tracekit.trace.metadata"
CLIENT_REQUEST_ID_ATTRIBUTE = "tracekit.trace.clientRequestId"

_OPENINFERENCE_KIND = {
    "LLM": "LLM", "CHAT_MODEL": "LLM", "CHAIN": "CHAIN", "AGENT": "AGENT", "TOOL": "TOOL",
    "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING", "RERANKER": "RERANKER", "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR",
}
_GEN_AI_OPERATION = {
    "CHAT_MODEL": "chat", "LLM": "text_completion", "EMBEDDING": "embeddings", "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
}
_STATUS = {SpanStatusCode.UNSET: StatusCode.UNSET, SpanStatusCode.OK: StatusCode.OK,
           SpanStatusCode.ERROR: StatusCode.ERROR}
_SCOPE = InstrumentationScope("tracekit")


def _env(*names: str) -> tuple[str, str] | tuple[None, None]:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return name, value
    return None, None


def _headers_are_valid(raw: str) -> bool:
    return all("=" in pair and pair.split("=", 1)[0].strip() for pair in raw.split(",") if pair.strip())


def endpoint_from_environment() -> str | None:
    """The configured OTLP traces endpoint, or None when OTLP export is off or misconfigured (a warning names the
    variable at fault; traces then keep going to the tracking store)."""
    name, endpoint = _env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    if endpoint is None:
        return None
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        logger.warning("Ignoring %s=%r: expected an http:// or https:// URL such as http://localhost:4318; OTLP "
                       "export stays off.", name, endpoint)
        return None
    try:
        parsed.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        logger.warning("Ignoring %s=%r: the port is not a number; OTLP export stays off.", name, endpoint)
        return None
    header_name, headers = _env("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS")
    if headers is not None and not _headers_are_valid(headers):
        logger.warning("Ignoring %s: expected comma-separated key=value pairs; OTLP export stays off.", header_name)
        return None
    return endpoint


def protocol_from_environment() -> str:
    """`http/protobuf` (default) or `grpc`; anything else is warned about and replaced by the default."""
    name, protocol = _env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
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

        parsed = urlparse(endpoint) if endpoint else None
        insecure = parsed is not None and parsed.scheme == "http"
        return GrpcExporter(endpoint=endpoint, insecure=insecure or None)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    if endpoint and not os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        # A base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) gets the signal path, as the specification says.
        endpoint = endpoint.rstrip("/") + "/v1/traces"
    return HttpExporter(endpoint=endpoint)


class OtlpTraceExporter(TraceExporter):
    """Sends completed traces as OTLP spans. A failed send raises, so tracekit's queue retries it and, if the
    collector stays down, spills the traces and replays them later.

    >>> tracekit.tracing.set_exporter(OtlpTraceExporter(endpoint="http://localhost:4318/v1/traces"))
    """

    def __init__(self, endpoint: str | None = None, protocol: str | None = None,
                 resource: Resource | None = None) -> None:
        self.protocol = protocol or protocol_from_environment()
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"OTLP protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        self.endpoint = endpoint or endpoint_from_environment()
        self._resource = resource or Resource.create()
        self._exporter = _span_exporter(self.protocol, self.endpoint)

    @property
    def name(self) -> str:
        """`otlp+<protocol>:<endpoint>`."""
        return f"otlp+{self.protocol}:{self.endpoint or 'default'}"

    def export(self, traces: Sequence[Trace]) -> None:
        """Send the spans of `traces`; raises ConnectionError if the collector did not take them."""
        spans = [otel_span for trace in traces for otel_span in to_otel_spans(trace, self._resource)]
        if self._exporter.export(spans) is not SpanExportResult.SUCCESS:
            raise ConnectionError(f"the OTLP endpoint {self.endpoint or '(default)'} did not accept "
                                  f"{len(traces)} trace(s)")

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing is held here."""
        return True

    def shutdown(self) -> None:
        """Close the underlying exporter."""
        self._exporter.shutdown()


def _standard_attributes(span: Span) -> dict[str, str]:
    extra: dict[str, str] = {}
    kind = _OPENINFERENCE_KIND.get(span.span_type)
    extra["openinference.span.kind"] = kind or "UNKNOWN"
    operation = _GEN_AI_OPERATION.get(span.span_type)
    if operation is not None:
        extra["gen_ai.operation.name"] = operation
    inputs = span.raw_attributes.get(SpanAttributeKey.INPUTS)
    if inputs is not None:
        extra["input.value"] = inputs
        extra["input.mime_type"] = "application/json"
    outputs = span.raw_attributes.get(SpanAttributeKey.OUTPUTS)
    if outputs is not None:
        extra["output.value"] = outputs
        extra["output.mime_type"] = "application/json"
    return extra


def to_otel_spans(trace: Trace, resource: Resource) -> list[ReadableSpan]:
    """The spans of `trace` as OpenTelemetry `ReadableSpan`s, with standard keys added and trace-level data on the
    root span."""
    from tracekit import serialization

    otel_trace_id = int(trace.info.trace_id[3:], 16)
    root = trace.data.root_span
    spans = []
    for span in trace.data.spans:
        attributes = dict(span.raw_attributes)
        for key, value in _standard_attributes(span).items():
            attributes.setdefault(key, value)
        if span is root:
            attributes[TRACE_ID_ATTRIBUTE] = trace.info.trace_id
            attributes[EXPERIMENT_ATTRIBUTE] = trace.info.experiment_id
            attributes[TAGS_ATTRIBUTE] = serialization.dumps(trace.info.tags)
            attributes[METADATA_ATTRIBUTE] = serialization.dumps(trace.info.trace_metadata)
            if trace.info.client_request_id:
                attributes[CLIENT_REQUEST_ID_ATTRIBUTE] = trace.info.client_request_id
        parent = None
        if span.parent_id is not None:
            parent = SpanContext(otel_trace_id, int(span.parent_id, 16), is_remote=False,
                                 trace_flags=TraceFlags(TraceFlags.SAMPLED))
        spans.append(ReadableSpan(
            name=span.name,
            context=SpanContext(otel_trace_id, int(span.span_id, 16), is_remote=False,
                                trace_flags=TraceFlags(TraceFlags.SAMPLED)),
            parent=parent,
            resource=resource,
            attributes=attributes,
            events=[Event(event.name, event.attributes, event.timestamp_ns) for event in span.events],
            kind=SpanKind.INTERNAL,
            status=Status(_STATUS[span.status.status_code],
                          span.status.description or None if span.status.status_code is SpanStatusCode.ERROR else None),
            start_time=span.start_time_ns,
            end_time=span.end_time_ns if span.end_time_ns is not None else span.start_time_ns,
            instrumentation_scope=_SCOPE,
        ))
    return spans
