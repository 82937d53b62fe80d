"""OTLP export: completed traces sent to an OpenTelemetry collector (or any OTLP endpoint) over HTTP/protobuf or
gRPC, with the exporters of `opentelemetry-exporter-otlp`.

Switched on by the standard variables `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, with
`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `grpc`) and
`OTEL_EXPORTER_OTLP_TRACES_HEADERS` / `OTEL_EXPORTER_OTLP_HEADERS` (see `tracekit.config`). The resource comes from
`OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` as the OpenTelemetry SDK reads them.

What a span carries, and the OpenInference / GenAI keys it gets beside tracekit's own, is `tracekit.otlp`'s to say
(`tracekit.otlp.encode`); this module configures and runs the exporter.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Sequence
from urllib.parse import urlparse

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from tracekit import config
from tracekit.config import Setting
from tracekit.entities import Trace
from tracekit.exporters import TraceExporter
from tracekit.otlp.encode import message_content_capture, to_otel_spans

logger = logging.getLogger(__name__)

PROTOCOLS = ("http/protobuf", "grpc")
_DEFAULT_PORTS = {"http/protobuf": 4318, "grpc": 4317}
_PING_TIMEOUT_SECONDS = 1.0

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
        #: Where message text goes on LLM spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, read once here).
        self.content_capture = message_content_capture()
        self._exporter = _span_exporter(self.protocol, self.endpoint)

    @property
    def name(self) -> str:
        """`otlp+<protocol>:<endpoint>`."""
        return f"otlp+{self.protocol}:{self.endpoint or 'default'}"

    def export(self, traces: Sequence[Trace]) -> None:
        """Send the spans of `traces`; raises ConnectionError if the endpoint did not take them."""
        spans = [otel_span for trace in traces
                 for otel_span in to_otel_spans(trace, self.resource, self.content_capture)]
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
