"""The LLM signals of a completed trace that the traces table shows without reading spans: which model(s) its LLM
spans called and what their tokens cost, stored in the trace's metadata beside its token usage.

The spans counted are those `token_usage` counts (a span whose ancestor already records tokens is the same call
seen twice). A span's model is its response model (`gen_ai.response.model`), else its request model, else
OpenInference's `llm.model_name`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit import serialization
from tracekit.constants import TraceMetadataKey
from tracekit.entities.model_prices import ModelPrice, cost_of, model_prices, price_of
from tracekit.entities.span import BaseSpan
from tracekit.otlp.genai import GenAiKey, TokenCounts

_MODEL_KEYS = (GenAiKey.RESPONSE_MODEL, GenAiKey.REQUEST_MODEL, "llm.model_name")


def span_model_name(raw_attributes: Mapping[str, Any]) -> str | None:
    """The model an LLM span called, from its stored attributes, or None."""
    for key in _MODEL_KEYS:
        value = serialization.loads(raw_attributes.get(key))
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def record_llm_summary(metadata: dict[str, str], counted: Mapping[str, TokenCounts],
                       spans: Sequence[BaseSpan]) -> None:
    """Store the model name(s) and the cost of the counted spans (`span id -> counts`, each an outermost counting
    span) in `metadata`; keys are left out when no model is named or none has a price."""
    by_id = {span.span_id: span for span in spans}
    models: list[str] = []
    cost = 0.0
    priced = False
    table: dict[str, ModelPrice] | None = None
    for span_id, counts in counted.items():
        span = by_id.get(span_id)
        model = span_model_name(span.raw_attributes) if span is not None else None
        if model is None:
            continue
        if model not in models:
            models.append(model)
        table = model_prices() if table is None else table
        price = price_of(model, table)
        if price is not None:
            priced = True
            cost += cost_of(price, counts.input or 0, counts.output or 0)
    if models:
        metadata[TraceMetadataKey.MODEL_NAME] = ", ".join(models)
    if priced:
        metadata[TraceMetadataKey.COST] = f"{cost:.10g}"
