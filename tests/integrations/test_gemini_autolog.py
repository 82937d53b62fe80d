"""Google GenAI autolog, against the real `google-genai` client and the fake Gemini API on 127.0.0.1."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

import tracekit.integrations.gemini as gemini_autolog  # noqa: E402


@pytest.fixture(autouse=True)
def autologged():
    gemini_autolog.autolog()


@pytest.fixture
def client(llm_server):
    return genai.Client(api_key="test-key", http_options={"base_url": llm_server.anthropic_url})


def only_span(exported) -> tracekit.Span:
    (trace,) = exported()
    (span,) = trace.data.spans
    return span


def test_generate_content_is_a_chat_model_span_with_conversation_and_usage(client, exported):
    config = types.GenerateContentConfig(temperature=0.4, max_output_tokens=50, system_instruction="Be brief.")
    response = client.models.generate_content(model="gemini-test", contents="hello there", config=config)

    span = only_span(exported)
    assert span.name == "gemini.generate_content"
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.inputs["model"] == "gemini-test" and span.inputs["contents"] == "hello there"
    assert span.inputs["config"]["temperature"] == 0.4
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "gemini"
    assert attributes[_genai.REQUEST_MODEL] == "gemini-test"
    assert attributes["gen_ai.request.temperature"] == 0.4
    assert attributes["gen_ai.request.max_tokens"] == 50
    assert attributes[_genai.RESPONSE_MODEL] == response.model_version == "gemini-test-001"
    assert attributes[_genai.FINISH_REASONS] == ["STOP"]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello there"},
        {"role": "assistant", "content": "echo: hello there"}]
    usage = response.usage_metadata
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage.prompt_token_count,
                                              "output_tokens": usage.candidates_token_count,
                                              "total_tokens": usage.total_token_count}
    assert span.outputs["candidates"][0]["content"]["parts"][0]["text"] == response.text
    assert exported()[0].info.token_usage["total_tokens"] == usage.total_token_count


def test_multi_turn_contents_map_the_model_role_to_assistant(client, exported):
    contents = [types.Content(role="user", parts=[types.Part(text="hi")]),
                {"role": "model", "parts": [{"text": "hello"}]},
                types.Content(role="user", parts=[types.Part(text="how are you")])]
    client.models.generate_content(model="gemini-test", contents=contents)

    assert only_span(exported).attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "how are you"}, {"role": "assistant", "content": "echo: how are you"}]


def test_stream_assembles_the_text_and_usage_and_ends_when_consumed(client, exported):
    stream = client.models.generate_content_stream(model="gemini-test", contents="hello there")
    assert exported() == []
    text = "".join(chunk.text or "" for chunk in stream)

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["text"] == text
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": text}
    assert span.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 2
    assert span.attributes[_genai.FINISH_REASONS] == ["STOP"]
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


async def test_async_generate_content(client, exported):
    response = await client.aio.models.generate_content(model="gemini-test", contents="hi")

    span = only_span(exported)
    assert span.attributes[SpanAttributeKey.CHAT_MESSAGES][-1]["content"] == response.text == "echo: hi"


async def test_async_stream(client, exported):
    stream = await client.aio.models.generate_content_stream(model="gemini-test", contents="hi")
    text = "".join([chunk.text or "" async for chunk in stream])

    span = only_span(exported)
    assert text == "echo: hi"
    assert span.outputs["text"] == text


def test_api_error_marks_span_error_and_is_reraised(client, exported):
    with pytest.raises(errors.ClientError):
        client.models.generate_content(model="error-429", contents="hi",
                                       config=types.GenerateContentConfig(
                                           http_options=types.HttpOptions(retry_options=types.HttpRetryOptions(
                                               attempts=1))))

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


def test_nests_under_the_users_trace(client, exported):
    with tracekit.start_span("outer"):
        client.models.generate_content(model="gemini-test", contents="hi")

    spans = {span.name: span for span in exported()[0].data.spans}
    assert spans["gemini.generate_content"].parent_id == spans["outer"].span_id


def test_disable_removes_the_patches(client, exported):
    tracekit.gemini.autolog(disable=True)

    client.models.generate_content(model="gemini-test", contents="hi")
    assert exported() == []
    assert not gemini_autolog.is_enabled()


def test_broken_integration_never_breaks_the_call(client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot serialize")

    monkeypatch.setattr(_genai, "to_plain", broken)

    response = client.models.generate_content(model="gemini-test", contents="hi")
    chunks = list(client.models.generate_content_stream(model="gemini-test", contents="hi"))

    assert response.text == "echo: hi"
    assert len(chunks) == 3
    assert internal_warnings()  # each failing place warns once, however often it fails
    assert len(exported()) == 2


def test_function_call_is_recorded_as_tool_calls(client, exported):
    declaration = types.FunctionDeclaration(name="get_weather", description="Weather in a city")
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[declaration])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    response = client.models.generate_content(model="gemini-test", contents="weather?", config=config)

    attributes = only_span(exported).attributes
    assert response.function_calls[0].name == "get_weather"
    assert attributes[SpanAttributeKey.CHAT_TOOLS][0]["function_declarations"][0]["name"] == "get_weather"
    (call,) = attributes[SpanAttributeKey.CHAT_MESSAGES][-1]["tool_calls"]
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
