"""tracekit's OTLP vocabulary, both directions in one place: a trace encoded to OTLP and decoded again is the same
trace, over protobuf and over OTLP JSON; spans other SDKs make under the OpenInference or GenAI conventions decode
to tracekit's span types, inputs and outputs."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from google.protobuf import json_format

import tracekit
from tracekit import SpanType
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Trace, TraceState
from tracekit.integrations import _genai
from tracekit.otlp.decode import traces_from_request
from tracekit.otlp.encode import encode_request
from tracekit.otlp.protobuf import decode_export_request

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}]


def protobuf_body(traces: list[Trace]) -> tuple[bytes, str]:
    return encode_request(traces).SerializeToString(), "application/x-protobuf"


def otlp_json_body(traces: list[Trace]) -> tuple[bytes, str]:
    """OTLP JSON as the specification writes it: protobuf's JSON mapping with hex instead of base64 ids."""
    def hex_ids(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                hex_ids(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("traceId", "spanId", "parentSpanId"):
                    node[key] = base64.b64decode(value).hex()
                else:
                    hex_ids(value)

    data = json_format.MessageToDict(encode_request(traces))
    hex_ids(data)
    return orjson.dumps(data), "application/json"


@pytest.fixture(params=[protobuf_body, otlp_json_body], ids=["protobuf", "json"])
def round_trip(request):
    """Encode traces, send them through an OTLP body of each encoding, decode them again."""

    def run(traces: list[Trace]) -> list[Trace]:
        body, content_type = request.param(traces)
        result = traces_from_request(decode_export_request(body, content_type))
        assert result.rejected_spans == 0, result.error_message
        return result.traces

    return run


@pytest.fixture
def chat_trace(exported) -> Trace:
    """A trace of an agent run inside a run and under an active model: nested spans, an event, a failed tool call,
    tags, metadata, a client request id, and a chat call recorded as the LLM integrations record it."""

    @tracekit.trace(span_type=SpanType.TOOL)
    def lookup(city: str) -> None:
        raise KeyError(city)

    @tracekit.trace(span_type=SpanType.AGENT)
    def agent(question: str) -> dict:
        tracekit.update_current_trace(tags={"env": "prod"}, metadata={"user": "alice"}, client_request_id="req-7")
        with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
            _genai.record_chat_request(span, "openai", "chat", {"model": "gpt-test", "messages": MESSAGES,
                                                                "temperature": 0.2})
            _genai.record_response_info(span, model="gpt-test-2025", response_id="resp-1", finish_reasons=["stop"])
            _genai.record_usage(span, input_tokens=12, output_tokens=3)
            span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*MESSAGES, {"role": "assistant", "content": "Paris"}])
            span.add_event("first_token", {"latency_ms": 41.5})
            span.set_outputs({"choices": [{"message": {"role": "assistant", "content": "Paris"}}]})
        try:
            lookup("Paris")
        except KeyError:
            pass
        return {"answer": "Paris"}

    tracekit.set_active_model(name="agent-v1")
    with tracekit.start_run():
        agent("Capital of France?")
    (trace,) = exported()
    return trace


def test_a_trace_survives_encode_then_decode(round_trip, chat_trace):
    (back,) = round_trip([chat_trace])
    assert back.to_dict() == chat_trace.to_dict()


def test_the_round_trip_keeps_what_the_trace_links_and_measures(round_trip, chat_trace):
    (back,) = round_trip([chat_trace])
    metadata = back.info.trace_metadata
    assert metadata[TraceMetadataKey.SOURCE_RUN] and metadata[TraceMetadataKey.MODEL_ID]
    assert (back.info.tags["env"], metadata["user"], back.info.client_request_id) == ("prod", "alice", "req-7")
    chat = back.search_spans(name="chat")[0]
    assert chat.span_type == SpanType.CHAT_MODEL
    assert chat.attributes[_genai.TOKEN_USAGE] == {"input_tokens": 12, "output_tokens": 3, "total_tokens": 15}
    assert chat.attributes["gen_ai.usage.input_tokens"] == 12
    assert chat.attributes["gen_ai.operation.name"] == "chat"
    assert chat.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": "Paris"}
    failed = back.search_spans(name="lookup")[0]
    assert failed.status.status_code == "ERROR"
    assert failed.events[0].name == "exception" and failed.events[0].attributes["exception.type"] == "KeyError"
    assert back.info.state == TraceState.OK


