"""Autolog for Google's `google-genai` SDK: `client.models.generate_content` and `generate_content_stream`, and
their `client.aio.models` counterparts.

>>> import tracekit.integrations.gemini
>>> tracekit.integrations.gemini.autolog()
>>> client = genai.Client()
>>> client.models.generate_content(model="gemini-2.0-flash", contents="hi")

Each call becomes a CHAT_MODEL span under the current span, recording the request (model, contents, config), the
response, the conversation under `tracekit.chat.messages` (the config's system instruction first, Gemini's "model"
role recorded as "assistant"), tools, sampling parameters from the config and token usage from `usage_metadata`.
A streamed call's span ends when its stream is exhausted or closed, with the text assembled from the chunks and a
`first_token` event. API errors end the span as ERROR and are re-raised unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, async_wrapper, sync_wrapper
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog
from tracekit.otlp.genai import REQUEST_PARAMETER_KEYS

MINIMUM_VERSION = (1, 0)
_PATCHES = PatchSet("gemini")
_LIBRARY = Library("gemini", "google.genai", "google-genai", MINIMUM_VERSION)
# GenerateContentConfig fields recorded as gen_ai.request.* attributes (REQUEST_PARAMETER_KEYS names their keys)
_CONFIG_PARAMETERS = ("temperature", "top_p", "top_k", "max_output_tokens", "stop_sequences", "seed",
                      "presence_penalty", "frequency_penalty")


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Google GenAI `generate_content` calls (`disable=True` or `log_traces=False` removes the patches). Safe
    to call repeatedly; if `google-genai` is missing or older than 1.0, logs a warning and stays off. `silent=True`
    logs nothing while setting up; `extra_tags` are added to every trace one of its calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [
        PatchTarget("google.genai.models", "Models", "generate_content", sync_wrapper(_GenerateRecorder)),
        PatchTarget("google.genai.models", "Models", "generate_content_stream", sync_wrapper(_GenerateRecorder)),
        PatchTarget("google.genai.models", "AsyncModels", "generate_content", async_wrapper(_GenerateRecorder)),
        PatchTarget("google.genai.models", "AsyncModels", "generate_content_stream",
                    async_wrapper(_GenerateRecorder)),
    ]


def is_enabled() -> bool:
    """Whether Google GenAI calls are being traced."""
    return _PATCHES.active


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def _text_of(content: Any) -> Any:
    """A content's text when all its parts are text, else its parts as plain data (images, ...)."""
    if isinstance(content, str):
        return content
    parts = _field(content, "parts")
    if parts is None and isinstance(_field(content, "text"), str):  # a bare Part
        return _field(content, "text")
    texts = [_field(part, "text") for part in parts or []]
    if all(isinstance(text, str) for text in texts):
        return "".join(texts)
    return [_genai.to_plain(part) for part in parts or []]


def _message(content: Any, default_role: str = "user") -> dict[str, Any]:
    """One content as a chat message; the model's function calls become OpenAI-shaped `tool_calls`."""
    role = default_role if isinstance(content, str) else (_field(content, "role") or default_role)
    parts = [] if isinstance(content, str) else _field(content, "parts") or []
    calls = [call for call in (_field(part, "function_call") for part in parts) if call is not None]
    if not calls:
        return {"role": "assistant" if role == "model" else role, "content": _text_of(content)}
    text = "".join(part_text for part_text in (_field(part, "text") for part in parts) if isinstance(part_text, str))
    return {"role": "assistant", "content": text or None, "tool_calls": [
        {"id": _field(call, "id") or _field(call, "name"), "type": "function",
         "function": {"name": _field(call, "name"), "arguments": json.dumps(_field(call, "args") or {})}}
        for call in calls]}


def _messages(contents: Any, config: Any) -> list[dict[str, Any]]:
    messages = []
    instruction = _field(config, "system_instruction") if config is not None else None
    if instruction is not None:
        messages.append({"role": "system", "content": _text_of(instruction)})
    if contents is None:
        return messages
    if isinstance(contents, (str, Mapping)) or hasattr(contents, "parts"):
        contents = [contents]
    if contents and all(isinstance(item, str) for item in contents):  # a list of strings is one user turn
        messages.append({"role": "user", "content": "\n".join(contents)})
    else:
        messages.extend(_message(item) for item in contents)
    return messages


class _GenerateRecorder(CallRecorder):
    integration = "gemini"
    span_name = "gemini.generate_content"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.messages: list[Any] = []
        self.text: list[str] = []
        self.last_chunk: Any = None
        self.usage: Any = None

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        contents = _genai.materialize(kwargs, "contents") if "contents" in kwargs else None
        config = kwargs.get("config")
        self.messages = _messages(contents if contents is not None else kwargs.get("contents"), config)
        request: dict[str, Any] = {key: _genai.to_plain(value) for key, value in kwargs.items()}
        _genai.record_request(self.span, "gemini", "chat", request)
        if config is not None:
            for field in _CONFIG_PARAMETERS:
                value = _field(config, field)
                if value is not None:
                    self.span.set_attribute(REQUEST_PARAMETER_KEYS[field], value)
            tools = _field(config, "tools")
            if tools:
                self.span.set_attribute(SpanAttributeKey.CHAT_TOOLS, [_genai.to_plain(tool) for tool in tools])

    def is_stream(self, result: Any) -> bool:
        return hasattr(result, "__next__") or hasattr(result, "__anext__")

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "candidates"):
            return
        self.span.set_outputs(_genai.to_plain(result))
        replies = [_message(candidate.content, "model") for candidate in result.candidates or []
                   if candidate.content is not None]
        self._record(result, replies, result.usage_metadata)

    def on_chunk(self, chunk: Any) -> bool:
        self.last_chunk = chunk
        if getattr(chunk, "usage_metadata", None) is not None:
            self.usage = chunk.usage_metadata
        has_content = False
        for candidate in getattr(chunk, "candidates", None) or []:
            for part in (candidate.content.parts or []) if candidate.content is not None else []:
                if part.text:
                    self.text.append(part.text)
                    has_content = True
        return has_content

    def on_stream_end(self) -> None:
        text = "".join(self.text)
        output: dict[str, Any] = {"text": text}
        if self.usage is not None:
            output["usage_metadata"] = _genai.to_plain(self.usage)
        self.span.set_outputs(output)
        self._record(self.last_chunk, [{"role": "assistant", "content": text}], self.usage)

    def _record(self, response: Any, replies: list[Any], usage: Any) -> None:
        if response is not None:
            reasons = [_reason(candidate.finish_reason) for candidate in response.candidates or []]
            _genai.record_response_info(self.span, response.model_version, response.response_id, reasons)
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, *replies])
        if usage is not None:
            _genai.record_usage(self.span, usage.prompt_token_count, usage.candidates_token_count,
                                usage.total_token_count)


def _reason(reason: Any) -> Any:
    return getattr(reason, "value", reason)  # the SDK's FinishReason enum -> "STOP"
