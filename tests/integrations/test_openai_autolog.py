"""OpenAI autolog, against the real `openai` client and the fake server on 127.0.0.1."""

from __future__ import annotations

import pytest
import wrapt

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

openai = pytest.importorskip("openai")
import tracekit.integrations.openai as openai_autolog  # noqa: E402

USER = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                                 "parameters": {"type": "object",
                                                                "properties": {"city": {"type": "string"}}}}}


@pytest.fixture(autouse=True)
def autologged():
    openai_autolog.autolog()


def only_span(exported) -> tracekit.Span:
    traces = exported()
    assert len(traces) == 1
    assert len(traces[0].data.spans) == 1
    return traces[0].data.spans[0]


def test_chat_completion_is_a_chat_model_span_with_request_response_and_usage(openai_client, exported):
    response = openai_client.chat.completions.create(model="gpt-test", messages=USER, temperature=0.3,
                                                     max_tokens=50)

    span = only_span(exported)
    assert span.name == "openai.chat.completions"
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.status.status_code == SpanStatusCode.OK
    assert span.inputs == {"model": "gpt-test", "messages": USER, "temperature": 0.3, "max_tokens": 50}
    assert span.outputs["choices"][0]["message"]["content"] == response.choices[0].message.content
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "openai"
    assert attributes[_genai.REQUEST_MODEL] == "gpt-test"
    assert attributes[_genai.RESPONSE_MODEL] == "gpt-test-2025"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.request.max_tokens"] == 50
    assert attributes[_genai.FINISH_REASONS] == ["stop"]
    usage = response.usage
    assert attributes[_genai.USAGE_INPUT_TOKENS] == usage.prompt_tokens
    assert attributes[_genai.USAGE_OUTPUT_TOKENS] == usage.completion_tokens
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage.prompt_tokens,
                                              "output_tokens": usage.completion_tokens,
                                              "total_tokens": usage.total_tokens}
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [*USER, {"role": "assistant",
                                                                  "content": "echo: hello there"}]


def test_tool_calls_and_tools_are_recorded(openai_client, exported):
    openai_client.chat.completions.create(model="gpt-test", messages=USER, tools=[WEATHER_TOOL])

    attributes = only_span(exported).attributes
    assert attributes[SpanAttributeKey.CHAT_TOOLS] == [WEATHER_TOOL]
    reply = attributes[SpanAttributeKey.CHAT_MESSAGES][-1]
    assert reply["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert attributes[_genai.FINISH_REASONS] == ["tool_calls"]


def test_messages_given_as_a_generator_still_reach_the_api(openai_client, llm_server, exported):
    response = openai_client.chat.completions.create(model="gpt-test", messages=(m for m in USER))

    assert response.choices[0].message.content == "echo: hello there"
    assert only_span(exported).inputs["messages"] == USER


def test_stream_span_ends_when_consumed_with_output_assembled_from_chunks(openai_client, exported):
    stream = openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True,
                                                   stream_options={"include_usage": True})
    assert exported() == []  # the span is still open while the stream is unread
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    span = only_span(exported)
    assert text == "echo: hello there"
    assert span.outputs["choices"][0]["message"] == {"role": "assistant", "content": text}
    assert span.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 3
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]
    assert span.start_time_ns < span.events[0].timestamp_ns <= span.end_time_ns


def test_streamed_tool_call_is_assembled(openai_client, exported):
    with openai_client.chat.completions.create(model="gpt-test", messages=USER, tools=[WEATHER_TOOL],
                                               stream=True) as stream:
        for _ in stream:
            pass

    message = only_span(exported).outputs["choices"][0]["message"]
    assert message["tool_calls"] == [{"id": "call_1", "type": "function",
                                      "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]


def test_closing_a_stream_early_ends_its_span(openai_client, exported):
    stream = openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True)
    next(stream)
    next(stream)
    stream.close()

    span = only_span(exported)
    assert span.end_time_ns is not None
    assert span.outputs["choices"][0]["message"]["content"] == "echo: "


def test_stream_keeps_the_clients_stream_type(openai_client):
    stream = openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True)
    assert isinstance(stream, openai.Stream)
    stream.close()