def test_standard_keys_the_encoder_adds_are_not_kept(round_trip, chat_trace):
    request = encode_request([chat_trace])
    sent = {span.name: {pair.key for pair in span.attributes}
            for span in request.resource_spans[0].scope_spans[0].spans}
    assert {"openinference.span.kind", "llm.token_count.total", "input.value"} <= sent["chat"]
    (back,) = round_trip([chat_trace])
    chat = back.search_spans(name="chat")[0]
    assert "openinference.span.kind" not in chat.attributes and "llm.model_name" not in chat.attributes
    assert "metadata" not in back.data.root_span.attributes


def test_a_user_attribute_named_like_a_standard_key_is_kept(round_trip, exported):
    with tracekit.start_span("custom", span_type=SpanType.LLM) as span:
        span.set_attributes({"openinference.span.kind": "CUSTOM", "metadata": "mine"})
    (trace,) = exported()
    (back,) = round_trip([trace])
    assert back.data.spans[0].attributes["openinference.span.kind"] == "CUSTOM"
    assert back.to_dict() == trace.to_dict()


def otlp_span(attributes: dict[str, Any], name: str = "call") -> bytes:
    """An OTLP JSON request with one root span another SDK made."""
    pairs = [{"key": key, "value": {"stringValue": value} if isinstance(value, str) else {"intValue": str(value)}}
             for key, value in attributes.items()]
    span = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": name,
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
            "attributes": pairs}
    return orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})


def decode_one(attributes: dict[str, Any]):
    (trace,) = traces_from_request(decode_export_request(otlp_span(attributes), "application/json")).traces
    return trace.data.spans[0]


def test_an_openinference_span_decodes_to_type_inputs_and_outputs():
    span = decode_one({"openinference.span.kind": "retriever", "input.value": '{"query": "paris"}',
                       "input.mime_type": "application/json", "output.value": "two documents",
                       "output.mime_type": "text/plain"})
    assert span.span_type == SpanType.RETRIEVER
    assert span.inputs == {"query": "paris"} and span.outputs == "two documents"
    assert span.attributes["openinference.span.kind"] == "retriever"  # a foreign span's keys stay as sent


def test_a_genai_span_decodes_to_type_inputs_and_outputs():
    span = decode_one({"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-test",
                       "gen_ai.input.messages": orjson.dumps(MESSAGES).decode(),
                       "gen_ai.output.messages": '[{"role": "assistant", "parts": []}]',
                       "gen_ai.usage.input_tokens": 12})
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.inputs == MESSAGES and span.outputs == [{"role": "assistant", "parts": []}]
    assert span.attributes["gen_ai.usage.input_tokens"] == 12


def test_a_genai_tool_span_takes_its_arguments_and_result():
    span = decode_one({"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": '{"city": "Paris"}',
                       "gen_ai.tool.call.result": "sunny"})
    assert span.span_type == SpanType.TOOL
    assert span.inputs == {"city": "Paris"} and span.outputs == "sunny"


def test_openinference_wins_over_genai_and_a_span_with_neither_is_unknown():
    both = decode_one({"openinference.span.kind": "AGENT", "gen_ai.operation.name": "chat",
                       "input.value": "hi", "gen_ai.input.messages": "[]"})
    assert both.span_type == SpanType.AGENT and both.inputs == "hi"
    assert decode_one({"http.method": "GET"}).span_type == "UNKNOWN"


# --- conversations, tools, model and token usage --------------------------------------------------------------------
def sent_attributes(trace: Trace) -> dict[str, dict[str, Any]]:
    """Each span's OTLP attributes as encoded, by span name."""
    request = json_format.MessageToDict(encode_request([trace]), preserving_proto_field_name=True)
    spans = request["resource_spans"][0]["scope_spans"][0]["spans"]
    return {span["name"]: {pair["key"]: next(iter(pair["value"].values())) for pair in span["attributes"]}
            for span in spans}


