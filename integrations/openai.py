"""Autolog for the `openai` package (v1+ clients): chat completions, the responses API and embeddings.

>>> import tracekit.integrations.openai
>>> tracekit.integrations.openai.autolog()
>>> client = openai.OpenAI()
>>> client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])

Every `create` call of `client.chat.completions`, `client.responses` and `client.embeddings` (sync and async
clients) becomes a span under the current span, or the root of a new trace outside one: CHAT_MODEL for chat and
responses, EMBEDDING for embeddings. It records the request (inputs, model, sampling parameters), the response, the
conversation under `tracekit.chat.messages`, tools under `tracekit.chat.tools` and token usage. Streams are
returned wrapped: the span ends when the stream is exhausted or closed, with the output assembled from the chunks
and a `first_token` event. API errors end the span as ERROR and are re-raised unchanged.

The SDK helpers that bypass `create` (`chat.completions.parse` / `.stream`, `responses.parse` / `.stream`) are not
traced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, async_wrapper, sync_wrapper
from tracekit.integrations._chat_completion import ChatCompletionRecorder
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog

MINIMUM_VERSION = (1, 0)
_PATCHES = PatchSet("openai")
_LIBRARY = Library("openai", "openai", "openai", MINIMUM_VERSION)


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace OpenAI client calls (`disable=True` removes the patches). Safe to call repeatedly; if `openai` is
    missing or older than 1.0, logs a warning and stays off.

    `log_traces=False` turns it off as `disable=True` does; `silent=True` logs nothing while setting up;
    `extra_tags` are added as tags to every trace that one of its calls starts.
    """
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [
        PatchTarget("openai.resources.chat.completions", "Completions", "create", sync_wrapper(_ChatRecorder)),
        PatchTarget("openai.resources.chat.completions", "AsyncCompletions", "create",
                    async_wrapper(_ChatRecorder)),
        PatchTarget("openai.resources.responses", "Responses", "create", sync_wrapper(_ResponsesRecorder)),
        PatchTarget("openai.resources.responses", "AsyncResponses", "create", async_wrapper(_ResponsesRecorder)),
        PatchTarget("openai.resources.embeddings", "Embeddings", "create", sync_wrapper(_EmbeddingsRecorder)),
        PatchTarget("openai.resources.embeddings", "AsyncEmbeddings", "create",
                    async_wrapper(_EmbeddingsRecorder)),
    ]


def is_enabled() -> bool:
    """Whether OpenAI calls are being traced."""
    return _PATCHES.active


def _is_openai_stream(result: Any) -> bool:
    import openai

    return isinstance(result, (openai.Stream, openai.AsyncStream))


class _ChatRecorder(ChatCompletionRecorder):
    """Chat completions; a stream's tool-call deltas are assembled too."""

    integration = "openai"
    span_name = "openai.chat.completions"

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.choices: dict[int, dict[str, Any]] = {}

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.messages = _genai.materialize(kwargs, "messages") or []
        _genai.record_chat_request(self.span, "openai", "chat", kwargs)

    def is_stream(self, result: Any) -> bool:
        return _is_openai_stream(result)

    def take_delta(self, choice: Any) -> bool:
        slot = self.choices.setdefault(choice.index, {"role": "assistant", "content": [], "tool_calls": {},
                                                      "finish_reason": None})
        has_content = False
        delta = choice.delta
        if delta is not None:
            if delta.content:
                slot["content"].append(delta.content)
                has_content = True
            for call in delta.tool_calls or []:
                _merge_tool_call_delta(slot["tool_calls"], call)
                has_content = True
        if choice.finish_reason:
            slot["finish_reason"] = choice.finish_reason
        return has_content

    def on_stream_end(self) -> None:
        choices = []
        for index, slot in sorted(self.choices.items()):
            message: dict[str, Any] = {"role": slot["role"], "content": "".join(slot["content"]) or None}
            if slot["tool_calls"]:
                message["tool_calls"] = [slot["tool_calls"][key] for key in sorted(slot["tool_calls"])]
            choices.append({"index": index, "message": message, "finish_reason": slot["finish_reason"]})
        self.record_stream_output({"id": self.chunk_id, "object": "chat.completion", "model": self.chunk_model,
                                   "choices": choices})


def _merge_tool_call_delta(calls: dict[int, dict[str, Any]], delta: Any) -> None:
    call = calls.setdefault(delta.index, {"id": None, "type": "function",
                                          "function": {"name": "", "arguments": ""}})
    if delta.id:
        call["id"] = delta.id
    function = delta.function
    if function is not None:
        call["function"]["name"] += function.name or ""
        call["function"]["arguments"] += function.arguments or ""


class _ResponsesRecorder(CallRecorder):
    integration = "openai"
    span_name = "openai.responses"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.messages: list[Any] = []
        self.final_response: Any = None
        self.text: list[str] = []

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        instructions = kwargs.get("instructions")
        if _genai.is_given(instructions):
            self.messages.append({"role": "system", "content": instructions})
        prompt = kwargs.get("input")
        if isinstance(prompt, str):
            self.messages.append({"role": "user", "content": prompt})
        else:
            self.messages.extend(_genai.materialize(kwargs, "input") or [])
        _genai.record_chat_request(self.span, "openai", "responses", kwargs)

    def is_stream(self, result: Any) -> bool:
        return _is_openai_stream(result)

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "output"):
            return
        self.span.set_outputs(_genai.to_plain(result))
        self._record(result)

    def on_chunk(self, event: Any) -> bool:
        kind = getattr(event, "type", "")
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            self.final_response = event.response
        elif kind == "response.output_text.delta":
            self.text.append(event.delta)
        return kind.endswith(".delta")

    def on_stream_end(self) -> None:
        if self.final_response is None:  # closed before the end: keep what arrived
            self.span.set_outputs({"output_text": "".join(self.text)})
            return
        self.span.set_outputs(_genai.to_plain(self.final_response))
        self._record(self.final_response)

    def _record(self, response: Any) -> None:
        _genai.record_response_info(self.span, response.model, response.id, [response.status])
        replies: list[dict[str, Any]] = []
        for item in response.output or []:
            kind = getattr(item, "type", None)
            if kind == "message":
                text = "".join(part.text for part in item.content or [] if getattr(part, "text", None))
                replies.append({"role": "assistant", "content": text})
            elif kind == "function_call":
                replies.append({"role": "assistant", "tool_calls": [{
                    "id": item.call_id, "type": "function",
                    "function": {"name": item.name, "arguments": item.arguments}}]})
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, *replies])
        usage = response.usage
        if usage is not None:
            _genai.record_usage(self.span, usage.input_tokens, usage.output_tokens, usage.total_tokens)


class _EmbeddingsRecorder(CallRecorder):
    """Outputs are a summary (count and dimensions per vector), not the vectors: they are large and rarely read."""

    integration = "openai"
    span_name = "openai.embeddings"
    span_type = SpanType.EMBEDDING

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        _genai.materialize(kwargs, "input")
        _genai.record_request(self.span, "openai", "embeddings", kwargs)

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "data"):
            return
        dimensions = [len(item.embedding) for item in result.data]
        self.span.set_outputs({"model": result.model, "count": len(dimensions),
                               "dimensions": sorted(set(dimensions))})
        _genai.record_response_info(self.span, result.model)
        usage = result.usage
        if usage is not None:
            _genai.record_usage(self.span, usage.prompt_tokens, None, usage.total_tokens)
