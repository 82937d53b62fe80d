"""A small HTTP service traced with tracekit that continues its callers' traces; tests run it as its own process.

It prints its port, then answers POST {"question": ...} with {"answer": ..., "trace_id": ...}. Its traces go to
TRACEKIT_TRACKING_URI, stored before the reply is sent.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import tracekit


@tracekit.trace(span_type=tracekit.SpanType.CHAIN)
def handle(question: str) -> dict:
    with tracekit.start_span("lookup", span_type=tracekit.SpanType.RETRIEVER) as span:
        span.set_inputs({"query": question})
        span.set_outputs(["doc-1"])
    tracekit.update_current_trace(tags={"service": "callee"})
    return {"answer": question.upper(), "trace_id": tracekit.get_active_trace_id()}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with tracekit.tracing.continue_trace(self.headers):
            result = handle(payload["question"])
        tracekit.flush_trace_async_logging()
        body = json.dumps(result).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
