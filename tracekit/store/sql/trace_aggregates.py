"""The SQL behind `SqlTraceStore.llm_usage` and `search_sessions`: one GROUP BY over trace_info joined to the
metadata rows that hold the token usage (JSON, read with the dialect's JSON function), the model name, the cost,
the session and the user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Float, cast, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from tracekit.constants import TraceMetadataKey
from tracekit.entities.token_usage import INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS
from tracekit.store.paging import PagedList
from tracekit.store.sql import trace_search
from tracekit.store.sql.schema import trace_info, trace_metadata
from tracekit.store.trace_summaries import LlmUsage, TraceSession


def _json_int(column: Any, key: str, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(cast(column, postgresql.JSONB)[key].astext, BigInteger)
    return cast(func.json_extract(column, f"$.{key}"), BigInteger)


def _number(column: Any, dialect: str) -> ColumnElement[Any]:
    if dialect in ("mysql", "mariadb"):
        return column + literal(0.0)  # MySQL has no CAST to FLOAT before 8.0.17; arithmetic converts text
    return cast(column, Float)


def _metadata(key: str) -> Any:
    """The value of one metadata key of the trace_info row in hand, as a correlated subquery: read by primary key
    (trace_id, key), so the scope's own index (run, model, experiment) picks the traces, not the key index."""
    return (select(trace_metadata.c.value)
            .where(trace_metadata.c.trace_id == trace_info.c.trace_id, trace_metadata.c.key == key)
            .correlate(trace_info).scalar_subquery())


def llm_usage(connection: Connection, dialect: str, scope: Sequence[Any]) -> list[LlmUsage]:
    """Usage by model of the traces within `scope` (conditions on trace_info) that record token usage."""
    traces = (select(_metadata(TraceMetadataKey.TOKEN_USAGE).label("usage"),
                     _metadata(TraceMetadataKey.MODEL_NAME).label("model"),
                     _metadata(TraceMetadataKey.COST).label("cost"))
              .select_from(trace_info).where(*scope).subquery())
    usage = traces.c.usage
    query = (select(traces.c.model, func.count(), *(func.sum(_json_int(usage, key, dialect))
                                                    for key in (INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS)),
                    func.sum(_number(traces.c.cost, dialect)), func.count(traces.c.cost))
             .where(usage.is_not(None)).group_by(traces.c.model))
    rows = [LlmUsage(name, int(count), int(input_tokens or 0), int(output_tokens or 0), int(total or 0),
                     None if not priced else float(cost_sum or 0.0), int(priced))
            for name, count, input_tokens, output_tokens, total, cost_sum, priced in connection.execute(query)]
    return sorted(rows, key=lambda row: (-row.total_tokens, row.model or ""))


def search_sessions(connection: Connection, dialect: str, scope: Sequence[Any], max_results: int,
                    page_token: str | None, fingerprint: str) -> PagedList[TraceSession]:
    """One page of sessions within `scope`, the most recently active first (offset paging: a session's last time
    moves as it goes on, so no keyset stays put)."""
    offset = trace_search.decode_page_token(page_token, fingerprint, [int])[0] if page_token else 0
    traces = (select(_metadata(TraceMetadataKey.SESSION).label("session"),
                     _metadata(TraceMetadataKey.USER).label("user"),
                     _metadata(TraceMetadataKey.TOKEN_USAGE).label("usage"),
                     trace_info.c.request_time.label("start"),
                     (trace_info.c.request_time + func.coalesce(trace_info.c.execution_duration, 0)).label("end"))
              .select_from(trace_info).where(*scope).subquery())
    last = func.max(traces.c.end)
    query = (select(traces.c.session, func.max(traces.c.user), func.count(), func.min(traces.c.start), last,
                    func.sum(_json_int(traces.c.usage, TOTAL_TOKENS, dialect)))
             .where(traces.c.session.is_not(None)).group_by(traces.c.session)
             .order_by(last.desc(), traces.c.session).offset(offset or 0).limit(max_results + 1))
    rows = list(connection.execute(query))
    sessions = [TraceSession(str(session_id), user_name, int(count), int(first), int(last_time), int(tokens or 0))
                for session_id, user_name, count, first, last_time, tokens in rows[:max_results]]
    token = trace_search.encode_page_token([(offset or 0) + max_results], fingerprint) \
        if len(rows) > max_results else None
    return PagedList(sessions, token)