@pytest.mark.parametrize(("model", "error"), [("error-429", openai.RateLimitError),
                                              ("error-500", openai.InternalServerError)])
def test_api_error_marks_span_error_and_is_reraised_unchanged(openai_client, exported, model, error):
    with pytest.raises(error) as raised:
        openai_client.chat.completions.create(model=model, messages=USER)

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert type(raised.value).__name__ in span.status.description
    event = span.events[0]
    assert event.name == "exception"
    assert event.attributes["exception.type"].endswith(type(raised.value).__name__)


def test_responses_api(openai_client, exported):
    response = openai_client.responses.create(model="gpt-test", input="hi", instructions="be brief",
                                              max_output_tokens=20)

    span = only_span(exported)
    assert span.name == "openai.responses"
    assert span.span_type == SpanType.CHAT_MODEL
    attributes = span.attributes
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"},
        {"role": "assistant", "content": response.output_text}]
    assert attributes["gen_ai.request.max_tokens"] == 20
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": response.usage.input_tokens,
                                              "output_tokens": response.usage.output_tokens,
                                              "total_tokens": response.usage.total_tokens}


def test_responses_api_stream(openai_client, exported):
    events = list(openai_client.responses.create(model="gpt-test", input="hi", stream=True))

    span = only_span(exported)
    assert events[-1].type == "response.completed"
    assert span.outputs["id"] == "resp_1"
    assert span.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 2
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


def test_embeddings_record_a_summary_and_usage(openai_client, exported):
    result = openai_client.embeddings.create(model="embed-test", input=["a", "b", "c"])

    span = only_span(exported)
    assert span.span_type == SpanType.EMBEDDING
    assert span.inputs == {"model": "embed-test", "input": ["a", "b", "c"]}
    assert span.outputs == {"model": "embed-test", "count": 3, "dimensions": [len(result.data[0].embedding)]}
    assert span.attributes[_genai.USAGE_INPUT_TOKENS] == result.usage.prompt_tokens


async def test_async_chat_completion(async_openai_client, exported):
    response = await async_openai_client.chat.completions.create(model="gpt-test", messages=USER)

    span = only_span(exported)
    assert span.outputs["choices"][0]["message"]["content"] == response.choices[0].message.content
    assert span.attributes[_genai.TOKEN_USAGE]["total_tokens"] == response.usage.total_tokens


async def test_async_stream(async_openai_client, exported):
    stream = await async_openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True)
    assert isinstance(stream, openai.AsyncStream)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])

    span = only_span(exported)
    assert span.outputs["choices"][0]["message"]["content"] == text == "echo: hello there"
    assert [event.name for event in span.events] == [_genai.FIRST_TOKEN_EVENT]


async def test_async_responses_and_embeddings(async_openai_client, exported):
    await async_openai_client.responses.create(model="gpt-test", input="hi")
    await async_openai_client.embeddings.create(model="embed-test", input="a")

    assert [trace.data.spans[0].name for trace in exported()] == ["openai.responses", "openai.embeddings"]


async def test_async_api_error_is_reraised(async_openai_client, exported):
    with pytest.raises(openai.RateLimitError):
        await async_openai_client.chat.completions.create(model="error-429", messages=USER)

    assert only_span(exported).status.status_code == SpanStatusCode.ERROR


def test_calls_nest_under_the_users_trace(openai_client, exported):
    @tracekit.trace(span_type=SpanType.CHAIN)
    def answer(question: str) -> str:
        return openai_client.chat.completions.create(model="gpt-test", messages=[
            {"role": "user", "content": question}]).choices[0].message.content

    answer("hi")
    answer("again")

    traces = exported()
    assert len(traces) == 2
    for trace in traces:
        root, child = sorted(trace.data.spans, key=lambda span: span.parent_id is not None)
        assert root.name == "answer"
        assert child.parent_id == root.span_id
        assert child.name == "openai.chat.completions"


def test_streamed_call_nests_under_the_users_span(openai_client, exported):
    with tracekit.start_span("outer"):
        for _ in openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True):
            pass

    (trace,) = exported()
    spans = {span.name: span for span in trace.data.spans}
    assert spans["openai.chat.completions"].parent_id == spans["outer"].span_id


