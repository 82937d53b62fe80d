"""Real OTLP receivers on 127.0.0.1 for tests: an HTTP/protobuf one (http.server) and a gRPC one (grpcio), both
decoding ExportTraceServiceRequest with opentelemetry-proto, as a collector would."""

from __future__ import annotations

import gzip
import threading
import zlib
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from waiting import wait_until


def any_value(value: AnyValue) -> Any:
    """A protobuf AnyValue as a Python value."""
    which = value.WhichOneof("value")
    if which == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return {item.key: any_value(item.value) for item in value.kvlist_value.values}
    return None if which is None else getattr(value, which)


def attributes(key_values) -> dict[str, Any]:
    """Protobuf KeyValue list as a dict."""
    return {item.key: any_value(item.value) for item in key_values}


@dataclass
class ReceivedSpan:
    """One span as it arrived, decoded."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]
    status_code: int
    status_message: str
    scope: str
    resource: dict[str, Any]
    start_time_ns: int
    end_time_ns: int
    parent_is_remote: bool = False


@dataclass
class Receiver:
    """What both receivers share: the requests, their headers, and a gate that stalls them while closed."""

    requests: list[trace_service_pb2.ExportTraceServiceRequest] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.gate.set()

    def record(self, request: trace_service_pb2.ExportTraceServiceRequest, headers: dict[str, str],
               path: str) -> None:
        self.arrived.set()
        self.gate.wait(30)
        self.requests.append(request)
        self.headers.append(headers)
        self.paths.append(path)

    def spans(self) -> list[ReceivedSpan]:
        """Every span received so far, in arrival order."""
        received = []
        for request in list(self.requests):
            for resource_spans in request.resource_spans:
                resource = attributes(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        received.append(ReceivedSpan(
                            name=span.name, trace_id=span.trace_id.hex(), span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(), kind=span.kind,
                            attributes=attributes(span.attributes),
                            events=[(event.name, attributes(event.attributes)) for event in span.events],
                            status_code=span.status.code, status_message=span.status.message,
                            scope=scope_spans.scope.name, resource=resource, start_time_ns=span.start_time_unix_nano,
                            end_time_ns=span.end_time_unix_nano,
                            parent_is_remote=bool(span.flags & 0x200)))
        return received

    def wait_for_spans(self, count: int, timeout: float = 10.0) -> list[ReceivedSpan]:
        """The spans once at least `count` arrived (or whatever arrived by the timeout)."""
        wait_until(lambda: len(self.spans()) >= count, timeout)
        return self.spans()


class HttpReceiver(Receiver):
    """OTLP/HTTP with protobuf bodies on 127.0.0.1 (any path is accepted and recorded)."""

    def __init__(self, port: int = 0) -> None:
        super().__init__()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
                receiver.record(request, {key.lower(): value for key, value in self.headers.items()}, self.path)
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        """The full traces URL."""
        return f"http://127.0.0.1:{self.port}/v1/traces"

    @property
    def base_endpoint(self) -> str:
        """The base URL (for OTEL_EXPORTER_OTLP_ENDPOINT)."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()


class GrpcReceiver(Receiver, trace_service_pb2_grpc.TraceServiceServicer):
    """OTLP/gRPC TraceService on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        Receiver.__init__(self)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port(f"127.0.0.1:{port}")
        self._server.start()

    def Export(self, request, context):  # noqa: N802 - the gRPC service's method name
        self.record(request, {key: value for key, value in context.invocation_metadata()}, "TraceService/Export")
        return trace_service_pb2.ExportTraceServiceResponse()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    base_endpoint = endpoint

    def close(self) -> None:
        self.gate.set()
        self._server.stop(grace=None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (now)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
