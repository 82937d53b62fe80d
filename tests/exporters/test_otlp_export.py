"""OTLP export switched on by the standard OTEL_* variables, into real receivers over HTTP/protobuf and gRPC."""

from __future__ import annotations

import json
import logging

import pytest
from otlp_receivers import HttpReceiver, free_port
from waiting import wait_until

import tracekit
from tracekit import SpanType

ERROR = 2  # Status.STATUS_CODE_ERROR in the protobuf
CLIENT_KIND = 3  # Span.SPAN_KIND_CLIENT
INTERNAL_KIND = 1  # Span.SPAN_KIND_INTERNAL


@tracekit.trace(span_type=SpanType.CHAIN)
def answer(question: str) -> str:
    tracekit.update_current_trace(tags={"env": "test"}, metadata={"team": "search"})
    with tracekit.start_span("retrieve", span_type=SpanType.RETRIEVER) as span:
        span.set_inputs({"query": question})
        span.add_event("cache_miss", {"key": question, "shard": 3})
        span.set_outputs(["doc-1", "doc-2"])
    try:
        failing(question)
    except ValueError:
        pass
    return "forty-two"


@tracekit.trace
def failing(question: str) -> None:
    raise ValueError(f"no answer to {question}")


def test_spans_arrive_intact(protocol, receiver, export_to):
    export_to(receiver.endpoint, protocol, OTEL_SERVICE_NAME="answer-service",
              OTEL_RESOURCE_ATTRIBUTES="deployment.environment=test,team=search",
              OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20secret,x-tenant=acme")
    assert answer("life") == "forty-two"
    tracekit.flush_trace_async_logging()
    local = tracekit.get_last_active_trace()

    received = {span.name: span for span in receiver.wait_for_spans(3)}
    assert set(received) == {"answer", "retrieve", "failing"}
    root, retrieve, failed = received["answer"], received["retrieve"], received["failing"]
    # ids and parentage are tracekit's own
    assert {span.trace_id for span in received.values()} == {local.info.trace_id[3:]}
    local_ids = {span.name: span.span_id for span in local.data.spans}
    assert {name: span.span_id for name, span in received.items()} == local_ids
    assert root.parent_span_id == ""
    assert retrieve.parent_span_id == failed.parent_span_id == root.span_id
    # tracekit's attributes as stored, and the standard keys beside them; a payload goes out once, as
    # OpenInference's input.value / output.value (decoding makes tracekit's key of it again)
    assert json.loads(retrieve.attributes["input.value"]) == {"query": "life"}
    assert "tracekit.spanInputs" not in retrieve.attributes and "tracekit.spanOutputs" not in root.attributes
    assert retrieve.kind == CLIENT_KIND and root.kind == INTERNAL_KIND
    assert json.loads(retrieve.attributes["tracekit.spanType"]) == "RETRIEVER"
    assert retrieve.attributes["openinference.span.kind"] == "RETRIEVER"
    assert json.loads(retrieve.attributes["output.value"]) == ["doc-1", "doc-2"]
    assert retrieve.attributes["output.mime_type"] == "application/json"
    assert root.attributes["output.value"] == "forty-two"
    assert root.attributes["output.mime_type"] == "text/plain"
    assert root.attributes["openinference.span.kind"] == "CHAIN"
    # events and status
    assert retrieve.events == [("cache_miss", {"key": "life", "shard": 3})]
    assert failed.status_code == ERROR and "no answer to life" in failed.status_message
    (event_name, event_attributes), = failed.events
    assert event_name == "exception" and event_attributes["exception.type"] == "ValueError"
    # trace-level data on the root span
    assert root.attributes["tracekit.trace.id"] == local.info.trace_id
    assert json.loads(root.attributes["tracekit.trace.tags"])["env"] == "test"
    assert json.loads(root.attributes["tracekit.trace.metadata"])["team"] == "search"
    assert "tracekit.trace.id" not in retrieve.attributes
    # resource and headers from the standard variables
    assert root.resource["service.name"] == "answer-service"
    assert root.resource["deployment.environment"] == "test" and root.resource["team"] == "search"
    assert root.scope == "tracekit"
    headers = receiver.headers[0]
    assert headers["authorization"] == "Bearer secret" and headers["x-tenant"] == "acme"
    # OTLP replaces the tracking store unless dual export is on
    stats = tracekit.tracing.stats()
    assert (stats.completed, stats.exported, stats.spilled, stats.dropped) == (1, 1, 0, 0)
    assert tracekit.search_traces(return_type="list") == []


def test_dual_export_sends_to_otlp_and_the_store(receiver, protocol, export_to):
    export_to(receiver.endpoint, protocol, TRACEKIT_ENABLE_DUAL_EXPORT="true")
    answer("dual")
    trace_id = tracekit.get_last_active_trace_id()
    stored = tracekit.get_trace(trace_id)
    assert [span.name for span in stored.data.spans] == ["retrieve", "failing", "answer"]
    assert {span.trace_id for span in receiver.wait_for_spans(3)} == {trace_id[3:]}
    assert tracekit.tracing.stats().exported == 2  # once per destination


def test_base_endpoint_gets_the_traces_path(monkeypatch, export_to):
    receiver = HttpReceiver()
    try:
        export_to("")
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.base_endpoint)
        tracekit.tracing.reset()
        answer("base")
        assert len(receiver.wait_for_spans(3)) == 3
        assert receiver.paths == ["/v1/traces"]
    finally:
        tracekit.tracing.reset()
        receiver.close()


