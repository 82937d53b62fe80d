"""A trace's token usage: the LLM calls' token counts summed over its spans, as `TraceInfo.token_usage` shows them.

A span's counts are read whichever way they were recorded: tracekit's `tracekit.chat.tokenUsage` object (the
autolog integrations), the OpenTelemetry GenAI keys (`gen_ai.usage.*`) or OpenInference's (`llm.token_count.*`),
for spans other SDKs made. A span whose ancestor already carries counts is skipped: a framework's chat-model span
and the SDK call inside it report the same tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit import serialization
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities.llm_summary import record_llm_summary
from tracekit.entities.span import BaseSpan
from tracekit.otlp import openinference
from tracekit.otlp.genai import GenAiKey, TokenCounts

INPUT_TOKENS = "input_tokens"
OUTPUT_TOKENS = "output_tokens"
TOTAL_TOKENS = "total_tokens"

# (input, output, total) keys of each convention that counts tokens in separate attributes.
_CONVENTION_KEYS = ((GenAiKey.USAGE_INPUT_TOKENS, GenAiKey.USAGE_OUTPUT_TOKENS, None),
                    (openinference.TOKEN_COUNT_PROMPT, openinference.TOKEN_COUNT_COMPLETION,
                     openinference.TOKEN_COUNT_TOTAL))


def _count(raw: Any) -> int | None:
    value = serialization.loads(raw)  # tracekit keeps values as JSON text; other SDKs' spans hold plain ones
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Every attribute that can hold a count: a span holding none of them (most spans) is skipped without decoding.
_TOKEN_KEYS = frozenset({SpanAttributeKey.CHAT_TOKEN_USAGE, *(key for keys in _CONVENTION_KEYS for key in keys if key)})


def span_token_counts(raw_attributes: Mapping[str, Any]) -> TokenCounts | None:
    """The token counts a span's stored attributes record, or None when they record none."""
    if _TOKEN_KEYS.isdisjoint(raw_attributes):
        return None
    usage = serialization.loads(raw_attributes.get(SpanAttributeKey.CHAT_TOKEN_USAGE))
    if isinstance(usage, Mapping):
        counts = TokenCounts(*(_count(usage.get(key)) for key in (INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS)))
        if any(count is not None for count in counts):
            return counts
    for input_key, output_key, total_key in _CONVENTION_KEYS:
        found = TokenCounts(_count(raw_attributes.get(input_key)), _count(raw_attributes.get(output_key)),
                            None if total_key is None else _count(raw_attributes.get(total_key)))
        if any(count is not None for count in found):
            return found
    return None


def outermost_counts(spans: Sequence[BaseSpan]) -> dict[str, TokenCounts]:
    """`span id -> counts` of the spans that record token counts and have no ancestor recording them."""
    counted: dict[str, TokenCounts] = {}
    if len(spans) == 1 and _TOKEN_KEYS.isdisjoint(spans[0].raw_attributes):
        return counted  # a 1-span trace that counts no tokens, the commonest trace of all
    for span in spans:
        counts = span_token_counts(span.raw_attributes)
        if counts is not None:
            counted[span.span_id] = counts
    if not counted:
        return counted
    parents = {span.span_id: span.parent_id for span in spans}
    return {span_id: counts for span_id, counts in counted.items()
            if not _has_counted_ancestor(span_id, parents, counted)}


def _sum_counts(counted: Mapping[str, TokenCounts]) -> dict[str, int] | None:
    if not counted:
        return None
    totals = dict.fromkeys((INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS), 0)
    for counts in counted.values():
        input_tokens, output_tokens = counts.input or 0, counts.output or 0
        totals[INPUT_TOKENS] += input_tokens
        totals[OUTPUT_TOKENS] += output_tokens
        totals[TOTAL_TOKENS] += counts.total if counts.total is not None else input_tokens + output_tokens
    return totals


def trace_token_usage(spans: Sequence[BaseSpan]) -> dict[str, int] | None:
    """{"input_tokens", "output_tokens", "total_tokens"} summed over the spans that record counts and have no
    ancestor recording them (a missing total is input + output); None when no span records any."""
    return _sum_counts(outermost_counts(spans))


def _has_counted_ancestor(span_id: str, parents: Mapping[str, str | None], counted: Mapping[str, Any]) -> bool:
    seen = {span_id}
    parent = parents.get(span_id)
    while parent is not None and parent not in seen:  # `seen` guards against a cycle in malformed input
        if parent in counted:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def record_token_usage(metadata: dict[str, str], spans: Sequence[BaseSpan]) -> None:
    """Store the token usage of `spans` in a trace's `metadata`, with the models called and their cost
    (`llm_summary`); left as it is when no span records counts."""
    counted = outermost_counts(spans)
    usage = _sum_counts(counted)
    if usage is not None:
        metadata[TraceMetadataKey.TOKEN_USAGE] = serialization.dumps(usage)
        record_llm_summary(metadata, counted, spans)


def read_token_usage(metadata: Mapping[str, str]) -> dict[str, int] | None:
    """The token usage stored in a trace's metadata, or None."""
    usage = serialization.loads(metadata.get(TraceMetadataKey.TOKEN_USAGE))
    return {str(key): value for key, value in usage.items()} if isinstance(usage, dict) else None
