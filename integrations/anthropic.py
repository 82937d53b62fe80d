"""Autolog for the `anthropic` package: `messages.create`, sync and async, streamed or not.

>>> import tracekit.integrations.anthropic
>>> tracekit.integrations.anthropic.autolog()
>>> client = anthropic.Anthropic()
>>> client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "hi"}])

Each call becomes a CHAT_MODEL span under the current span (or the root of a new trace) with the request, the
response message, the conversation (the `system` prompt first) under `tracekit.chat.messages`, tools under
`tracekit.chat.tools` and token usage; input tokens include cache reads and writes. With `stream=True` the span
ends when the stream is exhausted or closed, its output the message assembled from the events, with a
`first_token` event. The `messages.stream(...)` helper is not traced.
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

MINIMUM_VERSION = (0, 25)
_PATCHES = PatchSet("anthropic")
_LIBRARY = Library("anthropic", "anthropic", "anthropic", MINIMUM_VERSION)


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Anthropic `messages.create` calls (`disable=True` removes the patches). Safe to call repeatedly;
    if `anthropic` is missing or too old, logs a warning and stays off.

    `log_traces=False` turns it off as `disable=True` does; `silent=True` logs nothing while setting up;
    `extra_tags` are added as tags to every trace that one of its calls starts.
    """
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [
        PatchTarget("anthropic.resources.messages", "Messages", "create", sync_wrapper(_MessagesRecorder)),
        PatchTarget("anthropic.resources.messages", "AsyncMessages", "create", async_wrapper(_MessagesRecorder)),
    ]


def is_enabled() -> bool:
    """Whether Anthropic calls are being traced."""
    return _PATCHES.active


class _MessagesRecorder(CallRecorder):
    integration = "anthropic"
    span_name = "anthropic.messages"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.messages: list[Any] = []
        self.message: dict[str, Any] | None = None
        self.blocks: dict[int, dict[str, Any]] = {}
        self.partial_json: dict[int, list[str]] = {}

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        system = kwargs.get("system")
        if _genai.is_given(system):
            self.messages.append({"role": "system", "content": system})
        self.messages.extend(_genai.materialize(kwargs, "messages") or [])
        _genai.record_chat_request(self.span, "anthropic", "chat", kwargs)

    def is_stream(self, result: Any) -> bool:
        import anthropic

        return isinstance(result, (anthropic.Stream, anthropic.AsyncStream))

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "content"):  # a raw-response wrapper: nothing parsed to record
            return
        message = _genai.to_plain(result)
        self.span.set_outputs(message)
        self._record(message)

    def on_chunk(self, event: Any) -> bool:
        kind = event.type
        if kind == "message_start":
            self.message = _genai.to_plain(event.message)
        elif kind == "content_block_start":
            self.blocks[event.index] = _genai.to_plain(event.content_block)
        elif kind == "content_block_delta":
            self._apply_delta(self.blocks.setdefault(event.index, {}), event.index, event.delta)
            return True
        elif kind == "content_block_stop" and event.index in self.partial_json:
            text = "".join(self.partial_json.pop(event.index))
            self.blocks[event.index]["input"] = json.loads(text) if text else {}
        elif kind == "message_delta" and self.message is not None:
            self.message.update(_genai.to_plain(event.delta))
            usage = self.message.setdefault("usage", {})
            usage.update(_genai.to_plain(event.usage))
        return False

    def _apply_delta(self, block: dict[str, Any], index: int, delta: Any) -> None:
        kind = delta.type
        if kind == "text_delta":
            block["text"] = block.get("text", "") + delta.text
        elif kind == "input_json_delta":
            self.partial_json.setdefault(index, []).append(delta.partial_json)
        elif kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + delta.thinking
        elif kind == "signature_delta":
            block["signature"] = delta.signature
        elif kind == "citations_delta":
            block.setdefault("citations", []).append(_genai.to_plain(delta.citation))

    def on_stream_end(self) -> None:
        message = dict(self.message or {"role": "assistant"})
        message["content"] = [self.blocks[index] for index in sorted(self.blocks)]
        self.span.set_outputs(message)
        self._record(message)

    def _record(self, message: dict[str, Any]) -> None:
        _genai.record_response_info(self.span, message.get("model"), message.get("id"),
                                    [message.get("stop_reason")])
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES,
                                [*self.messages, {"role": "assistant", "content": message.get("content")}])
        usage = message.get("usage") or {}
        input_tokens = usage.get("input_tokens")
        if isinstance(input_tokens, int):
            input_tokens += (usage.get("cache_read_input_tokens") or 0) + (usage.get("cache_creation_input_tokens")
                                                                            or 0)
        _genai.record_usage(self.span, input_tokens, usage.get("output_tokens"))
