"""Sums over stored traces that pages show without listing every trace: LLM usage (tokens and cost, by the model
the traces called) and conversations (traces grouped by their `tracekit.trace.session` metadata).

The SQL store computes both with one aggregate query (`store/sql/trace_aggregates.py`); `usage_from_traces` and
`sessions_from_traces` are the fallback for stores that can only page through traces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from tracekit.constants import TraceMetadataKey
from tracekit.entities import TraceInfo
from tracekit.entities.token_usage import INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS, read_token_usage


@dataclass
class LlmUsage:
    """Token and cost sums of the traces that called `model` (None: traces whose LLM spans name no model).
    `cost` sums the traces that have one; `priced_traces` says how many did."""

    model: str | None
    traces: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost: float | None
    priced_traces: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready values."""
        return asdict(self)


@dataclass
class TraceSession:
    """One conversation: the traces sharing a `tracekit.trace.session` value, their user, count, first start and
    last end (ms since the epoch) and summed tokens."""

    session_id: str
    user: str | None
    traces: int
    first_time: int
    last_time: int
    total_tokens: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready values."""
        return asdict(self)


def _cost(info: TraceInfo) -> float | None:
    try:
        return float(info.trace_metadata[TraceMetadataKey.COST])
    except (KeyError, ValueError, TypeError):
        return None


def usage_from_traces(infos: Iterable[TraceInfo]) -> list[LlmUsage]:
    """LLM usage by model of traces that record token usage, most tokens first."""
    by_model: dict[str | None, LlmUsage] = {}
    for info in infos:
        usage = read_token_usage(info.trace_metadata)
        if usage is None:
            continue
        model = info.trace_metadata.get(TraceMetadataKey.MODEL_NAME)
        row = by_model.setdefault(model, LlmUsage(model, 0, 0, 0, 0, None, 0))
        row.traces += 1
        row.input_tokens += int(usage.get(INPUT_TOKENS) or 0)
        row.output_tokens += int(usage.get(OUTPUT_TOKENS) or 0)
        row.total_tokens += int(usage.get(TOTAL_TOKENS) or 0)
        cost = _cost(info)
        if cost is not None:
            row.cost = (row.cost or 0.0) + cost
            row.priced_traces += 1
    return sorted(by_model.values(), key=lambda row: (-row.total_tokens, row.model or ""))


def sessions_from_traces(infos: Iterable[TraceInfo]) -> list[TraceSession]:
    """Sessions of traces that carry a session id, the most recently active first."""
    sessions: dict[str, TraceSession] = {}
    for info in infos:
        session_id = info.trace_metadata.get(TraceMetadataKey.SESSION)
        if not session_id:
            continue
        end = info.request_time + (info.execution_duration or 0)
        usage = read_token_usage(info.trace_metadata) or {}
        session = sessions.get(session_id)
        if session is None:
            session = sessions[session_id] = TraceSession(session_id, None, 0, info.request_time, end, 0)
        session.traces += 1
        session.first_time = min(session.first_time, info.request_time)
        session.last_time = max(session.last_time, end)
        session.total_tokens += int(usage.get(TOTAL_TOKENS) or 0)
        session.user = session.user or info.trace_metadata.get(TraceMetadataKey.USER)
    return sorted(sessions.values(), key=lambda session: (-session.last_time, session.session_id))
