"""Autolog for AWS Bedrock through `boto3`: the `bedrock-runtime` client's `converse` and `invoke_model`.

>>> import tracekit.integrations.bedrock
>>> tracekit.integrations.bedrock.autolog()
>>> client = boto3.client("bedrock-runtime")
>>> client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
...                 messages=[{"role": "user", "content": [{"text": "hi"}]}])

boto3 builds its client classes at run time, so the patch sits on botocore's one entry point for API calls
(`BaseClient._make_api_call`) and traces only `Converse` and `InvokeModel` of `bedrock-runtime` clients (also
clients created before `autolog()`); every other AWS call goes straight through. Each becomes a CHAT_MODEL span
with the request (model id, messages, inference configuration), the response, the conversation under
`tracekit.chat.messages`, tools and token usage (Converse's `usage`; for InvokeModel, the model's own usage block
or Bedrock's token-count response headers). InvokeModel's response body is read for recording and replaced by an
unread copy, so the caller reads it as usual. The streaming operations (`converse_stream`,
`invoke_model_with_response_stream`) are not traced.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, sync_wrapper
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog
from tracekit.otlp.genai import REQUEST_PARAMETER_KEYS

MINIMUM_VERSION = (1, 34, 116)  # the first botocore with the Converse API
_PATCHES = PatchSet("bedrock")
_LIBRARY = Library("bedrock", "botocore", "botocore", MINIMUM_VERSION)
_SERVICE = "bedrock-runtime"
# Converse inferenceConfig field -> request-parameter name mapped to a gen_ai.request key
_INFERENCE_PARAMETERS = {"maxTokens": "max_tokens", "temperature": "temperature", "topP": "top_p",
                         "stopSequences": "stop_sequences"}
# InvokeModel body field (any provider's format) -> request-parameter name
_BODY_PARAMETERS = {"max_tokens": "max_tokens", "max_gen_len": "max_tokens", "temperature": "temperature",
                    "top_p": "top_p", "top_k": "top_k", "stop_sequences": "stop_sequences"}


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Bedrock `converse` / `invoke_model` calls made through boto3 (`disable=True` or `log_traces=False`
    removes the patch). Safe to call repeatedly; if botocore is missing or too old for Converse, logs a warning
    and stays off. `silent=True` logs nothing while setting up; `extra_tags` are added to every trace one of its
    calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [PatchTarget("botocore.client", "BaseClient", "_make_api_call", _dispatch)]


def is_enabled() -> bool:
    """Whether Bedrock calls are being traced."""
    return _PATCHES.active


def _dispatch(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Route a botocore API call: Bedrock's Converse and InvokeModel are traced, anything else passes through."""
    operation = args[0] if args else kwargs.get("operation_name")
    traced = _TRACED.get(operation) if isinstance(operation, str) else None
    if traced is not None:
        try:
            service = instance.meta.service_model.service_name
        except AttributeError:
            service = None
        if service == _SERVICE:
            return traced(wrapped, instance, args, kwargs)
    return wrapped(*args, **kwargs)


