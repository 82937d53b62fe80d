"""The conventions tracekit speaks, in the order they are consulted: OpenInference first, then GenAI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.otlp.base import Convention
from tracekit.otlp.genai import GenAi
from tracekit.otlp.openinference import OpenInference

if TYPE_CHECKING:
    from tracekit.entities import Span, Trace

CONVENTIONS: tuple[Convention, ...] = (OpenInference(), GenAi())


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


def adopt_standard_keys(attributes: dict[str, Any]) -> None:
    """Give a span another SDK made tracekit's span type, inputs and outputs, read from its standard keys."""
    span_type = inputs = outputs = None
    for convention in CONVENTIONS:
        span_type = span_type or convention.span_type(attributes)
        inputs = inputs if inputs is not None else convention.inputs(attributes)
        outputs = outputs if outputs is not None else convention.outputs(attributes)
    attributes[SpanAttributeKey.SPAN_TYPE] = serialization.dumps(span_type or "UNKNOWN")
    if inputs is not None:
        attributes[SpanAttributeKey.INPUTS] = inputs
    if outputs is not None:
        attributes[SpanAttributeKey.OUTPUTS] = outputs
