"""Autolog for `litellm`: `completion`, `acompletion`, `embedding` and `aembedding`, whatever provider they reach.

>>> import tracekit.integrations.litellm
>>> tracekit.integrations.litellm.autolog()
>>> litellm.completion(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])

Each call of the module-level functions (`litellm.completion(...)`, not a name imported from litellm before
`autolog()` ran) becomes a span under the current span: CHAT_MODEL for completions, EMBEDDING for embeddings. It
records the request (without `api_key` and transport options), the response, the conversation under
`tracekit.chat.messages`, tools, the provider LiteLLM routed to (`litellm.provider`) and token usage. A streamed
completion is handed back wrapped; its span ends when the stream is exhausted or closed, with the reply assembled
from the chunks and a `first_token` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, async_wrapper, sync_wrapper
from tracekit.integrations._chat_completion import ChatCompletionRecorder
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog

MINIMUM_VERSION = (1, 40)
_PATCHES = PatchSet("litellm")
_LIBRARY = Library("litellm", "litellm", "litellm", MINIMUM_VERSION)
#: LiteLLM arguments that are credentials or routing, not part of what was asked of the model.
_PRIVATE_ARGUMENTS = frozenset({"api_key", "headers", "extra_headers", "aws_secret_access_key",
                                "aws_session_token", "vertex_credentials", "azure_ad_token"})
#: Span attribute: the provider LiteLLM sent the call to ("openai", "anthropic", ...).
PROVIDER = "litellm.provider"


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LiteLLM calls (`disable=True` or `log_traces=False` removes the patches). Safe to call repeatedly; if
    `litellm` is missing or too old, logs a warning and stays off. `silent=True` logs nothing while setting up;
    `extra_tags` are added to every trace one of its calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [
        PatchTarget("litellm", None, "completion", sync_wrapper(_CompletionRecorder)),
        PatchTarget("litellm", None, "acompletion", async_wrapper(_CompletionRecorder)),
        PatchTarget("litellm", None, "embedding", sync_wrapper(_EmbeddingRecorder)),
        PatchTarget("litellm", None, "aembedding", async_wrapper(_EmbeddingRecorder)),
    ]


def is_enabled() -> bool:
    """Whether LiteLLM calls are being traced."""
    return _PATCHES.active


def _public_kwargs(args: tuple[Any, ...], kwargs: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The call's arguments by name (leading positionals named after `names`), without credentials."""
    named = dict(zip(names, args, strict=False))
    named.update(kwargs)
    return {key: value for key, value in named.items() if key not in _PRIVATE_ARGUMENTS}


def _record_provider(span: Any, result: Any) -> None:
    hidden = getattr(result, "_hidden_params", None)
    provider = hidden.get("custom_llm_provider") if isinstance(hidden, dict) else None
    if provider:
        span.set_attribute(PROVIDER, str(provider))


def _is_stream(result: Any) -> bool:
    from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper

    return isinstance(result, CustomStreamWrapper)


class _CompletionRecorder(ChatCompletionRecorder):
    integration = "litellm"
    span_name = "litellm.completion"

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.stream: Any = None

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        _genai.materialize(kwargs, "messages")
        request = _public_kwargs(args, kwargs, ("model", "messages"))
        messages = request.get("messages")
        self.messages = list(messages) if isinstance(messages, (list, tuple)) else []
        _genai.record_chat_request(self.span, "litellm", "chat", request)

    def is_stream(self, result: Any) -> bool:
        if _is_stream(result):
            self.stream = result
            return True
        return False

    def on_stream_end(self) -> None:
        provider = getattr(self.stream, "custom_llm_provider", None)
        if provider:
            self.span.set_attribute(PROVIDER, str(provider))
        super().on_stream_end()

    def record_response(self, result: Any, model: Any, response_id: Any, finish_reasons: list[Any],
                        replies: list[Any], usage: Any) -> None:
        super().record_response(result, model, response_id, finish_reasons, replies, usage)
        if result is not None:
            _record_provider(self.span, result)


class _EmbeddingRecorder(CallRecorder):
    """Outputs are a summary (count and dimensions per vector), not the vectors."""

    integration = "litellm"
    span_name = "litellm.embedding"
    span_type = SpanType.EMBEDDING

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        _genai.materialize(kwargs, "input")
        _genai.record_request(self.span, "litellm", "embeddings", _public_kwargs(args, kwargs, ("model", "input")))

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "data"):
            return
        dimensions = [len(item["embedding"] if isinstance(item, dict) else item.embedding)
                      for item in result.data or []]
        self.span.set_outputs({"model": result.model, "count": len(dimensions),
                               "dimensions": sorted(set(dimensions))})
        _genai.record_response_info(self.span, result.model)
        _record_provider(self.span, result)
        usage = getattr(result, "usage", None)
        if usage is not None:
            _genai.record_usage(self.span, usage.prompt_tokens, None, usage.total_tokens)
