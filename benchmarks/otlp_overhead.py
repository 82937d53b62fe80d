"""Per-span cost of tracing with OTLP export on, beside the raw OpenTelemetry SDK with the same OTLP exporter, in one
run.

    python benchmarks/otlp_overhead.py [--calls 5000] [--repeats 3] [--protocols http/protobuf,grpc]

A collector stand-in runs as a separate process on 127.0.0.1 (OTLP/HTTP and OTLP/gRPC); it decodes each request to
count the spans that arrived, and discards them. Both sides export to it with opentelemetry-exporter-otlp:
- raw OTel: an SDK TracerProvider with a BatchSpanProcessor around OTLPSpanExporter, and a decorator that sets inputs
  and outputs as JSON string attributes (what a hand-rolled tracer does);
- tracekit: @tracekit.trace with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set (its buffer, export queue and conversion to
  OTLP spans with the standard GenAI/OpenInference keys).
Each timing includes the flush at the end of a repeat, so background export work is paid for too. The "arrived"
columns count spans the collector received against spans created: the BatchSpanProcessor drops spans when its queue
(2048) is full, tracekit does not. "OTel, same keys" sets the attributes tracekit exports (its own keys plus
OpenInference's input/output keys, which repeat the payload), so its payload matches tracekit's. The last row is a
trace that TRACEKIT_TRACE_SAMPLING_RATIO=0 drops (and a raw OTel ParentBased(ALWAYS_OFF) provider): the cost of a
sampled-out call. Figures: best of `--repeats`, in µs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Callable, Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, otel_decorator, peak_rss_mb  # noqa: E402

COLLECTOR = textwrap.dedent("""
    import sys, threading
    from concurrent import futures
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as pb, trace_service_pb2_grpc as pb_grpc

    received = [0]
    lock = threading.Lock()

    def count(request):
        spans = sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)
        with lock:
            received[0] += spans

    class Http(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            count(pb.ExportTraceServiceRequest.FromString(self.rfile.read(int(self.headers["Content-Length"]))))
            self.reply(pb.ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")
        def do_GET(self):
            self.reply(str(received[0]).encode(), "text/plain")
        def reply(self, body, kind):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass

    class Grpc(pb_grpc.TraceServiceServicer):
        def Export(self, request, context):
            count(request)
            return pb.ExportTraceServiceResponse()

    http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    pb_grpc.add_TraceServiceServicer_to_server(Grpc(), server)
    grpc_port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(http.server_address[1], grpc_port, flush=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    sys.stdin.read()  # run until the benchmark closes our stdin
""")


class Collector:
    """The collector stand-in process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", COLLECTOR], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        http_port, grpc_port = self.process.stdout.readline().split()
        self.http_port, self.grpc_port = int(http_port), int(grpc_port)

    def endpoint(self, protocol: str) -> str:
        if protocol == "grpc":
            return f"http://127.0.0.1:{self.grpc_port}"
        return f"http://127.0.0.1:{self.http_port}/v1/traces"

    def received(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/count", timeout=10) as reply:
            return int(reply.read())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def span_exporter(protocol: str, endpoint: str):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint, insecure=True)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint)


def make_shapes(decorate: Callable[[Callable], Callable]) -> dict[str, Callable[[int], object]]:
    @decorate
    def leaf(x):
        return x + 1

    @decorate
    def one_span(x):
        return {"answer": x + 1}

    @decorate
    def ten_spans(x):
        return sum(leaf(i) for i in range(9))

    return {"1 span/trace": one_span, "10 spans/trace": ten_spans}


SPANS_PER_CALL = {"1 span/trace": 1, "10 spans/trace": 10}


def run_protocol(protocol: str, collector: Collector, calls: int, repeats: int) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

    import tracekit

    endpoint = collector.endpoint(protocol)
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(span_exporter(protocol, endpoint)))
    raw_otel = make_shapes(otel_decorator(provider.get_tracer("benchmark")))
    raw_otel_same_keys = make_shapes(otel_decorator(provider.get_tracer("benchmark"), same_keys=True))

    os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = endpoint
    os.environ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = protocol
    os.environ.pop("TRACEKIT_TRACE_SAMPLING_RATIO", None)
    tracekit.tracing.reset()
    traced = make_shapes(tracekit.trace)

    print(f"\nOTLP {protocol} -> {endpoint}")
    print(f"{'shape':<22} {'raw OTel':>16} {'arrived':>8} {'OTel, same keys':>16} {'arrived':>8} "
          f"{'tracekit':>16} {'arrived':>8} {'tk/OTel':>8} {'tk/same':>8}")

    def measure(func: Callable[[int], object], spans: int, flush: Callable[[], object]) -> tuple[float, float]:
        before = collector.received()
        per_call = best_per_call(func, calls, repeats, flush)
        return per_call, (collector.received() - before) / (calls * repeats * spans)

    for shape, spans in SPANS_PER_CALL.items():
        otel_us, otel_arrived = measure(raw_otel[shape], spans, provider.force_flush)
        same_us, same_arrived = measure(raw_otel_same_keys[shape], spans, provider.force_flush)
        tracekit_us, tracekit_arrived = measure(traced[shape], spans, tracekit.flush_trace_async_logging)
        print(f"{shape:<22} {otel_us:>8.2f} ({otel_us / spans:>5.1f}) {otel_arrived:>7.0%} "
              f"{same_us:>8.2f} ({same_us / spans:>5.1f}) {same_arrived:>7.0%} "
              f"{tracekit_us:>8.2f} ({tracekit_us / spans:>5.1f}) {tracekit_arrived:>7.0%} "
              f"{tracekit_us / otel_us:>7.2f}x {tracekit_us / same_us:>7.2f}x")
    stats = tracekit.tracing.stats()

    dropped_provider = TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    dropped_otel = make_shapes(otel_decorator(dropped_provider.get_tracer("benchmark")))["1 span/trace"]
    os.environ["TRACEKIT_TRACE_SAMPLING_RATIO"] = "0"
    tracekit.tracing.reset()
    dropped_tracekit = make_shapes(tracekit.trace)["1 span/trace"]
    otel_us = best_per_call(dropped_otel, calls, repeats, lambda: None)
    tracekit_us = best_per_call(dropped_tracekit, calls, repeats, lambda: None)
    print(f"{'sampled out, 1 span':<22} {otel_us:>8.2f} ({otel_us:>5.1f}) {'-':>8} {'':>16} {'':>8} "
          f"{tracekit_us:>8.2f} ({tracekit_us:>5.1f}) {'-':>8} {tracekit_us / otel_us:>7.2f}x")
    print(f"tracekit traces exported: {stats.exported}, retried: {stats.retried}, spilled: {stats.spilled}, "
          f"dropped: {stats.dropped}; sampled out in the last row: {tracekit.tracing.stats().sampled_out}")
    os.environ.pop("TRACEKIT_TRACE_SAMPLING_RATIO")
    provider.shutdown()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--protocols", default="http/protobuf,grpc")
    args = parser.parse_args(argv)

    collector = Collector()
    try:
        print(f"python {sys.version.split()[0]}, {args.calls} calls x best of {args.repeats}; µs per call "
              f"(per span in brackets)")
        for protocol in args.protocols.split(","):
            run_protocol(protocol.strip(), collector, args.calls, args.repeats)
    finally:
        collector.close()
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
