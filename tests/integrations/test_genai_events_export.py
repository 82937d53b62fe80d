"""An OpenAI chat call recorded by autolog reaches an OTLP collector with the GenAI message events beside the
OpenInference messages, its message text only where OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT puts it, and
a long prompt sent once across every attribute and event of the span."""

from __future__ import annotations

import json
from typing import Any

import pytest
from otlp_receivers import HttpReceiver

import tracekit
from tracekit.otlp.decode import traces_from_request
from tracekit.otlp.encode import encode_request

openai = pytest.importorskip("openai")
import tracekit.integrations.openai as openai_autolog  # noqa: E402

#: A long system prompt (a retrieved document, say): 100,000 characters no other text on the span contains.
BIG = "".join(f"Paragraph {number}: the tariff schedule applies to zone {number % 7}. " for number in range(1600))
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]


@pytest.fixture(params=["unset", "true"])
def capture(request, monkeypatch) -> str:
    if request.param != "unset":
        monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", request.param)
    return request.param


@pytest.fixture
def receiver(monkeypatch, capture):
    started = HttpReceiver()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", started.endpoint)
    tracekit.tracing.reset()  # builds the exporter, which reads the capture setting
    openai_autolog.autolog()
    yield started
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    tracekit.tracing.reset()
    started.close()


def occurrences(text: str, span: Any) -> int:
    """How many times `text` is sent in the span's attribute and event values."""
    values = [*span.attributes.values(), *(value for _, attributes in span.events for value in attributes.values())]
    return sum(value.count(text) for value in values if isinstance(value, str))


def chat_span(receiver: HttpReceiver) -> Any:
    tracekit.flush_trace_async_logging()
    (span,) = receiver.wait_for_spans(1)
    return span


def test_a_long_prompt_is_sent_once_across_attributes_and_events(receiver, capture, openai_client):
    openai_client.chat.completions.create(
        model="gpt-test", messages=[{"role": "system", "content": BIG}, {"role": "user", "content": "Summarize."}])
    span = chat_span(receiver)
    assert occurrences(BIG, span) == 1
    request = receiver.requests[0].SerializeToString()
    assert request.count(BIG.encode()) == 1
    assert len(request) < len(BIG) + 8_000  # everything else on the span is small
    system_event = dict(span.events)["gen_ai.system.message"]
    if capture == "true":  # the events carry the text; the OpenInference message points at them
        assert system_event["content"] == BIG
        assert span.attributes["llm.input_messages.0.message.content"] == "[sent once: see event 0 content]"
    else:
        assert "content" not in system_event
        assert span.attributes["llm.input_messages.0.message.content"] == BIG
    assert json.loads(span.attributes["input.value"])["messages"][0]["content"].startswith("[sent once: see ")


def test_the_message_events_follow_the_conversation(receiver, capture, openai_client):
    openai_client.chat.completions.create(model="gpt-test", tools=TOOLS, messages=[
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": '{"c": "P"}'}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": "sunny"},
        {"role": "user", "content": "And tomorrow?"}])
    span = chat_span(receiver)
    assert span.kind == 3  # CLIENT
    assert [name for name, _ in span.events] == [
        "gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message",
        "gen_ai.user.message", "gen_ai.choice"]
    system, user, assistant, tool, _, choice = (attributes for _, attributes in span.events)
    assert {event["gen_ai.system"] for _, event in span.events} == {"openai"}
    assert tool["id"] == "call_0"
    assert choice["index"] == 0 and choice["finish_reason"] == "tool_calls"
    answer = json.loads(choice["message"])
    (call,) = answer["tool_calls"]
    assert (call["id"], call["function"]["name"]) == ("call_1", "get_weather")
    (asked,) = json.loads(assistant["tool_calls"])
    assert asked["id"] == "call_0" and asked["function"]["name"] == "get_weather"
    if capture == "true":
        assert (system["content"], user["content"], tool["content"]) == ("Be brief.", "Weather in Paris?", "sunny")
        assert asked["function"]["arguments"] == '{"c": "P"}'
        assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    else:  # the shape of the conversation only: no text, no tool arguments
        assert all("content" not in event for event in (system, user, tool)) and "content" not in answer
        assert "arguments" not in asked["function"] and "arguments" not in call["function"]
    # the OpenInference messages are there too, under the same span
    assert span.attributes["llm.input_messages.3.message.tool_call_id"] == "call_0"
    assert span.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] == "get_weather"


def test_a_span_sent_once_decodes_to_the_trace_as_recorded(capture, openai_client, exported):
    openai_autolog.autolog()
    openai_client.chat.completions.create(
        model="gpt-test", messages=[{"role": "system", "content": BIG}, {"role": "user", "content": "Summarize."}])
    (trace,) = exported()
    request = encode_request([trace])
    assert request.SerializeToString().count(BIG.encode()) == 1
    (back,) = traces_from_request(request).traces
    (sent,), (span,) = trace.data.spans, back.data.spans
    # the texts back in place, the added events gone (the conversation's JSON may list a message's keys in another
    # order: its OpenInference keys carried it)
    assert span.attributes == sent.attributes and span.events == sent.events == []
    assert span.inputs["messages"][0]["content"] == BIG