def test_a_chat_span_goes_out_with_flattened_messages_and_its_payloads_once(round_trip, chat_trace):
    sent = sent_attributes(chat_trace)["chat"]
    assert sent["llm.input_messages.0.message.role"] == "system"
    assert sent["llm.input_messages.1.message.content"] == "Capital of France?"
    assert sent["llm.output_messages.0.message.role"] == "assistant"
    assert sent["llm.output_messages.0.message.content"] == "Paris"
    assert sent["llm.model_name"] == "gpt-test-2025" and sent["gen_ai.request.model"] == "gpt-test"
    assert orjson.loads(sent["llm.invocation_parameters"]) == {"model": "gpt-test", "temperature": 0.2}
    assert sent["llm.token_count.prompt"] == "12" and sent["gen_ai.usage.output_tokens"] == "3"  # int64 as text
    # one full copy each: OpenInference's input.value / output.value, the conversation as llm.*_messages
    assert orjson.loads(sent["input.value"])["messages"] == MESSAGES
    for key in (SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS, SpanAttributeKey.CHAT_MESSAGES):
        assert key not in sent
    # decoding makes tracekit's keys of them again
    (back,) = round_trip([chat_trace])
    chat = back.search_spans(name="chat")[0]
    assert chat.inputs["messages"] == MESSAGES
    assert chat.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": "Paris"}


def test_the_span_kind_is_client_for_model_and_store_calls(chat_trace):
    request = encode_request([chat_trace])
    kinds = {span.name: span.kind for span in request.resource_spans[0].scope_spans[0].spans}
    assert kinds == {"agent": 1, "chat": 3, "lookup": 1}  # INTERNAL, CLIENT


def test_a_conversation_the_flat_keys_cannot_carry_is_sent_as_it_is(round_trip, exported):
    conversation = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None, "refusal": "no"}]
    tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        tracekit.set_span_chat_messages(span, conversation)
        tracekit.set_span_chat_tools(span, tools)
        span.set_inputs("hi")
    (trace,) = exported()
    sent = sent_attributes(trace)["chat"]
    assert SpanAttributeKey.CHAT_MESSAGES in sent  # a refusal has no OpenInference key: the original goes out
    assert SpanAttributeKey.CHAT_TOOLS not in sent and "llm.tools.0.tool.json_schema" in sent
    assert sent["input.value"] == "hi" and sent["input.mime_type"] == "text/plain"
    (back,) = round_trip([trace])
    assert back.to_dict() == trace.to_dict()


def test_an_openinference_llm_span_decodes_to_a_conversation_with_tools_usage_and_model():
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    span = decode_one({
        "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-2024", "llm.invocation_parameters":
        '{"model": "gpt-4o", "temperature": 0}', "llm.token_count.prompt": 10, "llm.token_count.completion": 4,
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.contents.0.message_content.type": "text",
        "llm.input_messages.0.message.contents.0.message_content.text": "weather?",
        "llm.input_messages.0.message.contents.1.message_content.type": "image",
        "llm.input_messages.0.message.contents.1.message_content.image.image.url": "https://x/y.png",
        "llm.input_messages.1.message.role": "tool", "llm.input_messages.1.message.content": "sunny",
        "llm.input_messages.1.message.tool_call_id": "call_0",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city": "Paris"}',
        "llm.tools.0.tool.json_schema": orjson.dumps(tool).decode()})
    assert span.span_type == SpanType.LLM
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "user", "content": [{"type": "text", "text": "weather?"},
                                     {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
        {"role": "tool", "content": "sunny", "tool_call_id": "call_0"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]}]
    assert span.attributes[SpanAttributeKey.CHAT_TOOLS] == [tool]
    assert span.attributes[SpanAttributeKey.CHAT_TOKEN_USAGE] == {"input_tokens": 10, "output_tokens": 4,
                                                                   "total_tokens": 14}
    assert (span.attributes["gen_ai.request.model"], span.attributes["gen_ai.response.model"]) == ("gpt-4o",
                                                                                                 "gpt-4o-2024")
    assert span.attributes["gen_ai.request.temperature"] == 0


