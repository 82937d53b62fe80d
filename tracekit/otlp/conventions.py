"""The conventions tracekit speaks, in the order they are consulted: OpenInference first, then GenAI.

This is the one translation both ways: `standard_attributes` derives the standard keys of a tracekit span for OTLP
export, and `adopt_standard_keys` gives a span another SDK made (ingested over OTLP by the server's `/v1/traces`, or
recorded in-process with the global provider joined) tracekit's span type, inputs, outputs, chat messages and tools,
model and token usage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.otlp.base import Convention
from tracekit.otlp.genai import GenAi
from tracekit.otlp.openinference import OpenInference

if TYPE_CHECKING:
    from tracekit.entities import Span, Trace

CONVENTIONS: tuple[Convention, ...] = (OpenInference(), GenAi())

#: Key prefixes that mark a span as speaking one of the conventions (a span with none of them is left alone).
STANDARD_PREFIXES = ("openinference.", "input.", "output.", "llm.", "gen_ai.", "tool.", "embedding.",
                     "retrieval.")

Events = Iterable[tuple[str, Mapping[str, Any]]]


def standard_attributes(span: Span, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The standard keys derivable from a tracekit span; where two conventions give one key, the first wins."""
    span_type = span.span_type
    extra: dict[str, Any] = {}
    for convention in reversed(CONVENTIONS):
        extra.update(convention.encode(span, span_type, attributes))
    return extra


def standard_trace_attributes(trace: Trace) -> dict[str, Any]:
    """The standard keys describing the whole trace, for its root span."""
    extra: dict[str, Any] = {}
    for convention in reversed(CONVENTIONS):
        extra.update(convention.encode_trace(trace))
    return extra


def speaks_a_convention(attributes: Mapping[str, Any], events: Iterable[tuple[str, Any]] = ()) -> bool:
    """Whether any key (or event name) belongs to a convention tracekit reads."""
    return (any(key.startswith(STANDARD_PREFIXES) for key in attributes)
            or any(name.startswith("gen_ai.") for name, _ in events))


def adopt_standard_keys(attributes: dict[str, Any], events: Events = (), unknown: str | None = "UNKNOWN") -> None:
    """Give a span another SDK made tracekit's keys, read from its standard keys and events: span type (`unknown`
    when no convention names one; None sets none), inputs, outputs, chat messages and tools (the keys the UI shows as
    a conversation), token usage (tracekit's object) and the model (`gen_ai.request.model` /
    `gen_ai.response.model`, added when the span names its model otherwise) and request parameters
    (`gen_ai.request.*` from OpenInference's `llm.invocation_parameters`). `attributes` hold plain OpenTelemetry
    values; tracekit's keys are added as JSON text."""
    events = list(events)
    span_type = inputs = outputs = messages = tools = counts = None
    genai: dict[str, Any] = {}
    for convention in CONVENTIONS:
        span_type = span_type or convention.span_type(attributes)
        inputs = inputs if inputs is not None else convention.inputs(attributes)
        outputs = outputs if outputs is not None else convention.outputs(attributes)
        if not messages or not tools:
            found_messages, found_tools = convention.conversation(attributes, events)
            messages, tools = messages or found_messages, tools or found_tools
        counts = counts or convention.token_counts(attributes)
        genai = {**convention.genai_attributes(attributes), **genai}
    if span_type is None and messages:
        span_type = "CHAT_MODEL"  # a conversation with no declared kind (GenAI message events alone)
    if span_type or unknown:
        attributes[SpanAttributeKey.SPAN_TYPE] = serialization.dumps(span_type or unknown)
    if inputs is not None:
        attributes[SpanAttributeKey.INPUTS] = inputs
    if outputs is not None:
        attributes[SpanAttributeKey.OUTPUTS] = outputs
    if messages:
        attributes[SpanAttributeKey.CHAT_MESSAGES] = serialization.dumps(messages)
    if tools:
        attributes[SpanAttributeKey.CHAT_TOOLS] = serialization.dumps(tools)
    if counts is not None and SpanAttributeKey.CHAT_TOKEN_USAGE not in attributes:
        input_tokens, output_tokens, total = counts
        if total is None and input_tokens is not None and output_tokens is not None:
            total = input_tokens + output_tokens
        usage = {name: count for name, count in (("input_tokens", input_tokens), ("output_tokens", output_tokens),
                                                  ("total_tokens", total)) if count is not None}
        attributes[SpanAttributeKey.CHAT_TOKEN_USAGE] = serialization.dumps(usage)
    for key, value in genai.items():
        attributes.setdefault(key, value)


def restore_tracekit_keys(attributes: dict[str, Any], derived: Iterable[str]) -> None:
    """On a span tracekit exported: put back the tracekit keys the encoder sent only as standard keys (`derived`
    names the standard keys it added): inputs, outputs and chat messages."""
    derived = set(derived)
    for convention in CONVENTIONS:
        convention.restore(attributes, derived)
