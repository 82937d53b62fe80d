"""LiteLLM autolog, against the real `litellm` package calling the fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

litellm = pytest.importorskip("litellm")
import tracekit.integrations.litellm as litellm_autolog  # noqa: E402

USER = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}


@pytest.fixture(autouse=True)
def autologged():
    litellm_autolog.autolog()


@pytest.fixture
def server_args(llm_server):
    return {"api_base": llm_server.openai_url, "api_key": "secret-key", "max_retries": 0}


def only_span(exported) -> tracekit.Span:
    (trace,) = exported()
    (span,) = trace.data.spans
    return span


def test_completion_is_a_chat_model_span_with_conversation_usage_and_no_api_key(server_args, exported):
    response = litellm.completion(model="openai/gpt-test", messages=USER, temperature=0.2, **server_args)

    span = only_span(exported)
    assert span.name == "litellm.completion"
    assert span.span_type == SpanType.CHAT_MODEL
    assert "api_key" not in span.inputs and "secret-key" not in str(span.inputs)
    assert span.inputs["messages"] == USER and span.inputs["model"] == "openai/gpt-test"
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "litellm"
    assert attributes[_genai.REQUEST_MODEL] == "openai/gpt-test"
    assert attributes["gen_ai.request.temperature"] == 0.2
    assert attributes[litellm_autolog.PROVIDER] == "openai"
    assert attributes[_genai.RESPONSE_MODEL] == response.model
    assert attributes[_genai.FINISH_REASONS] == ["stop"]
    messages = attributes[SpanAttributeKey.CHAT_MESSAGES]
    assert messages[:-1] == USER
    assert messages[-1]["role"] == "assistant" and messages[-1]["content"] == "echo: hello there"
    usage = response.usage
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage.prompt_tokens,
                                              "output_tokens": usage.completion_tokens,
                                              "total_tokens": usage.total_tokens}
    assert span.outputs["choices"][0]["message"]["content"] == "echo: hello there"
    assert exported()[0].info.token_usage["total_tokens"] == usage.total_tokens


def test_positional_model_and_messages_are_recorded(server_args, exported):
    litellm.completion("openai/gpt-test", USER, **server_args)

    span = only_span(exported)
    assert span.inputs["messages"] == USER
    assert span.attributes[_genai.REQUEST_MODEL] == "openai/gpt-test"


def test_tools_are_recorded(server_args, exported):
    litellm.completion(model="openai/gpt-test", messages=USER, tools=[WEATHER_TOOL], **server_args)

    attributes = only_span(exported).attributes
    assert attributes[SpanAttributeKey.CHAT_TOOLS] == [WEATHER_TOOL]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES][-1]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_stream_assembles_the_reply_and_ends_when_consumed(server_args, exported):
    stream = litellm.completion(model="openai/gpt-test", messages=USER, stream=True,
                                stream_options={"include_usage": True}, **server_args)
    assert exported() == []
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["choices"][0]["message"]["content"] == text
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": text}
    assert span.attributes[_genai.TOKEN_USAGE]["output_tokens"] > 0
    assert span.attributes[litellm_autolog.PROVIDER] == "openai"
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


async def test_acompletion(server_args, exported):
    response = await litellm.acompletion(model="openai/gpt-test", messages=USER, **server_args)

    span = only_span(exported)
    assert span.name == "litellm.completion"
    assert span.outputs["choices"][0]["message"]["content"] == response.choices[0].message.content


async def test_acompletion_stream(server_args, exported):
    stream = await litellm.acompletion(model="openai/gpt-test", messages=USER, stream=True, **server_args)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["choices"][0]["message"]["content"] == text


def test_embedding_is_an_embedding_span_with_a_summary(server_args, exported):
    response = litellm.embedding(model="openai/emb-test", input=["a", "b"], **server_args)

    span = only_span(exported)
    assert span.name == "litellm.embedding"
    assert span.span_type == SpanType.EMBEDDING
    assert span.inputs["input"] == ["a", "b"] and "api_key" not in span.inputs
    assert span.outputs == {"model": response.model, "count": 2, "dimensions": [4]}
    assert span.attributes[_genai.TOKEN_USAGE]["input_tokens"] == response.usage.prompt_tokens


async def test_aembedding(server_args, exported):
    await litellm.aembedding(model="openai/emb-test", input=["a"], **server_args)

    assert only_span(exported).outputs["count"] == 1


def test_api_error_marks_span_error_and_is_reraised(server_args, exported):
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(model="openai/error-429", messages=USER, **server_args)

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


def test_nests_under_the_users_trace(server_args, exported):
    with tracekit.start_span("outer"):
        litellm.completion(model="openai/gpt-test", messages=USER, **server_args)

    spans = {span.name: span for span in exported()[0].data.spans}
    assert spans["litellm.completion"].parent_id == spans["outer"].span_id


def test_disable_removes_the_patches(server_args, exported):
    litellm_autolog.autolog(disable=True)

    litellm.completion(model="openai/gpt-test", messages=USER, **server_args)
    assert exported() == []
    assert not litellm_autolog.is_enabled()


def test_package_entry_point_and_tracekit_autolog_turn_it_on():
    litellm_autolog.autolog(disable=True)
    tracekit.litellm.autolog()
    assert litellm_autolog.is_enabled()
    tracekit.autolog(disable=True)
    assert not litellm_autolog.is_enabled()
    assert "litellm" in tracekit.autolog()


def test_broken_integration_never_breaks_the_call(server_args, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot serialize")

    monkeypatch.setattr(_genai, "to_plain", broken)

    response = litellm.completion(model="openai/gpt-test", messages=USER, **server_args)
    chunks = list(litellm.completion(model="openai/gpt-test", messages=USER, stream=True,
                                     stream_options={"include_usage": True}, **server_args))

    assert response.choices[0].message.content == "echo: hello there"
    assert len(chunks) > 2
    assert len(internal_warnings()) == 2  # recording the response, recording the streamed response
    assert len(exported()) == 2
