"""Autolog for the `mistralai` SDK (v1+): `client.chat.complete` / `complete_async` / `stream` / `stream_async`
and `client.embeddings.create` / `create_async`.

>>> import tracekit.integrations.mistral
>>> tracekit.integrations.mistral.autolog()
>>> client = Mistral(api_key=...)
>>> client.chat.complete(model="mistral-small-latest", messages=[{"role": "user", "content": "hi"}])

Each call becomes a CHAT_MODEL span under the current span, recording the request (inputs, model, sampling
parameters, tools), the response, the conversation under `tracekit.chat.messages` and token usage. `stream` and
`stream_async` return an event stream, handed back wrapped: the span ends when it is exhausted or closed, with the
reply assembled from the chunks (and their usage, which Mistral sends in the last chunk) and a `first_token` event.
Embeddings become EMBEDDING spans whose outputs are a summary (count and dimensions), not the vectors. API errors
end the span as ERROR and are re-raised unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, async_wrapper, sync_wrapper
from tracekit.integrations._chat_completion import ChatCompletionRecorder
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog

MINIMUM_VERSION = (1, 0)
_PATCHES = PatchSet("mistral")
_LIBRARY = Library("mistral", "mistralai", "mistralai", MINIMUM_VERSION)
# The SDK's resources moved from mistralai.<name> (1.x) to mistralai.client.<name>; whichever exists is patched.
_PACKAGES = ("mistralai", "mistralai.client")


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Mistral chat calls (`disable=True` or `log_traces=False` removes the patches). Safe to call
    repeatedly; if `mistralai` is missing or older than 1.0, logs a warning and stays off. `silent=True` logs
    nothing while setting up; `extra_tags` are added to every trace one of its calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    targets = []
    for package in _PACKAGES:
        chat, embeddings = f"{package}.chat", f"{package}.embeddings"
        targets += [
            PatchTarget(chat, "Chat", "complete", sync_wrapper(_ChatRecorder)),
            PatchTarget(chat, "Chat", "complete_async", async_wrapper(_ChatRecorder)),
            PatchTarget(chat, "Chat", "stream", sync_wrapper(_ChatRecorder)),
            PatchTarget(chat, "Chat", "stream_async", async_wrapper(_ChatRecorder)),
            PatchTarget(embeddings, "Embeddings", "create", sync_wrapper(_EmbeddingsRecorder)),
            PatchTarget(embeddings, "Embeddings", "create_async", async_wrapper(_EmbeddingsRecorder)),
        ]
    return targets


def is_enabled() -> bool:
    """Whether Mistral chat calls are being traced."""
    return _PATCHES.active


class _ChatRecorder(ChatCompletionRecorder):
    integration = "mistral"
    span_name = "mistral.chat"

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        request = {**dict(zip(("model", "messages"), args, strict=False)), **kwargs}
        messages = _genai.materialize(kwargs, "messages") or request.get("messages") or []
        self.messages = [_genai.to_plain(message) for message in messages]
        _genai.record_chat_request(self.span, "mistral_ai", "chat", request)

    def is_stream(self, result: Any) -> bool:
        return type(result).__name__ in ("EventStream", "EventStreamAsync")

    def chunk_of(self, event: Any) -> Any:
        return getattr(event, "data", event)


class _EmbeddingsRecorder(CallRecorder):
    integration = "mistral"
    span_name = "mistral.embeddings"
    span_type = SpanType.EMBEDDING

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        _genai.materialize(kwargs, "inputs")
        _genai.record_request(self.span, "mistral_ai", "embeddings", kwargs)

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "data"):
            return
        dimensions = [len(item.embedding or []) for item in result.data or []]
        self.span.set_outputs({"model": result.model, "count": len(dimensions),
                               "dimensions": sorted(set(dimensions))})
        _genai.record_response_info(self.span, result.model, result.id)
        usage = result.usage
        if usage is not None:
            _genai.record_usage(self.span, usage.prompt_tokens, None, usage.total_tokens)
