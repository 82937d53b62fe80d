"""Traces across services: W3C traceparent out with inject_context, in with continue_trace; two processes, one trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import tracekit
from tracekit import SpanType

REMOTE_TRACE = "ab" * 16
REMOTE_SPAN = "cd" * 8


def traceparent(flags: str = "01") -> dict[str, str]:
    return {"traceparent": f"00-{REMOTE_TRACE}-{REMOTE_SPAN}-{flags}"}


@tracekit.trace(span_type=SpanType.CHAIN)
def handle(question: str) -> str:
    with tracekit.start_span("lookup"):
        pass
    return question.upper()


def test_outside_a_span_nothing_is_injected():
    assert tracekit.tracing.inject_context() == {}
    headers = {"Accept": "application/json"}
    assert tracekit.tracing.inject_context(headers) is headers
    assert headers == {"Accept": "application/json"}


def test_inside_a_span_traceparent_names_the_trace_and_the_span():
    with tracekit.start_span("call") as span:
        headers = tracekit.tracing.inject_context({"Accept": "application/json"})
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == ("00", span.trace_id[3:], span.span_id)
    assert int(flags, 16) & 1
    assert headers["Accept"] == "application/json"
    assert tracekit.tracing.get_tracing_context_headers_for_http_request() == {}  # outside again


def test_continued_trace_hangs_under_the_remote_span(exported):
    with tracekit.tracing.continue_trace({"Traceparent": traceparent()["traceparent"]}):  # any header case
        assert handle("hi") == "HI"
        assert tracekit.get_active_trace_id() is None  # the block itself is not a span
    (trace,) = exported()
    assert trace.info.trace_id == f"tr-{REMOTE_TRACE}"
    spans = {span.name: span for span in trace.data.spans}
    assert spans["handle"].parent_id == REMOTE_SPAN
    assert spans["lookup"].parent_id == spans["handle"].span_id
    assert trace.data.root_span.name == "handle"  # the local root of this process's part


def test_continued_trace_is_stored_as_its_part():
    with tracekit.tracing.set_tracing_context_from_http_request_headers(traceparent()):
        handle("stored")
    trace = tracekit.get_trace(f"tr-{REMOTE_TRACE}")
    assert {span.name for span in trace.data.spans} == {"handle", "lookup"}
    assert trace.info.request_preview == '{"question":"stored"}'


def test_remote_parent_wins_over_an_enclosing_local_span(exported):
    with tracekit.start_span("outer"):
        with tracekit.tracing.continue_trace(traceparent()):
            handle("x")
    traces = {trace.data.root_span.name: trace for trace in exported()}
    assert set(traces) == {"outer", "handle"}
    assert traces["handle"].info.trace_id == f"tr-{REMOTE_TRACE}"


@pytest.mark.parametrize("headers", [{}, {"traceparent": "garbage"}, {"traceparent": f"00-{'0' * 32}-{'1' * 16}-01"}])
def test_without_a_valid_traceparent_a_new_trace_starts(exported, headers):
    with tracekit.tracing.continue_trace(headers):
        handle("new")
    (trace,) = exported()
    assert trace.info.trace_id != f"tr-{REMOTE_TRACE}"
    assert trace.data.root_span.parent_id is None


def test_caller_that_did_not_sample_drops_the_whole_part(exported):
    with tracekit.tracing.continue_trace(traceparent(flags="00")):
        assert handle("dropped") == "DROPPED"
    assert exported() == []
    assert tracekit.tracing.stats().sampled_out == 1


def test_a_service_passes_the_callers_context_on_before_starting_spans():
    with tracekit.tracing.continue_trace(traceparent()):
        forwarded = tracekit.tracing.inject_context()
    assert forwarded["traceparent"].split("-")[1:3] == [REMOTE_TRACE, REMOTE_SPAN]


# --- over HTTP --------------------------------------------------------------------------------------------------------
def post(url: str, payload: dict) -> dict:
    headers = tracekit.tracing.inject_context({"Content-Type": "application/json"})
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@tracekit.trace
def ask(url: str, question: str) -> dict:
    with tracekit.start_span("call_service", span_type=SpanType.TOOL) as span:
        reply = post(url, {"question": question})
        span.set_outputs(reply)
    return reply


def assert_one_trace_across_the_call(trace: tracekit.Trace) -> None:
    spans = {span.name: span for span in trace.data.spans}
    assert set(spans) == {"ask", "call_service", "handle", "lookup"}
    assert spans["call_service"].parent_id == spans["ask"].span_id
    assert spans["handle"].parent_id == spans["call_service"].span_id
    assert spans["lookup"].parent_id == spans["handle"].span_id
    assert trace.data.root_span.name == "ask"
    assert trace.info.request_time == spans["ask"].start_time_ns // 1_000_000


def test_a_call_within_one_process_stays_in_the_callers_trace(exported):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with tracekit.tracing.continue_trace(self.headers):
                answer = handle(payload["question"])
            body = json.dumps({"answer": answer}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert ask(f"http://127.0.0.1:{server.server_address[1]}", "in") == {"answer": "IN"}
    finally:
        server.shutdown()
        server.server_close()
    (trace,) = exported()  # the callee's spans joined the caller's trace while it was still running
    assert_one_trace_across_the_call(trace)


@pytest.mark.slow
def test_two_processes_make_one_stored_trace(tmp_path):
    service = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("traced_service.py"))],
        env={**os.environ, "TRACEKIT_TRACKING_URI": tracekit.get_tracking_uri(),
             "TRACEKIT_SPILL_DIR": str(tmp_path / "service-spill")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(service.stdout.readline())
        reply = ask(f"http://127.0.0.1:{port}", "where")
    finally:
        service.terminate()
        _, errors = service.communicate(timeout=30)
    assert reply["answer"] == "WHERE", errors

    trace_id = tracekit.get_last_active_trace_id()
    assert reply["trace_id"] == trace_id  # the service saw the caller's trace id
    trace = tracekit.get_trace(trace_id)  # written by both processes, merged by the store
    assert_one_trace_across_the_call(trace)
    assert trace.info.tags["service"] == "callee"
    assert len(tracekit.search_traces(return_type="list")) == 1