def test_disable_removes_the_patches(openai_client, exported):
    from openai.resources.chat.completions import Completions

    patched = vars(Completions)["create"]
    openai_autolog.autolog(disable=True)
    assert vars(Completions)["create"] is not patched
    assert not isinstance(vars(Completions)["create"], wrapt.ObjectProxy)

    openai_client.chat.completions.create(model="gpt-test", messages=USER)
    assert exported() == []


def test_autolog_is_idempotent(openai_client, exported):
    from openai.resources.chat.completions import Completions

    patched = vars(Completions)["create"]
    openai_autolog.autolog()
    openai_autolog.autolog()
    assert vars(Completions)["create"] is patched

    openai_client.chat.completions.create(model="gpt-test", messages=USER)
    assert len(exported()[0].data.spans) == 1


def test_disabled_tracing_records_nothing(openai_client, exported):
    tracekit.tracing.disable()
    response = openai_client.chat.completions.create(model="gpt-test", messages=USER)

    assert response.choices[0].message.content == "echo: hello there"
    assert exported() == []


def test_unexpected_response_shape_returns_the_response_and_warns_once(openai_client, exported,
                                                                       internal_warnings):
    # The "malformed" model answers 200 with `choices` as a string: the client accepts it, our recorder can't.
    with pytest.warns(UserWarning):  # pydantic complains when the odd object is dumped
        first = openai_client.chat.completions.create(model="malformed", messages=USER)
        openai_client.chat.completions.create(model="malformed", messages=USER)

    assert first.choices == "oops"
    assert len(internal_warnings()) == 1
    assert all(trace.data.spans[0].end_time_ns for trace in exported())


def test_broken_integration_never_breaks_the_call(openai_client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("integration bug")

    monkeypatch.setattr(_genai, "record_usage", broken)
    monkeypatch.setattr(_genai, "record_request", broken)

    response = openai_client.chat.completions.create(model="gpt-test", messages=USER)
    streamed = list(openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True,
                                                          stream_options={"include_usage": True}))

    assert response.choices[0].message.content == "echo: hello there"
    assert streamed[-1].usage.total_tokens == response.usage.total_tokens
    messages = [record.getMessage() for record in internal_warnings()]
    # one warning per broken place, not per call
    assert len(messages) == 3
    assert len(exported()) == 2


def test_broken_span_start_still_calls_the_api(openai_client, exported, internal_warnings, monkeypatch):
    import tracekit.integrations._calls as calls

    def broken(*args, **kwargs):
        raise RuntimeError("integration bug")

    monkeypatch.setattr(calls, "start_child_of_current", broken)

    response = openai_client.chat.completions.create(model="gpt-test", messages=USER)
    openai_client.chat.completions.create(model="gpt-test", messages=USER)

    assert response.choices[0].message.content == "echo: hello there"
    assert len(internal_warnings()) == 1
    assert exported() == []


def test_broken_stream_chunk_handling_keeps_the_stream_intact(openai_client, exported, internal_warnings,
                                                              monkeypatch):
    def broken(self, chunk):
        raise ValueError("unexpected chunk")

    monkeypatch.setattr(openai_autolog._ChatRecorder, "on_chunk", broken)

    chunks = list(openai_client.chat.completions.create(model="gpt-test", messages=USER, stream=True))

    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices) == "echo: hello there"
    assert len(internal_warnings()) == 1
    assert only_span(exported).end_time_ns is not None


def test_trace_token_usage_sums_the_calls(openai_client, exported):
    @tracekit.trace
    def two_questions() -> list:
        return [openai_client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": q}])
                for q in ("hello there", "and what else is new")]

    first, second = two_questions()
    (trace,) = exported()
    assert trace.info.token_usage == {
        "input_tokens": first.usage.prompt_tokens + second.usage.prompt_tokens,
        "output_tokens": first.usage.completion_tokens + second.usage.completion_tokens,
        "total_tokens": first.usage.total_tokens + second.usage.total_tokens}
