"""Mistral autolog, against the real `mistralai` client and the fake server on 127.0.0.1 (Mistral's chat API has
the OpenAI chat-completions shape, which the fake server speaks)."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

pytest.importorskip("mistralai")
try:
    from mistralai.client import Mistral
    from mistralai.client.errors import SDKError
except ImportError:  # mistralai 1.x
    from mistralai import Mistral, SDKError

import tracekit.integrations.mistral as mistral_autolog  # noqa: E402

USER = [{"role": "user", "content": "hello there"}]


@pytest.fixture(autouse=True)
def autologged():
    mistral_autolog.autolog()


@pytest.fixture
def client(llm_server):
    return Mistral(api_key="test-key", server_url=llm_server.anthropic_url)  # the server's root URL


def only_span(exported) -> tracekit.Span:
    (trace,) = exported()
    (span,) = trace.data.spans
    return span


def test_complete_is_a_chat_model_span_with_conversation_and_usage(client, exported):
    response = client.chat.complete(model="mistral-test", messages=USER, temperature=0.3, max_tokens=32)

    span = only_span(exported)
    assert span.name == "mistral.chat"
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.inputs == {"model": "mistral-test", "messages": USER, "temperature": 0.3, "max_tokens": 32}
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "mistral_ai"
    assert attributes[_genai.REQUEST_MODEL] == "mistral-test"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes[_genai.RESPONSE_MODEL] == response.model
    assert attributes[_genai.FINISH_REASONS] == ["stop"]
    messages = attributes[SpanAttributeKey.CHAT_MESSAGES]
    assert messages[:-1] == USER
    assert messages[-1]["role"] == "assistant" and messages[-1]["content"] == "echo: hello there"
    usage = response.usage
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage.prompt_tokens,
                                              "output_tokens": usage.completion_tokens,
                                              "total_tokens": usage.total_tokens}
    assert exported()[0].info.token_usage["total_tokens"] == usage.total_tokens


def test_stream_assembles_the_reply_and_ends_when_consumed(client, exported):
    stream = client.chat.stream(model="mistral-test", messages=USER)
    assert exported() == []
    text = "".join(event.data.choices[0].delta.content for event in stream
                   if isinstance(event.data.choices[0].delta.content, str))

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["choices"] == [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": text}}]
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": text}
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


def test_stream_closed_early_still_ends_the_span(client, exported):
    with client.chat.stream(model="mistral-test", messages=USER) as stream:
        next(iter(stream))

    assert only_span(exported).name == "mistral.chat"


async def test_complete_async(client, exported):
    response = await client.chat.complete_async(model="mistral-test", messages=USER)

    span = only_span(exported)
    assert span.outputs["choices"][0]["message"]["content"] == response.choices[0].message.content
    assert span.attributes[_genai.TOKEN_USAGE]["total_tokens"] == response.usage.total_tokens


async def test_stream_async(client, exported):
    stream = await client.chat.stream_async(model="mistral-test", messages=USER)
    text = "".join([event.data.choices[0].delta.content async for event in stream
                    if isinstance(event.data.choices[0].delta.content, str)])

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["choices"][0]["message"]["content"] == text


def test_api_error_marks_span_error_and_is_reraised(client, exported):
    with pytest.raises(SDKError):
        client.chat.complete(model="error-500", messages=USER)

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


def test_disable_removes_the_patches(client, exported):
    tracekit.mistral.autolog(disable=True)

    client.chat.complete(model="mistral-test", messages=USER)
    assert exported() == []
    assert not mistral_autolog.is_enabled()


def test_broken_integration_never_breaks_the_call(client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot serialize")

    monkeypatch.setattr(_genai, "to_plain", broken)

    response = client.chat.complete(model="mistral-test", messages=USER)
    events = list(client.chat.stream(model="mistral-test", messages=USER))

    assert response.choices[0].message.content == "echo: hello there"
    assert len(events) > 2
    assert len(internal_warnings()) == 2  # each failing place warns once, however often it fails
    assert len(exported()) == 2


def test_embeddings_are_an_embedding_span_with_a_summary(client, exported):
    response = client.embeddings.create(model="mistral-embed", inputs=["a", "b"])

    span = only_span(exported)
    assert span.name == "mistral.embeddings"
    assert span.span_type == SpanType.EMBEDDING
    assert span.inputs == {"model": "mistral-embed", "inputs": ["a", "b"]}
    assert span.outputs == {"model": response.model, "count": 2, "dimensions": [4]}
    assert span.attributes[_genai.TOKEN_USAGE]["input_tokens"] == response.usage.prompt_tokens


async def test_embeddings_async(client, exported):
    await client.embeddings.create_async(model="mistral-embed", inputs=["a"])

    assert only_span(exported).outputs["count"] == 1