def test_llm_spans_carry_genai_and_openinference_keys(export_to):
    receiver = HttpReceiver()
    try:
        export_to(receiver.endpoint)
        with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
            span.set_inputs({"messages": [{"role": "user", "content": "hi"}]})
            span.set_attributes({"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
                                 "gen_ai.request.temperature": 0.2, "tracekit.chat.tokenUsage":
                                 {"input_tokens": 12, "output_tokens": 5, "total_tokens": 17}})
            span.set_outputs("hello")
        with tracekit.start_span("lookup_weather", span_type=SpanType.TOOL):
            pass
        spans = {span.name: span for span in receiver.wait_for_spans(2)}
    finally:
        tracekit.tracing.reset()
        receiver.close()
    chat = spans["chat"].attributes
    assert chat["gen_ai.operation.name"] == "chat"
    assert chat["gen_ai.request.model"] == "gpt-4o-mini"  # a plain string, not tracekit's JSON text
    assert chat["gen_ai.request.temperature"] == 0.2
    assert (chat["gen_ai.usage.input_tokens"], chat["gen_ai.usage.output_tokens"]) == (12, 5)
    assert chat["openinference.span.kind"] == "LLM"
    assert chat["llm.model_name"] == "gpt-4o-mini" and chat["llm.system"] == "openai"
    assert (chat["llm.token_count.prompt"], chat["llm.token_count.completion"],
            chat["llm.token_count.total"]) == (12, 5, 17)
    assert json.loads(chat["input.value"]) == {"messages": [{"role": "user", "content": "hi"}]}
    assert chat["input.mime_type"] == "application/json"
    tool = spans["lookup_weather"].attributes
    assert (tool["openinference.span.kind"], tool["gen_ai.operation.name"], tool["tool.name"]) == \
        ("TOOL", "execute_tool", "lookup_weather")


# --- the collector down or slow ---------------------------------------------------------------------------------------
def test_collector_down_traces_are_spilled_then_replayed(protocol, export_to):
    port = free_port()
    export_to(f"http://127.0.0.1:{port}" + ("/v1/traces" if protocol == "http/protobuf" else ""), protocol)
    results = [answer(f"q{i}") for i in range(5)]
    assert results == ["forty-two"] * 5  # the application goes on as if nothing were wrong
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert (stats.completed, stats.exported, stats.spilled, stats.dropped) == (5, 0, 5, 0)

    from otlp_receivers import GrpcReceiver

    receiver = HttpReceiver(port) if protocol == "http/protobuf" else GrpcReceiver(port)
    try:
        answer("after")  # wakes the export worker, which probes the collector and replays what it kept
        assert wait_until(lambda: len({span.trace_id for span in receiver.spans()}) == 6, timeout=10)
        # The worker counts a replayed batch once its export returned, a moment after the receiver has it.
        assert wait_until(lambda: tracekit.tracing.stats().replayed >= 5, timeout=10)
        assert tracekit.tracing.stats().dropped == 0
    finally:
        tracekit.tracing.reset()
        receiver.close()


def test_a_stalled_collector_does_not_hold_up_traced_calls(export_to):
    receiver = HttpReceiver()
    receiver.gate.clear()  # the collector takes requests but does not answer them
    try:
        export_to(receiver.endpoint, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="10")
        first = answer("one")
        assert receiver.arrived.wait(5)  # the export of the first trace is now stuck in the collector...
        results = [first] + [answer(f"q{i}") for i in range(3)]
        # ...and the traced calls returned regardless, with nothing exported yet
        assert results == ["forty-two"] * 4
        assert tracekit.tracing.stats().exported == 0
        receiver.gate.set()
        tracekit.flush_trace_async_logging()
        assert tracekit.tracing.stats().exported == 4
        assert len({span.trace_id for span in receiver.wait_for_spans(12)}) == 4
    finally:
        receiver.gate.set()
        tracekit.tracing.reset()
        receiver.close()


# --- bad configuration ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("variable", "value"), [
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "localhost:4318"),
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:99999/v1/traces"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector"),
    ("OTEL_EXPORTER_OTLP_HEADERS", "authorization"),
    ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "bad header=1"),
])
def test_malformed_variable_is_named_and_the_store_keeps_working(monkeypatch, caplog, variable, value):
    if "HEADERS" in variable:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"http://127.0.0.1:{free_port()}/v1/traces")
    monkeypatch.setenv(variable, value)
    with caplog.at_level(logging.WARNING):
        tracekit.tracing.reset()
    assert any(variable in record.getMessage() for record in caplog.records)
    answer("still stored")
    trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
    assert trace is not None and trace.data.root_span.name == "answer"


def test_unknown_protocol_falls_back_to_http(monkeypatch, caplog, export_to):
    receiver = HttpReceiver()
    try:
        with caplog.at_level(logging.WARNING):
            export_to(receiver.endpoint, "http/json")
        assert any("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" in record.getMessage() for record in caplog.records)
        answer("fallback")
        assert len(receiver.wait_for_spans(3)) == 3
    finally:
        tracekit.tracing.reset()
        receiver.close()