def test_genai_json_messages_decode_to_a_conversation():
    inputs = [{"role": "user", "parts": [{"type": "text", "content": "add 2 and 3"}]},
              {"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "add",
                                               "arguments": {"a": 2, "b": 3}}]},
              {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": 5}]}]
    outputs = [{"role": "assistant", "parts": [{"type": "text", "content": "5"}], "finish_reason": "stop"}]
    span = decode_one({"gen_ai.operation.name": "chat", "gen_ai.request.model": "m",
                       "gen_ai.system_instructions": '[{"type": "text", "content": "Be exact."}]',
                       "gen_ai.input.messages": orjson.dumps(inputs).decode(),
                       "gen_ai.output.messages": orjson.dumps(outputs).decode(),
                       "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 1})
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "Be exact."}, {"role": "user", "content": "add 2 and 3"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a":2,"b":3}'}}]},
        {"role": "tool", "content": "5", "tool_call_id": "c1"}, {"role": "assistant", "content": "5"}]
    assert span.attributes[SpanAttributeKey.CHAT_TOKEN_USAGE] == {"input_tokens": 7, "output_tokens": 1,
                                                                   "total_tokens": 8}


def test_genai_message_events_decode_to_a_conversation():
    span = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "chat m",
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
            "attributes": [{"key": "gen_ai.system", "value": {"stringValue": "openai"}}],
            "events": [
                {"name": "gen_ai.user.message", "timeUnixNano": "1700000000000000001",
                 "attributes": [{"key": "content", "value": {"stringValue": "hello"}}]},
                {"name": "gen_ai.choice", "timeUnixNano": "1700000000000000002",
                 "attributes": [{"key": "message", "value": {"stringValue":
                                                             '{"role": "assistant", "content": "hi!"}'}},
                                {"key": "finish_reason", "value": {"stringValue": "stop"}}]}]}
    body = orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})
    (trace,) = traces_from_request(decode_export_request(body, "application/json")).traces
    (decoded,) = trace.data.spans
    assert decoded.span_type == SpanType.CHAT_MODEL
    assert decoded.attributes[SpanAttributeKey.CHAT_MESSAGES] == [{"role": "user", "content": "hello"},
                                                                  {"role": "assistant", "content": "hi!"}]


def test_conversation_keys_that_do_not_fit_are_skipped_not_fatal():
    span = decode_one({"openinference.span.kind": "LLM",
                       "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "ok",
                       "llm.input_messages.1.message.content": "no role",  # skipped
                       "llm.input_messages.x.message.role": "user",  # not an index
                       "llm.output_messages.0.message.role": "assistant",
                       "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c1",  # a call with no name
                       "llm.tools.0.tool.json_schema": "not json", "llm.token_count.prompt": "many",
                       "gen_ai.input.messages": "[[[", "gen_ai.output.messages": '{"role": "assistant"}'})
    assert span.span_type == SpanType.LLM
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES] == [{"role": "user", "content": "ok"},
                                                               {"role": "assistant", "content": ""}]
    assert SpanAttributeKey.CHAT_TOOLS not in span.attributes
    assert SpanAttributeKey.CHAT_TOKEN_USAGE not in span.attributes


def test_flattened_keys_are_listed_as_families_and_a_users_own_key_survives(round_trip, exported):
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        tracekit.set_span_chat_messages(span, [{"role": "user", "content": "hi"},
                                               {"role": "assistant", "content": "yo"}])
    with tracekit.start_span("mine", span_type=SpanType.CHAT_MODEL) as span:
        tracekit.set_span_chat_messages(span, [{"role": "user", "content": "hi"}])
        span.set_attribute("llm.input_messages.7.message.role", "mine")
    traces = exported()
    sent = {name: orjson.loads(attributes["tracekit.otlp.derivedKeys"])
            for trace in traces for name, attributes in sent_attributes(trace).items()}
    assert {"llm.input_messages.*", "llm.output_messages.*"} <= set(sent["chat"])
    assert "llm.input_messages.0.message.role" in sent["mine"] and "llm.input_messages.*" not in sent["mine"]
    back = round_trip(traces)
    assert [trace.to_dict() for trace in back] == [trace.to_dict() for trace in traces]
    assert back[1].data.spans[0].attributes["llm.input_messages.7.message.role"] == "mine"
