"""Recording a chat call whose response has OpenAI's chat-completion shape (`choices[i].message`, `usage` with
`prompt_tokens` / `completion_tokens`, stream chunks with `choices[i].delta`): OpenAI's chat completions, LiteLLM's
`completion` and Mistral's `chat` share it."""

from __future__ import annotations

from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder
from tracekit.tracing.live_span import LiveSpan


def _text(value: Any) -> str | None:
    """A non-empty string, else None (SDKs mark absent fields with None or an `Unset` object)."""
    return value if isinstance(value, str) and value else None


class ChatCompletionRecorder(CallRecorder):
    """A chat-completion call: the subclass records the request in `on_start` (setting `self.messages`); the
    response, the conversation (`tracekit.chat.messages`: the request's messages and the replies), finish reasons,
    model and usage are recorded here, from a response or from a text stream's chunks."""

    span_type = "CHAT_MODEL"

    def __init__(self, span: LiveSpan) -> None:
        super().__init__(span)
        self.messages: list[Any] = []
        self.chunk_id = self.chunk_model = self.chunk_usage = None
        self.text: dict[int, list[str]] = {}
        self.finish_reasons: dict[int, str] = {}

    def chunk_of(self, event: Any) -> Any:
        """The chat-completion chunk a stream item holds (the item itself unless the SDK wraps it)."""
        return event

    def on_result(self, result: Any) -> None:
        if not hasattr(result, "choices"):  # a raw-response wrapper: nothing parsed to record
            return
        self.span.set_outputs(_genai.to_plain(result))
        choices = result.choices or []
        replies = [_genai.to_plain(choice.message) for choice in choices]
        self.record_response(result, result.model, result.id, [choice.finish_reason for choice in choices],
                             replies, getattr(result, "usage", None))

    def on_chunk(self, event: Any) -> bool:
        chunk = self.chunk_of(event)
        self.chunk_id = self.chunk_id or getattr(chunk, "id", None)
        self.chunk_model = self.chunk_model or getattr(chunk, "model", None)
        if getattr(chunk, "usage", None) is not None:
            self.chunk_usage = chunk.usage
        has_content = False
        for choice in getattr(chunk, "choices", None) or []:
            has_content = self.take_delta(choice) or has_content
        return has_content

    def take_delta(self, choice: Any) -> bool:
        """Take one choice of a stream chunk; return True if it carried generated content."""
        content = _text(getattr(getattr(choice, "delta", None), "content", None))
        if content:
            self.text.setdefault(choice.index, []).append(content)
        if _text(choice.finish_reason):
            self.finish_reasons[choice.index] = choice.finish_reason
        return content is not None

    def on_stream_end(self) -> None:
        indexes = sorted(set(self.text) | set(self.finish_reasons))
        choices = [{"index": index, "message": {"role": "assistant", "content": "".join(self.text.get(index, []))},
                    "finish_reason": self.finish_reasons.get(index)} for index in indexes]
        self.record_stream_output({"id": self.chunk_id, "model": self.chunk_model, "choices": choices})

    def record_stream_output(self, output: dict[str, Any]) -> None:
        """Record a streamed response assembled as a chat completion (`output`, given its id, model, choices)."""
        if self.chunk_usage is not None:
            output["usage"] = _genai.to_plain(self.chunk_usage)
        self.span.set_outputs(output)
        choices = output["choices"]
        self.record_response(None, self.chunk_model, self.chunk_id, [choice["finish_reason"] for choice in choices],
                             [choice["message"] for choice in choices], self.chunk_usage)

    def record_response(self, result: Any, model: Any, response_id: Any, finish_reasons: list[Any],
                        replies: list[Any], usage: Any) -> None:
        """Model, id, finish reasons, the conversation and usage; `result` is the response object (None for a
        stream)."""
        _genai.record_response_info(self.span, model, response_id, finish_reasons)
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, *replies])
        if usage is not None:
            _genai.record_usage(self.span, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)
