"""AWS Bedrock autolog, against real boto3 `bedrock-runtime` clients and a stubbed Bedrock endpoint on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402

import tracekit.integrations.bedrock as bedrock_autolog  # noqa: E402

USER = [{"role": "user", "content": [{"text": "hello there"}]}]
WEATHER_TOOL = {"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}


@pytest.fixture(autouse=True)
def autologged():
    bedrock_autolog.autolog()


def _client(llm_server, service: str = "bedrock-runtime"):
    return boto3.client(service, endpoint_url=llm_server.anthropic_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def client(llm_server):
    return _client(llm_server)


def only_span(exported) -> tracekit.Span:
    (trace,) = exported()
    (span,) = trace.data.spans
    return span


def test_converse_is_a_chat_model_span_with_conversation_and_usage(client, exported):
    response = client.converse(modelId="anthropic.claude-test", messages=USER, system=[{"text": "Be brief."}],
                               inferenceConfig={"maxTokens": 40, "temperature": 0.5})

    span = only_span(exported)
    assert span.name == "bedrock.converse"
    assert span.span_type == SpanType.CHAT_MODEL
    assert span.inputs["modelId"] == "anthropic.claude-test" and span.inputs["messages"] == USER
    attributes = span.attributes
    assert attributes[_genai.SYSTEM] == "aws.bedrock"
    assert attributes[_genai.REQUEST_MODEL] == "anthropic.claude-test"
    assert attributes["gen_ai.request.max_tokens"] == 40
    assert attributes["gen_ai.request.temperature"] == 0.5
    assert attributes[_genai.FINISH_REASONS] == ["end_turn"]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello there"},
        {"role": "assistant", "content": "echo: hello there"}]
    usage = response["usage"]
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage["inputTokens"],
                                              "output_tokens": usage["outputTokens"],
                                              "total_tokens": usage["totalTokens"]}
    assert span.outputs["output"] == response["output"] and "ResponseMetadata" not in span.outputs
    assert exported()[0].info.token_usage["total_tokens"] == usage["totalTokens"]


def test_tool_use_is_recorded_as_tool_calls(client, exported):
    client.converse(modelId="anthropic.claude-test", messages=USER, toolConfig={"tools": [WEATHER_TOOL]})

    attributes = only_span(exported).attributes
    assert attributes[SpanAttributeKey.CHAT_TOOLS] == [WEATHER_TOOL]
    assert attributes[_genai.FINISH_REASONS] == ["tool_use"]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "tooluse-1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]}


def test_invoke_model_records_the_bodies_and_the_caller_still_reads_the_response(client, exported):
    request = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 30, "system": "Be brief.",
               "messages": [{"role": "user", "content": "hi"}]}
    response = client.invoke_model(modelId="anthropic.claude-test", body=json.dumps(request))
    body = json.loads(response["body"].read())

    span = only_span(exported)
    assert body["content"] == [{"type": "text", "text": "echo: hi"}]
    assert span.name == "bedrock.invoke_model"
    assert span.inputs["body"] == request
    assert span.outputs == body
    attributes = span.attributes
    assert attributes["gen_ai.request.max_tokens"] == 30
    assert attributes[_genai.FINISH_REASONS] == ["end_turn"]
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"},
        {"role": "assistant", "content": body["content"]}]
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": body["usage"]["input_tokens"],
                                              "output_tokens": 3, "total_tokens": body["usage"]["input_tokens"] + 3}


def test_api_error_marks_span_error_and_is_reraised(client, exported):
    with pytest.raises(client.exceptions.ThrottlingException):
        client.converse(modelId="error-429", messages=USER)

    span = only_span(exported)
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


def test_other_aws_calls_and_operations_are_not_traced(llm_server, client, exported):
    with pytest.raises(Exception):  # noqa: B017 - the stub has no S3; only that nothing is traced matters
        _client(llm_server, "s3").list_buckets()
    client.converse(modelId="anthropic.claude-test", messages=USER)

    assert [span.name for trace in exported() for span in trace.data.spans] == ["bedrock.converse"]


def test_nests_under_the_users_trace(client, exported):
    with tracekit.start_span("outer"):
        client.converse(modelId="anthropic.claude-test", messages=USER)

    spans = {span.name: span for span in exported()[0].data.spans}
    assert spans["bedrock.converse"].parent_id == spans["outer"].span_id


def test_disable_removes_the_patch(client, exported):
    tracekit.bedrock.autolog(disable=True)

    client.converse(modelId="anthropic.claude-test", messages=USER)
    assert exported() == []
    assert not bedrock_autolog.is_enabled()


def test_broken_integration_never_breaks_the_call(client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot record")

    monkeypatch.setattr(_genai, "record_usage", broken)

    response = client.converse(modelId="anthropic.claude-test", messages=USER)
    invoked = client.invoke_model(modelId="anthropic.claude-test",
                                  body=json.dumps({"messages": [{"role": "user", "content": "hi"}]}))

    assert response["output"]["message"]["content"] == [{"text": "echo: hello there"}]
    assert json.loads(invoked["body"].read())["content"][0]["text"] == "echo: hi"
    assert len(internal_warnings()) == 1  # "recording the response", warned once
    assert len(exported()) == 2
