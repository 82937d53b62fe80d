"""Joining OpenTelemetry's global TracerProvider: spans of a real instrumentation package (httpx) nest under tracekit
spans and are stored in the same trace, and tracekit spans nest under the application's."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry import trace as trace_api
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracekit
from tracekit.constants import SpanAttributeKey


class EchoServer:
    """A JSON server on 127.0.0.1 that records the headers of each request."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.headers.append({key.lower(): value for key, value in self.headers.items()})
                body = json.dumps({"path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def echo_server():
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def no_global_provider(fresh_global_tracer_provider):
    """Each test starts with no global provider set and httpx uninstrumented."""
    yield
    HTTPXClientInstrumentor().uninstrument()


def stored_trace() -> tracekit.Trace:
    return tracekit.get_trace(tracekit.get_last_active_trace_id())


def spans_by_name(trace: tracekit.Trace) -> dict[str, tracekit.Span]:
    return {span.name: span for span in trace.data.spans}


def test_httpx_spans_nest_under_tracekit_spans_and_are_stored(echo_server):
    tracekit.configure(use_global_tracer_provider=True)
    HTTPXClientInstrumentor().instrument()

    @tracekit.trace
    def fetch(path: str) -> dict:
        with httpx.Client() as client:
            return client.get(echo_server.url + path).json()

    assert fetch("/items") == {"path": "/items"}

    trace = stored_trace()
    spans = spans_by_name(trace)
    assert set(spans) == {"fetch", "GET"}
    http_span = spans["GET"]
    assert http_span.parent_id == spans["fetch"].span_id
    assert trace.data.root_span.name == "fetch"
    assert http_span.get_attribute(SpanAttributeKey.OTEL_SPAN_KIND) == "CLIENT"
    assert http_span.get_attribute(SpanAttributeKey.OTEL_SCOPE).startswith("opentelemetry.instrumentation.httpx")
    status = {key: value for key, value in http_span.attributes.items() if key.endswith("status_code")}
    assert status and set(status.values()) == {200}
    # the instrumentation propagated the context it saw: tracekit's trace, its own span
    version, trace_id, parent_id, flags = echo_server.headers[-1]["traceparent"].split("-")
    assert (trace_id, parent_id) == (trace.info.trace_id[3:], http_span.span_id)
    assert int(flags, 16) & 1  # sampled
    # with no provider set by the application, tracekit installed its own as the global one
    assert isinstance(trace_api.get_tracer_provider(), TracerProvider)


def test_async_httpx_calls_nest_under_their_own_tasks_spans(echo_server, monkeypatch):
    monkeypatch.setenv("TRACEKIT_USE_GLOBAL_TRACER_PROVIDER", "true")
    tracekit.tracing.reset()
    HTTPXClientInstrumentor().instrument()

    @tracekit.trace
    async def fetch(client: httpx.AsyncClient, path: str) -> dict:
        return (await client.get(echo_server.url + path)).json()

    @tracekit.trace
    async def fan_out() -> list:
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(fetch(client, "/a"), fetch(client, "/b"))

    assert asyncio.run(fan_out()) == [{"path": "/a"}, {"path": "/b"}]
    trace = stored_trace()
    by_id = {span.span_id: span for span in trace.data.spans}
    requests = [span for span in trace.data.spans if span.name == "GET"]
    assert len(requests) == 2
    assert [by_id[span.parent_id].name for span in requests] == ["fetch", "fetch"]
    assert len({span.parent_id for span in requests}) == 2  # each under its own task's span
    assert {by_id[span.parent_id].parent_id for span in requests} == {trace.data.root_span.span_id}


def test_the_applications_provider_is_joined(echo_server):
    app_exporter = InMemorySpanExporter()
    app_provider = TracerProvider()
    app_provider.add_span_processor(SimpleSpanProcessor(app_exporter))
    trace_api.set_tracer_provider(app_provider)
    app_tracer = trace_api.get_tracer("app")
    tracekit.configure(use_global_tracer_provider=True)
    HTTPXClientInstrumentor().instrument()

    @tracekit.trace
    def handle() -> dict:
        with app_tracer.start_as_current_span("app-step"):
            return httpx.get(echo_server.url + "/x").json()

    with app_tracer.start_as_current_span("request"):
        handle()

    spans = spans_by_name(stored_trace())
    assert set(spans) == {"request", "handle", "app-step", "GET"}
    assert spans["handle"].parent_id == spans["request"].span_id  # tracekit's span under the application's
    assert spans["app-step"].parent_id == spans["handle"].span_id
    assert spans["GET"].parent_id == spans["app-step"].span_id
    # and the application's own exporter got every span too, tracekit's included
    assert {span.name for span in app_exporter.get_finished_spans()} == set(spans)
    assert trace_api.get_tracer_provider() is app_provider


def test_leaving_join_mode_keeps_instrumentation_out_again(echo_server):
    tracekit.configure(use_global_tracer_provider=True)
    HTTPXClientInstrumentor().instrument()
    tracekit.configure(use_global_tracer_provider=False)

    @tracekit.trace
    def fetch() -> dict:
        return httpx.get(echo_server.url + "/y").json()

    fetch()
    assert set(spans_by_name(stored_trace())) == {"fetch"}
    assert "traceparent" not in echo_server.headers[-1] or \
        stored_trace().info.trace_id[3:] not in echo_server.headers[-1]["traceparent"]


def test_a_sampled_out_trace_drops_its_instrumentation_spans_too(echo_server):
    tracekit.configure(use_global_tracer_provider=True, sampling_ratio=0.0)
    HTTPXClientInstrumentor().instrument()

    @tracekit.trace
    def fetch() -> dict:
        return httpx.get(echo_server.url + "/z").json()

    assert fetch() == {"path": "/z"}
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert (stats.sampled_out, stats.completed, stats.late_spans) == (1, 1, 0)
    assert tracekit.search_traces(return_type="list") == []
    flags = echo_server.headers[-1]["traceparent"].split("-")[3]
    assert not int(flags, 16) & 1  # the callee is told not to record either


def test_a_continued_trace_takes_instrumentation_spans_along(echo_server):
    tracekit.configure(use_global_tracer_provider=True)
    HTTPXClientInstrumentor().instrument()
    remote_trace, remote_span = "12" * 16, "34" * 8

    @tracekit.trace
    def handle() -> dict:
        return httpx.get(echo_server.url + "/continued").json()

    with tracekit.tracing.continue_trace({"traceparent": f"00-{remote_trace}-{remote_span}-01"}):
        handle()
        httpx.get(echo_server.url + "/direct")  # an instrumentation span right under the remote caller

    trace = tracekit.get_trace(f"tr-{remote_trace}")
    by_id = {span.span_id: span for span in trace.data.spans}
    names = sorted((span.name, by_id[span.parent_id].name if span.parent_id in by_id else span.parent_id)
                   for span in trace.data.spans)
    assert names == sorted([("GET", "handle"), ("GET", remote_span), ("handle", remote_span)])



@pytest.mark.parametrize("how", ["configure", "environment"])
def test_joining_is_eager_so_instrumentation_spans_before_the_first_tracekit_span_are_kept(
        echo_server, monkeypatch, how):
    if how == "configure":
        tracekit.configure(use_global_tracer_provider=True)
    else:
        monkeypatch.setenv("TRACEKIT_USE_GLOBAL_TRACER_PROVIDER", "true")
        tracekit.tracing.reset()  # re-reads the variable as `import tracekit` does
    HTTPXClientInstrumentor().instrument()

    # no tracekit span has started yet: the request's own span is the root of a trace tracekit records
    assert httpx.get(echo_server.url + "/early").json() == {"path": "/early"}
    tracekit.flush_trace_async_logging()
    (trace,) = tracekit.search_traces(return_type="list")
    (span,) = trace.data.spans
    assert span.name == "GET"
    assert {value for key, value in span.attributes.items() if key.endswith("status_code")} == {200}
    assert isinstance(trace_api.get_tracer_provider(), TracerProvider)


def test_a_genai_instrumentation_span_recorded_in_process_reads_as_a_chat_span():
    tracekit.configure(use_global_tracer_provider=True)
    tracer = trace_api.get_tracer("some.genai.instrumentation")
    with tracer.start_as_current_span("chat gpt-test", kind=trace_api.SpanKind.CLIENT) as span:
        span.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-test",
                             "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 2})
        span.add_event("gen_ai.user.message", {"content": "hello"})
        span.add_event("gen_ai.choice", {"index": 0, "message": '{"role": "assistant", "content": "hi!"}'})
    tracekit.flush_trace_async_logging()
    (trace,) = tracekit.search_traces(return_type="list")
    (chat,) = trace.data.spans
    assert chat.span_type == tracekit.SpanType.CHAT_MODEL
    assert chat.attributes[SpanAttributeKey.CHAT_MESSAGES] == [{"role": "user", "content": "hello"},
                                                               {"role": "assistant", "content": "hi!"}]
    assert trace.info.token_usage == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    assert chat.attributes["gen_ai.request.model"] == "gpt-test"  # the instrumentation's keys as they were


CHILD = """
import sys
import httpx
import tracekit  # the variable makes this import join the global provider
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

HTTPXClientInstrumentor().instrument()
assert httpx.get(sys.argv[1] + "/first").json() == {"path": "/first"}  # the process's first span: no tracekit one
tracekit.flush_trace_async_logging()
"""


@pytest.mark.parametrize("variable", ["TRACEKIT_USE_GLOBAL_PROVIDER", "TRACEKIT_USE_GLOBAL_TRACER_PROVIDER"])
def test_the_variable_joins_at_import_so_a_first_instrumentation_span_is_stored(echo_server, tmp_path, variable):
    uri = f"sqlite:///{tmp_path / 'child.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TRACEKIT_USE_GLOBAL", "OTEL_"))}
    env.update({variable: "true", "TRACEKIT_TRACKING_URI": uri})
    child = subprocess.run([sys.executable, "-c", CHILD, echo_server.url], env=env, capture_output=True, text=True,
                           timeout=120)
    assert child.returncode == 0, child.stderr
    tracekit.set_tracking_uri(uri)
    (trace,) = tracekit.search_traces(return_type="list")
    (span,) = trace.data.spans
    assert span.name == "GET"
    assert span.get_attribute(SpanAttributeKey.OTEL_SCOPE).startswith("opentelemetry.instrumentation.httpx")
    assert {value for key, value in span.attributes.items() if key.endswith("status_code")} == {200}
