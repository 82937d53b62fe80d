"""MLflow 3 tracing calls that need no particular database: the argument rules of `delete_traces`, chat messages and
tools on spans, token usage on the finished trace, and reading a trace back from its JSON."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanType, Trace
from tracekit.constants import SpanAttributeKey
from tracekit.exceptions import TracekitException

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}
CONVERSATION = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo?"},
                                 {"type": "image_url", "image_url": {"url": "https://example.test/oslo.png"}}]},
    {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
    {"role": "tool", "tool_call_id": "call_1", "content": "Snow, -3 C"},
]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"experiment_id": None, "max_timestamp_millis": 1}, "needs experiment_id"),
    ({"experiment_id": "0"}, "needs either max_timestamp_millis .* or trace_ids"),
    ({"experiment_id": "0", "trace_ids": []}, "needs either max_timestamp_millis .* or trace_ids"),
    ({"experiment_id": "0", "max_timestamp_millis": 1, "trace_ids": ["tr-" + "1" * 32]}, "only one of"),
    ({"experiment_id": "0", "max_traces": 3}, "needs either max_timestamp_millis"),
    ({"experiment_id": "0", "trace_ids": ["tr-" + "1" * 32], "max_traces": 1}, "max_traces goes only with"),
    ({"experiment_id": "0", "max_timestamp_millis": 1, "max_traces": 0}, "max_traces must be a positive integer"),
    ({"experiment_id": "0", "max_timestamp_millis": "yesterday"}, "max_timestamp_millis must be an integer"),
    ({"experiment_id": "0", "trace_ids": "tr-" + "1" * 32}, "trace_ids must be a list"),
])
def test_delete_traces_follows_mlflows_argument_rules(arguments, message):
    with pytest.raises(TracekitException, match=message) as raised:
        tracekit.delete_traces(**arguments)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_chat_messages_and_tools_are_stored_on_the_span(exported):
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        tracekit.set_span_chat_messages(span, CONVERSATION[:2])
        tracekit.set_span_chat_messages(span, CONVERSATION[2:], append=True)
        tracekit.set_span_chat_tools(span, [WEATHER_TOOL])
    (trace,) = exported()
    stored = trace.data.spans[0]
    assert stored.get_attribute(SpanAttributeKey.CHAT_MESSAGES) == CONVERSATION
    assert stored.get_attribute(SpanAttributeKey.CHAT_TOOLS) == [WEATHER_TOOL]


def test_setting_messages_again_replaces_them(exported):
    with tracekit.start_span("chat") as span:
        tracekit.set_span_chat_messages(span, CONVERSATION)
        tracekit.set_span_chat_messages(span, [{"role": "user", "content": "only this"}])
    assert exported()[0].data.spans[0].get_attribute(SpanAttributeKey.CHAT_MESSAGES) == [
        {"role": "user", "content": "only this"}]


def test_pydantic_messages_are_accepted(exported):
    pydantic = pytest.importorskip("pydantic")

    class Message(pydantic.BaseModel):
        role: str
        content: str | None = None

    with tracekit.start_span("chat") as span:
        tracekit.set_span_chat_messages(span, [Message(role="user", content="hi")])
    assert exported()[0].data.spans[0].get_attribute(SpanAttributeKey.CHAT_MESSAGES) == [
        {"role": "user", "content": "hi"}]


@pytest.mark.parametrize(("messages", "message"), [
    ({"role": "user", "content": "hi"}, r"messages must be a list, got dict"),
    (["hello"], r"messages\[0\] must be a dict, got str"),
    ([{"content": "hi"}], r"messages\[0\]\.role must be a non-empty string, got missing"),
    ([{"role": "user"}], r"messages\[0\] has no content"),
    ([{"role": "user", "content": 42}], r"messages\[0\]\.content must be a list, got int"),
    ([{"role": "user", "content": [{"type": "video", "url": "x"}]}],
     r"messages\[0\]\.content\[0\]\.type is 'video'; valid content part types: 'text', 'image_url', 'input_audio'"),
    ([{"role": "user", "content": [{"type": "text"}]}], r"messages\[0\]\.content\[0\]\.text must be a non-empty"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]}],
     r"messages\[0\]\.content\[0\]\.image_url must be a dict"),
    ([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}],
     r"messages\[0\]\.tool_calls\[0\]\.function\.arguments must be a non-empty string, got dict"),
    ([{"role": "user", "content": "ok"}, {"role": "tool", "content": "x", "tool_call_id": 7}],
     r"messages\[1\]\.tool_call_id must be a string, got int"),
])
def test_malformed_messages_are_refused_naming_the_field(messages, message, exported):
    with tracekit.start_span("chat") as span:
        with pytest.raises(TracekitException, match=message) as raised:
            tracekit.set_span_chat_messages(span, messages)
    assert "set_span_chat_messages()" in str(raised.value) and "Example of a valid value" in str(raised.value)
    assert SpanAttributeKey.CHAT_MESSAGES not in exported()[0].data.spans[0].raw_attributes


@pytest.mark.parametrize(("tools", "message"), [
    ([{"type": "retrieval"}], r"tools\[0\]\.type must be 'function', got 'retrieval'"),
    ([{"type": "function"}], r"tools\[0\]\.function must be a dict, got NoneType"),
    ([{"type": "function", "function": {"description": "d"}}], r"tools\[0\]\.function\.name must be a non-empty"),
    ([WEATHER_TOOL, {"type": "function", "function": {"name": "f", "parameters": "city"}}],
     r"tools\[1\]\.function\.parameters must be a dict, got str"),
    ([{"type": "function", "function": {"name": "f", "strict": "yes"}}], r"tools\[0\]\.function\.strict must be"),
])
def test_malformed_tools_are_refused_naming_the_field(tools, message, exported):
    with tracekit.start_span("chat") as span:
        with pytest.raises(TracekitException, match=message):
            tracekit.set_span_chat_tools(span, tools)


def test_chat_helpers_need_a_span():
    with pytest.raises(TracekitException, match="span must be a running span .* got dict"):
        tracekit.set_span_chat_messages({"role": "user"}, [])  # type: ignore[arg-type]


def test_chat_helpers_check_even_while_tracing_is_disabled():
    tracekit.tracing.disable()
    with tracekit.start_span("chat") as span:
        tracekit.set_span_chat_messages(span, CONVERSATION)
        tracekit.set_span_chat_tools(span, [WEATHER_TOOL])
        with pytest.raises(TracekitException, match="role"):
            tracekit.set_span_chat_messages(span, [{"content": "x"}])


def test_mlflow_tracing_module_names_work_too(exported):
    with tracekit.start_span("chat") as span:
        tracekit.tracing.set_span_chat_messages(span, [{"role": "user", "content": "hi"}])
        tracekit.tracing.set_span_chat_tools(span, [WEATHER_TOOL])
    assert exported()[0].data.spans[0].get_attribute(SpanAttributeKey.CHAT_TOOLS) == [WEATHER_TOOL]


def test_token_usage_is_on_the_trace_as_it_completes(exported):
    @tracekit.trace
    def two_calls() -> None:
        for tokens in (5, 7):
            with tracekit.start_span("llm", span_type=SpanType.LLM) as span:
                span.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE, {"input_tokens": tokens, "output_tokens": 1})

    two_calls()
    (trace,) = exported()
    assert trace.info.token_usage == {"input_tokens": 12, "output_tokens": 2, "total_tokens": 14}
    assert tracekit.get_last_active_trace().info.token_usage == trace.info.token_usage


def test_json_round_trip_of_a_finished_trace(exported):
    @tracekit.trace(span_type=SpanType.CHAIN)
    def failing(x: str) -> None:
        with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
            tracekit.set_span_chat_messages(span, [{"role": "user", "content": x}])
            span.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE, {"input_tokens": 3, "output_tokens": 4})
        raise ValueError("nope ü")

    with pytest.raises(ValueError):
        failing("grüß dich")
    (trace,) = exported()
    again = Trace.from_json(trace.to_json())
    assert again == trace
    assert again.to_dict() == Trace.from_dict(trace.to_dict()).to_dict()
    assert again.info.token_usage == {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}
    assert again.data.root_span.events[0].attributes["exception.message"] == "nope ü"
    assert Trace.from_json(trace.to_json(pretty=True).encode("utf-8")) == trace


@pytest.mark.parametrize(("text", "message"), [
    ("not json", r"Trace.from_json\(\): not JSON text"),
    ("[1, 2]", r"the JSON holds a list, not a trace object"),
    ('{"data": {}}', r"Trace.from_dict\(\): not a trace \(missing key 'info'\)"),
    ('{"info": {"trace_id": "tr-1", "request_time": 1, "state": "DONE"}}', r"not a trace \(ValueError"),
])
def test_from_json_says_what_is_wrong(text, message):
    with pytest.raises(TracekitException, match=message):
        Trace.from_json(text)


def test_mlflow_client_is_tracekit_client_under_mlflows_name():
    import tracekit as mlflow

    assert mlflow.MlflowClient is mlflow.TracekitClient
    with mlflow.start_span("kept") as span:
        span.set_inputs({"q": 1})
    trace_id = mlflow.get_last_active_trace_id()
    assert mlflow.MlflowClient().delete_traces(experiment_id="0", trace_ids=[trace_id]) == 1
    assert mlflow.get_trace(trace_id) is None
