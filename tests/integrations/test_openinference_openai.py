"""A real OpenInference instrumentation (`openinference-instrumentation-openai`) around the real `openai` client,
against the fake OpenAI server: its spans, sent over OTLP to a `tracekit server` or recorded in-process with the
global provider joined, are stored as tracekit LLM spans with the conversation, tools, model and token usage."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracekit
from tracekit.constants import SpanAttributeKey
from tracekit.entities.ids import format_trace_id
from tracekit.store.backend import get_backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from server_helpers import ServerProcess  # noqa: E402

openai = pytest.importorskip("openai")
instrumentation = pytest.importorskip("openinference.instrumentation.openai")

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]


@pytest.fixture
def instrumentor():
    made = instrumentation.OpenAIInstrumentor()
    yield made
    made.uninstrument()


def converse(client) -> tuple[object, object]:
    """A plain answer, then a tool call."""
    answer = client.chat.completions.create(model="gpt-test", messages=MESSAGES, temperature=0.5)
    call = client.chat.completions.create(model="gpt-test", messages=MESSAGES, tools=[WEATHER_TOOL])
    return answer, call


def check_llm_span(span, response) -> None:
    """What tracekit made of one OpenInference chat-completion span."""
    attributes = span.attributes
    assert span.span_type == tracekit.SpanType.LLM
    assert span.inputs["messages"] == MESSAGES and span.inputs["model"] == "gpt-test"
    assert span.outputs["choices"][0]["message"]["role"] == "assistant"
    assert attributes["gen_ai.request.model"] == "gpt-test"
    assert attributes["gen_ai.response.model"] == "gpt-test-2025"
    usage = response.usage
    assert attributes[SpanAttributeKey.CHAT_TOKEN_USAGE] == {
        "input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens}
    assert attributes["llm.model_name"] == "gpt-test-2025"  # the instrumentation's own keys stay as sent


def check_conversations(spans, answer, call) -> None:
    plain, with_tool = sorted(spans, key=lambda span: span.start_time_ns)
    check_llm_span(plain, answer)
    check_llm_span(with_tool, call)
    assert plain.attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        *MESSAGES, {"role": "assistant", "content": answer.choices[0].message.content}]
    assert SpanAttributeKey.CHAT_TOOLS not in plain.attributes
    tool_call = call.choices[0].message.tool_calls[0]
    assert with_tool.attributes[SpanAttributeKey.CHAT_MESSAGES] == [*MESSAGES, {
        "role": "assistant", "content": None, "tool_calls": [{
            "id": tool_call.id, "type": "function",
            "function": {"name": "get_weather", "arguments": tool_call.function.arguments}}]}]
    assert with_tool.attributes[SpanAttributeKey.CHAT_TOOLS] == [WEATHER_TOOL]


def test_spans_sent_over_otlp_to_a_tracekit_server(tmp_path, llm_server, openai_client, instrumentor):
    uri = f"sqlite:///{tmp_path / 'server.db'}"
    server = ServerProcess(uri, tmp_path / "server.log").start()
    try:
        sent = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{server.url}/v1/traces")))
        provider.add_span_processor(SimpleSpanProcessor(sent))
        instrumentor.instrument(tracer_provider=provider)

        answer, call = converse(openai_client)

        trace_ids = [format_trace_id(span.context.trace_id) for span in sent.get_finished_spans()]
        assert len(set(trace_ids)) == 2  # each call is a trace of its own
        traces = [get_backend(server.url).traces.get_trace(trace_id) for trace_id in trace_ids]
    finally:
        server.stop()
    check_conversations([trace.data.spans[0] for trace in traces], answer, call)
    # the trace's token usage is summed from the span's counts
    assert traces[0].info.token_usage["total_tokens"] == answer.usage.total_tokens


def test_spans_recorded_in_process_with_the_global_provider_joined(fresh_global_tracer_provider, openai_client,
                                                                  instrumentor):
    tracekit.configure(use_global_tracer_provider=True)
    instrumentor.instrument()  # the global provider: tracekit's, joined at configure

    @tracekit.trace(span_type=tracekit.SpanType.AGENT)
    def agent():
        return converse(openai_client)

    answer, call = agent()
    tracekit.flush_trace_async_logging()
    trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
    root = trace.data.root_span
    assert root.name == "agent"
    check_conversations([span for span in trace.data.spans if span.parent_id == root.span_id], answer, call)
    # the token usage of both calls, once each
    assert trace.info.token_usage["total_tokens"] == answer.usage.total_tokens + call.usage.total_tokens
