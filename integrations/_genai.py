"""Span attribute keys and recording helpers shared by the LLM integrations.

Token usage goes to tracekit's own key (one JSON object) and to the OpenTelemetry GenAI semantic-convention keys
(`gen_ai.usage.input_tokens`, ...; named in `tracekit.otlp.genai`), so both tracekit queries and OTel-aware backends
can read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.otlp.genai import REQUEST_PARAMETER_KEYS, GenAiKey
from tracekit.serialization import to_plain  # noqa: F401 - the integrations import it from here
from tracekit.tracing.live_span import LiveSpan

#: {"input_tokens": int, "output_tokens": int, "total_tokens": int} on every LLM, chat and embedding span.
TOKEN_USAGE = SpanAttributeKey.CHAT_TOKEN_USAGE
#: Event added to a streamed call's span when the first chunk with generated content arrives.
FIRST_TOKEN_EVENT = "first_token"

SYSTEM = GenAiKey.SYSTEM
OPERATION = GenAiKey.OPERATION
REQUEST_MODEL = GenAiKey.REQUEST_MODEL
RESPONSE_MODEL = GenAiKey.RESPONSE_MODEL
RESPONSE_ID = GenAiKey.RESPONSE_ID
FINISH_REASONS = GenAiKey.FINISH_REASONS
USAGE_INPUT_TOKENS = GenAiKey.USAGE_INPUT_TOKENS
USAGE_OUTPUT_TOKENS = GenAiKey.USAGE_OUTPUT_TOKENS

# Per-request transport options: not part of what was asked of the model (and headers may carry secrets).
_TRANSPORT_OPTIONS = frozenset({"extra_headers", "extra_query", "timeout"})
_NOT_GIVEN_TYPES = frozenset({"NotGiven", "Omit"})


def is_given(value: Any) -> bool:
    """False for None and for the SDKs' "not given" sentinels (`openai.NOT_GIVEN`, `omit`, ...)."""
    return value is not None and type(value).__name__ not in _NOT_GIVEN_TYPES


def materialize(kwargs: dict[str, Any], key: str) -> list[Any] | None:
    """`kwargs[key]` as a list, replacing a one-shot iterable in `kwargs` so recording it does not consume what
    the library is about to send."""
    value = kwargs.get(key)
    if not is_given(value):
        return None
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping)):
        value = kwargs[key] = list(value)
        return value
    return [value]


def request_inputs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The call's keyword arguments as the span's inputs, without unset values and transport options."""
    return {key: value for key, value in kwargs.items() if key not in _TRANSPORT_OPTIONS and is_given(value)}


def record_request(span: LiveSpan, system: str, operation: str, kwargs: Mapping[str, Any]) -> None:
    """Inputs plus `gen_ai.system`, `gen_ai.operation.name`, `gen_ai.request.model` and sampling parameters."""
    span.set_inputs(request_inputs(kwargs))
    span.set_attribute(SYSTEM, system)
    span.set_attribute(OPERATION, operation)
    model = kwargs.get("model")
    if is_given(model):
        span.set_attribute(REQUEST_MODEL, str(model))
    for parameter, key in REQUEST_PARAMETER_KEYS.items():
        value = kwargs.get(parameter)
        if is_given(value):
            span.set_attribute(key, value)


def record_chat_request(span: LiveSpan, system: str, operation: str, kwargs: dict[str, Any]) -> None:
    """`record_request` plus the request's tools under `tracekit.chat.tools`."""
    tools = materialize(kwargs, "tools")
    record_request(span, system, operation, kwargs)
    if tools:
        span.set_attribute(SpanAttributeKey.CHAT_TOOLS, tools)


def record_response_info(span: LiveSpan, model: Any = None, response_id: Any = None,
                         finish_reasons: Iterable[Any] | None = None) -> None:
    """`gen_ai.response.model`, `.id` and `.finish_reasons`, skipping what is missing."""
    if model:
        span.set_attribute(RESPONSE_MODEL, str(model))
    if response_id:
        span.set_attribute(RESPONSE_ID, str(response_id))
    reasons = [str(reason) for reason in finish_reasons or () if reason]
    if reasons:
        span.set_attribute(FINISH_REASONS, reasons)


def record_usage(span: LiveSpan, input_tokens: Any, output_tokens: Any, total_tokens: Any = None) -> None:
    """Token counts in tracekit's `TOKEN_USAGE` object and in the `gen_ai.usage.*` keys; missing counts skipped."""
    usage: dict[str, int] = {}
    if isinstance(input_tokens, int):
        usage["input_tokens"] = input_tokens
        span.set_attribute(USAGE_INPUT_TOKENS, input_tokens)
    if isinstance(output_tokens, int):
        usage["output_tokens"] = output_tokens
        span.set_attribute(USAGE_OUTPUT_TOKENS, output_tokens)
    if not isinstance(total_tokens, int) and usage:
        total_tokens = sum(usage.values())
    if isinstance(total_tokens, int):
        usage["total_tokens"] = total_tokens
    if usage:
        span.set_attribute(TOKEN_USAGE, usage)
