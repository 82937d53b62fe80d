"""Anthropic autolog, against the real `anthropic` client and the fake server on 127.0.0.1."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

anthropic = pytest.importorskip("anthropic")
import tracekit.integrations.anthropic as anthropic_autolog  # noqa: E402

USER = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL = {"name": "get_weather", "description": "Weather in a city",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


@pytest.fixture(autouse=True)
def autologged():
    anthropic_autolog.autolog()


def only_span(exported) -> tracekit.Span:
    (trace,) = exported()
    (span,) = trace.data.spans
    return span


def test_message_is_a_chat_model_span_with_conversation_and_usage(anthropic_client, exported):
    message = anthropic_client.messages.create(model="claude-test", max_tokens=64, system="Be brief.",
                                               messages=USER, stop_sequences=["END"])

    span = only_span(exported)
    assert span.name == "anthropic.messages"
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.inputs == {"model": "claude-test", "max_tokens": 64, "system": "Be brief.", "messages": USER,
                           "stop_sequences": ["END"]}
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "anthropic"
    assert attributes[_genai.REQUEST_MODEL] == "claude-test"
    assert attributes["gen_ai.request.max_tokens"] == 64
    assert attributes["gen_ai.request.stop_sequences"] == ["END"]
    assert attributes[_genai.FINISH_REASONS] == ["end_turn"]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "Be brief."}, *USER,
        {"role": "assistant", "content": [{"type": "text", "text": "echo: hello there"}]}]
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": message.usage.input_tokens,
                                              "output_tokens": message.usage.output_tokens,
                                              "total_tokens": message.usage.input_tokens
                                              + message.usage.output_tokens}
    assert span.outputs["content"][0]["text"] == message.content[0].text


def test_tool_use_is_recorded(anthropic_client, exported):
    anthropic_client.messages.create(model="claude-test", max_tokens=64, messages=USER, tools=[WEATHER_TOOL])

    attributes = only_span(exported).attributes
    assert attributes[SpanAttributeKey.CHAT_TOOLS] == [WEATHER_TOOL]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES][-1]["content"][0]["input"] == {"city": "Paris"}


def test_stream_assembles_the_message_and_ends_when_consumed(anthropic_client, exported):
    stream = anthropic_client.messages.create(model="claude-test", max_tokens=64, messages=USER, stream=True)
    assert exported() == []
    events = list(stream)

    span = only_span(exported)
    assert events[-1].type == "message_stop"
    assert span.outputs["content"] == [{"type": "text", "text": "echo: hello there"}]
    assert span.outputs["stop_reason"] == "end_turn"
    assert span.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 3
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


def test_streamed_tool_use_input_is_parsed(anthropic_client, exported):
    with anthropic_client.messages.create(model="claude-test", max_tokens=64, messages=USER,
                                          tools=[WEATHER_TOOL], stream=True) as stream:
        for _ in stream:
            pass

    block = only_span(exported).outputs["content"][0]
    assert block["type"] == "tool_use"
    assert block["input"] == {"city": "Paris"}


@pytest.mark.parametrize(("model", "error"), [("error-429", anthropic.RateLimitError),
                                              ("error-500", anthropic.InternalServerError)])
def test_api_error_marks_span_error_and_is_reraised(anthropic_client, exported, model, error):
    with pytest.raises(error):
        anthropic_client.messages.create(model=model, max_tokens=8, messages=USER)

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


async def test_async_message(async_anthropic_client, exported):
    message = await async_anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER)

    assert only_span(exported).outputs["content"][0]["text"] == message.content[0].text


async def test_async_stream(async_anthropic_client, exported):
    stream = await async_anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER,
                                                          stream=True)
    assert isinstance(stream, anthropic.AsyncStream)
    events = [event async for event in stream]

    span = only_span(exported)
    assert len(events) > 3
    assert span.outputs["content"][0]["text"] == "echo: hello there"


def test_nests_under_the_users_trace(anthropic_client, exported):
    with tracekit.start_span("outer"):
        anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER)

    spans = {span.name: span for span in exported()[0].data.spans}
    assert spans["anthropic.messages"].parent_id == spans["outer"].span_id


def test_disable_removes_the_patches(anthropic_client, exported):
    anthropic_autolog.autolog(disable=True)

    anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER)
    assert exported() == []


def test_broken_integration_never_breaks_the_call(anthropic_client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot serialize")

    monkeypatch.setattr(_genai, "to_plain", broken)

    message = anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER)
    events = list(anthropic_client.messages.create(model="claude-test", max_tokens=8, messages=USER, stream=True))

    assert message.content[0].text == "echo: hello there"
    assert events[-1].type == "message_stop"
    assert len(internal_warnings()) == 2  # recording the response, reading stream chunks: once each
    assert len(exported()) == 2


def test_trace_token_usage_comes_from_the_message_usage(anthropic_client, exported):
    message = anthropic_client.messages.create(model="claude-test", max_tokens=64, messages=USER)

    (trace,) = exported()
    usage = message.usage
    assert trace.info.token_usage == {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                                      "total_tokens": usage.input_tokens + usage.output_tokens}
