"""The OpenInference conventions (Arize Phoenix and others): span kind, `input.*` / `output.*` payloads, model,
token counts and trace metadata on export, and the span type, inputs and outputs of an OpenInference span."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.otlp import messages
from tracekit.otlp.base import Convention, TokenCounts, json_text
from tracekit.otlp.genai import REQUEST_PARAMETER_KEYS, GenAiKey, token_counts

if TYPE_CHECKING:
    from tracekit.entities import Span, Trace

SPAN_KIND = "openinference.span.kind"
INPUT_VALUE = "input.value"
INPUT_MIME_TYPE = "input.mime_type"
OUTPUT_VALUE = "output.value"
OUTPUT_MIME_TYPE = "output.mime_type"
TOOL_NAME = "tool.name"
MODEL_NAME = "llm.model_name"
SYSTEM = "llm.system"
TOKEN_COUNT_PROMPT = "llm.token_count.prompt"
TOKEN_COUNT_COMPLETION = "llm.token_count.completion"
TOKEN_COUNT_TOTAL = "llm.token_count.total"
INVOCATION_PARAMETERS = "llm.invocation_parameters"
METADATA = "metadata"
JSON_MIME_TYPE = "application/json"
TEXT_MIME_TYPE = "text/plain"

#: tracekit span type -> OpenInference span kind on export ("UNKNOWN" for any other type).
SPAN_KIND_BY_SPAN_TYPE = {
    "LLM": "LLM", "CHAT_MODEL": "LLM", "CHAIN": "CHAIN", "AGENT": "AGENT", "TOOL": "TOOL",
    "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING", "RERANKER": "RERANKER", "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR", "PARSER": "CHAIN", "MEMORY": "CHAIN", "WORKFLOW": "CHAIN", "TASK": "CHAIN",
}
#: OpenInference span kind (any case) -> tracekit span type on import.
SPAN_TYPE_BY_SPAN_KIND = {
    "LLM": "LLM", "CHAIN": "CHAIN", "AGENT": "AGENT", "TOOL": "TOOL", "RETRIEVER": "RETRIEVER",
    "EMBEDDING": "EMBEDDING", "RERANKER": "RERANKER", "GUARDRAIL": "GUARDRAIL", "EVALUATOR": "EVALUATOR",
}
#: Span types whose conversation goes out as `llm.input_messages.*` / `llm.output_messages.*`.
_CHAT_SPAN_TYPES = frozenset({"LLM", "CHAT_MODEL"})
_PAYLOADS = ((SpanAttributeKey.INPUTS, INPUT_VALUE, INPUT_MIME_TYPE),
             (SpanAttributeKey.OUTPUTS, OUTPUT_VALUE, OUTPUT_MIME_TYPE))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_PARAMETER_BY_KEY = {key: name for name, key in reversed(REQUEST_PARAMETER_KEYS.items())}


def _invocation_parameters(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The request's model and parameters, from the `gen_ai.request.*` keys."""
    parameters = {_PARAMETER_BY_KEY[key]: value for key, value in attributes.items() if key in _PARAMETER_BY_KEY}
    model = attributes.get(GenAiKey.REQUEST_MODEL)
    return {"model": model, **parameters} if isinstance(model, str) else parameters


def _conversation(span: Span) -> dict[str, Any]:
    """The flattened messages and tools of a chat span: the trailing assistant messages are the output."""
    extra: dict[str, Any] = {}
    chat = serialization.loads(span.raw_attributes.get(SpanAttributeKey.CHAT_MESSAGES))
    if isinstance(chat, list) and all(isinstance(message, Mapping) for message in chat):
        split = messages.split_output(chat)
        extra.update(messages.flat_message_attributes(chat[:split], messages.INPUT_MESSAGES))
        extra.update(messages.flat_message_attributes(chat[split:], messages.OUTPUT_MESSAGES))
    tools = serialization.loads(span.raw_attributes.get(SpanAttributeKey.CHAT_TOOLS))
    if isinstance(tools, list) and all(isinstance(tool, Mapping) for tool in tools):
        extra.update(messages.flat_tool_attributes(tools))
    return extra


def _payload(raw: str) -> tuple[str, str]:
    """(value, mime type) of a tracekit payload: a plain string as text, anything else as its JSON."""
    value = serialization.loads(raw)
    if isinstance(value, str):
        return value, TEXT_MIME_TYPE
    return raw, JSON_MIME_TYPE