def _params(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    params = args[1] if len(args) > 1 else kwargs.get("api_params")
    return params if isinstance(params, dict) else {}


def _text_or_blocks(content: Any) -> Any:
    """Bedrock content blocks as one string when they are all text, else unchanged."""
    if isinstance(content, list) and all(isinstance(block, dict) and set(block) == {"text"} for block in content):
        return "".join(block["text"] for block in content)
    return content


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    """A Converse message as a chat message; the model's `toolUse` blocks become OpenAI-shaped `tool_calls`."""
    content = message.get("content")
    uses = [block["toolUse"] for block in content or [] if isinstance(block, dict) and "toolUse" in block]
    if not uses:
        return {"role": message.get("role"), "content": _text_or_blocks(content)}
    text = "".join(block["text"] for block in content or [] if isinstance(block, dict) and "text" in block)
    return {"role": message.get("role"), "content": text or None, "tool_calls": [
        {"id": use.get("toolUseId"), "type": "function",
         "function": {"name": use.get("name"), "arguments": json.dumps(use.get("input") or {})}} for use in uses]}


class _ConverseRecorder(CallRecorder):
    integration = "bedrock"
    span_name = "bedrock.converse"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.messages: list[Any] = []

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        params = _params(args, kwargs)
        system = params.get("system")
        if system:
            self.messages.append({"role": "system", "content": _text_or_blocks(system)})
        self.messages.extend(_message(message) for message in params.get("messages") or [])
        self.span.set_inputs(params)
        self.span.set_attribute(_genai.SYSTEM, "aws.bedrock")
        self.span.set_attribute(_genai.OPERATION, "chat")
        if params.get("modelId"):
            self.span.set_attribute(_genai.REQUEST_MODEL, str(params["modelId"]))
        for field, parameter in _INFERENCE_PARAMETERS.items():
            value = (params.get("inferenceConfig") or {}).get(field)
            if value is not None:
                self.span.set_attribute(REQUEST_PARAMETER_KEYS[parameter], value)
        tools = (params.get("toolConfig") or {}).get("tools")
        if tools:
            self.span.set_attribute(SpanAttributeKey.CHAT_TOOLS, tools)

    def on_result(self, result: Any) -> None:
        if not isinstance(result, dict):
            return
        self.span.set_outputs({key: value for key, value in result.items() if key != "ResponseMetadata"})
        message = (result.get("output") or {}).get("message")
        replies = [_message(message)] if isinstance(message, dict) else []
        _genai.record_response_info(self.span, finish_reasons=[result.get("stopReason")])
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, *replies])
        usage = result.get("usage") or {}
        _genai.record_usage(self.span, usage.get("inputTokens"), usage.get("outputTokens"), usage.get("totalTokens"))


class _InvokeModelRecorder(CallRecorder):
    """The request and response bodies are in the model provider's own format: recorded as parsed JSON, with the
    conversation when the body has `messages` (Anthropic, Mistral, Llama chat formats)."""

    integration = "bedrock"
    span_name = "bedrock.invoke_model"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.request: Any = None

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        params = _params(args, kwargs)
        self.request = _json(params.get("body"))
        self.span.set_inputs({**{key: value for key, value in params.items() if key != "body"},
                              "body": self.request})
        self.span.set_attribute(_genai.SYSTEM, "aws.bedrock")
        self.span.set_attribute(_genai.OPERATION, "chat")
        if params.get("modelId"):
            self.span.set_attribute(_genai.REQUEST_MODEL, str(params["modelId"]))
        if isinstance(self.request, dict):
            for field, parameter in _BODY_PARAMETERS.items():
                if self.request.get(field) is not None:
                    self.span.set_attribute(REQUEST_PARAMETER_KEYS[parameter], self.request[field])

    def on_result(self, result: Any) -> None:
        if not isinstance(result, dict):
            return
        body = _replay_body(result)
        response = _json(body)
        self.span.set_outputs(response)
        if isinstance(response, dict):
            _genai.record_response_info(self.span, response.get("model"), response.get("id"),
                                        [response.get("stop_reason") or response.get("stopReason")])
            if isinstance(self.request, dict) and isinstance(self.request.get("messages"), list):
                messages = []
                if self.request.get("system"):
                    messages.append({"role": "system", "content": self.request["system"]})
                messages += self.request["messages"]
                if "content" in response:
                    messages.append({"role": response.get("role", "assistant"), "content": response["content"]})
                self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, messages)
        usage = response.get("usage") if isinstance(response, dict) else None
        if isinstance(usage, dict) and "input_tokens" in usage:
            _genai.record_usage(self.span, usage.get("input_tokens"), usage.get("output_tokens"))
            return
        headers = (result.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
        _genai.record_usage(self.span, _int(headers.get("x-amzn-bedrock-input-token-count")),
                            _int(headers.get("x-amzn-bedrock-output-token-count")))


def _replay_body(result: dict[str, Any]) -> bytes:
    """Read InvokeModel's one-shot response body and put an unread copy in its place for the caller."""
    from botocore.response import StreamingBody

    stream = result.get("body")
    if stream is None or not hasattr(stream, "read"):
        return b""
    data = stream.read()
    result["body"] = StreamingBody(io.BytesIO(data), len(data))
    return data


def _json(body: Any) -> Any:
    if hasattr(body, "read"):  # a file-like request body: left unread, it is the library's to send
        return "<stream>"
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return body if isinstance(body, str) else repr(body)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_TRACED = {"Converse": sync_wrapper(_ConverseRecorder), "InvokeModel": sync_wrapper(_InvokeModelRecorder)}
