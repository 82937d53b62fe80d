"""The OpenTelemetry GenAI semantic conventions (`gen_ai.*`): the keys tracekit's integrations set, the operation
name of each span type on export, and the span type, inputs and outputs of a GenAI span another SDK made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.otlp import messages
from tracekit.otlp.base import Convention, TokenCounts, json_text

if TYPE_CHECKING:
    from tracekit.entities import Span


class GenAiKey:
    """GenAI attribute keys tracekit writes or reads."""

    SYSTEM = "gen_ai.system"
    OPERATION = "gen_ai.operation.name"
    REQUEST_MODEL = "gen_ai.request.model"
    RESPONSE_MODEL = "gen_ai.response.model"
    RESPONSE_ID = "gen_ai.response.id"
    FINISH_REASONS = "gen_ai.response.finish_reasons"
    USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
    USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
    SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
    INPUT_MESSAGES = "gen_ai.input.messages"
    OUTPUT_MESSAGES = "gen_ai.output.messages"
    TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
    TOOL_CALL_RESULT = "gen_ai.tool.call.result"


#: A model SDK's request parameter -> the GenAI key recording it.
REQUEST_PARAMETER_KEYS = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "stop": "gen_ai.request.stop_sequences",
    "stop_sequences": "gen_ai.request.stop_sequences",
    "seed": "gen_ai.request.seed",
    "dimensions": "gen_ai.request.dimensions",
}

#: tracekit span type -> `gen_ai.operation.name` on export.
OPERATION_BY_SPAN_TYPE = {
    "CHAT_MODEL": "chat", "LLM": "text_completion", "EMBEDDING": "embeddings", "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
}
#: `gen_ai.operation.name` -> tracekit span type on import.
SPAN_TYPE_BY_OPERATION = {
    "chat": "CHAT_MODEL", "text_completion": "LLM", "generate_content": "LLM", "embeddings": "EMBEDDING",
    "execute_tool": "TOOL", "invoke_agent": "AGENT", "create_agent": "AGENT",
}


_NO_COUNTS = TokenCounts(None, None, None)


def token_counts(attributes: Mapping[str, Any]) -> TokenCounts:
    """Token counts from the `gen_ai.usage.*` keys, else from tracekit's token-usage object."""
    usage = attributes.get(SpanAttributeKey.CHAT_TOKEN_USAGE)
    input_tokens = attributes.get(GenAiKey.USAGE_INPUT_TOKENS)
    output_tokens = attributes.get(GenAiKey.USAGE_OUTPUT_TOKENS)
    if usage is None and input_tokens is None and output_tokens is None:
        return _NO_COUNTS  # most spans: no model call
    usage = serialization.loads(usage) if isinstance(usage, str) else None
    total = None
    if isinstance(usage, Mapping):
        input_tokens = input_tokens if input_tokens is not None else usage.get("input_tokens")
        output_tokens = output_tokens if output_tokens is not None else usage.get("output_tokens")
        total = usage.get("total_tokens")
    return TokenCounts(*(count if isinstance(count, int) else None for count in (input_tokens, output_tokens, total)))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_payload(attributes: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in attributes:
            return json_text(attributes[key], is_json=True)  # structured GenAI values travel as JSON strings
    return None


class GenAi(Convention):
    """The OpenTelemetry GenAI semantic conventions."""

    def encode(self, span: Span, span_type: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        operation = OPERATION_BY_SPAN_TYPE.get(span_type)
        if operation is not None:
            extra[GenAiKey.OPERATION] = operation
        counts = token_counts(attributes)
        if counts.input is not None:
            extra[GenAiKey.USAGE_INPUT_TOKENS] = counts.input
        if counts.output is not None:
            extra[GenAiKey.USAGE_OUTPUT_TOKENS] = counts.output
        return extra

    def span_type(self, attributes: Mapping[str, Any]) -> str | None:
        return SPAN_TYPE_BY_OPERATION.get(str(attributes.get(GenAiKey.OPERATION, "")))

    def inputs(self, attributes: Mapping[str, Any]) -> str | None:
        return _first_payload(attributes, (GenAiKey.INPUT_MESSAGES, GenAiKey.TOOL_CALL_ARGUMENTS))

    def outputs(self, attributes: Mapping[str, Any]) -> str | None:
        return _first_payload(attributes, (GenAiKey.OUTPUT_MESSAGES, GenAiKey.TOOL_CALL_RESULT))

    def conversation(self, attributes: Mapping[str, Any], events: Sequence[tuple[str, Mapping[str, Any]]]
                     ) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        found = [*messages.read_genai_system(attributes.get(GenAiKey.SYSTEM_INSTRUCTIONS)),
                 *messages.read_genai_messages(attributes.get(GenAiKey.INPUT_MESSAGES)),
                 *messages.read_genai_messages(attributes.get(GenAiKey.OUTPUT_MESSAGES))]
        if not found and events:
            inputs, outputs = messages.read_event_messages(events)
            found = [*inputs, *outputs]
        return found or None, None

    def token_counts(self, attributes: Mapping[str, Any]) -> TokenCounts | None:
        counts = TokenCounts(_int(attributes.get(GenAiKey.USAGE_INPUT_TOKENS)),
                             _int(attributes.get(GenAiKey.USAGE_OUTPUT_TOKENS)), None)
        return counts if counts != (None, None, None) else None