class OpenInference(Convention):
    """The OpenInference semantic conventions."""

    def encode(self, span: Span, span_type: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {SPAN_KIND: SPAN_KIND_BY_SPAN_TYPE.get(span_type, "UNKNOWN")}
        for tracekit_key, value_key, mime_key in _PAYLOADS:
            raw = span.raw_attributes.get(tracekit_key)
            if raw is not None:
                extra[value_key], extra[mime_key] = _payload(raw)
        if span_type == "TOOL":
            extra[TOOL_NAME] = span.name
        if span_type in _CHAT_SPAN_TYPES:
            extra.update(_conversation(span))
            parameters = _invocation_parameters(attributes)
            if parameters:
                extra[INVOCATION_PARAMETERS] = serialization.dumps(parameters)
        counts = token_counts(attributes)
        if counts.total is not None:
            extra[TOKEN_COUNT_TOTAL] = counts.total
        if counts.input is not None:
            extra[TOKEN_COUNT_PROMPT] = counts.input
        if counts.output is not None:
            extra[TOKEN_COUNT_COMPLETION] = counts.output
        model = attributes.get(GenAiKey.RESPONSE_MODEL) or attributes.get(GenAiKey.REQUEST_MODEL)
        if isinstance(model, str):
            extra[MODEL_NAME] = model
        system = attributes.get(GenAiKey.SYSTEM)
        if isinstance(system, str):
            extra[SYSTEM] = system
        return extra

    def encode_trace(self, trace: Trace) -> dict[str, Any]:
        return {METADATA: serialization.dumps(trace.info.trace_metadata)}

    def span_type(self, attributes: Mapping[str, Any]) -> str | None:
        return SPAN_TYPE_BY_SPAN_KIND.get(str(attributes.get(SPAN_KIND, "")).upper())

    def inputs(self, attributes: Mapping[str, Any]) -> str | None:
        if INPUT_VALUE not in attributes:
            return None
        return json_text(attributes[INPUT_VALUE], attributes.get(INPUT_MIME_TYPE) == JSON_MIME_TYPE)

    def outputs(self, attributes: Mapping[str, Any]) -> str | None:
        if OUTPUT_VALUE not in attributes:
            return None
        return json_text(attributes[OUTPUT_VALUE], attributes.get(OUTPUT_MIME_TYPE) == JSON_MIME_TYPE)

    def conversation(self, attributes: Mapping[str, Any], events: Sequence[tuple[str, Mapping[str, Any]]]
                     ) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        groups = messages.flat_groups(attributes)
        found = [*messages.read_flat_messages(groups[messages.INPUT_MESSAGES]),
                 *messages.read_flat_messages(groups[messages.OUTPUT_MESSAGES])]
        return found or None, messages.read_flat_tools(groups[messages.TOOLS]) or None

    def token_counts(self, attributes: Mapping[str, Any]) -> TokenCounts | None:
        counts = TokenCounts(_int(attributes.get(TOKEN_COUNT_PROMPT)), _int(attributes.get(TOKEN_COUNT_COMPLETION)),
                             _int(attributes.get(TOKEN_COUNT_TOTAL)))
        return counts if counts != (None, None, None) else None

    def genai_attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        parameters = serialization.loads(attributes.get(INVOCATION_PARAMETERS))
        if isinstance(parameters, Mapping):
            for name, value in parameters.items():
                key = REQUEST_PARAMETER_KEYS.get(name)
                if key is not None and isinstance(value, (str, int, float, bool)):
                    found.setdefault(key, value)
        model = attributes.get(MODEL_NAME)
        requested = parameters.get("model") if isinstance(parameters, Mapping) else None
        if isinstance(model, str) and model:
            found[GenAiKey.RESPONSE_MODEL] = found[GenAiKey.REQUEST_MODEL] = model
        if isinstance(requested, str) and requested:
            found[GenAiKey.REQUEST_MODEL] = requested
        return found

    def restore(self, attributes: dict[str, Any], derived: set[str]) -> None:
        for tracekit_key, value_key, mime_key in _PAYLOADS:
            if tracekit_key not in attributes and value_key in derived and value_key in attributes:
                attributes[tracekit_key] = json_text(attributes[value_key],
                                                     attributes.get(mime_key) == JSON_MIME_TYPE)
        if any(key.startswith((messages.INPUT_MESSAGES, messages.OUTPUT_MESSAGES, messages.TOOLS)) for key in derived):
            found, tools = self.conversation(attributes, ())
            if found and SpanAttributeKey.CHAT_MESSAGES not in attributes:
                attributes[SpanAttributeKey.CHAT_MESSAGES] = serialization.dumps(found)
            if tools and SpanAttributeKey.CHAT_TOOLS not in attributes:
                attributes[SpanAttributeKey.CHAT_TOOLS] = serialization.dumps(tools)
