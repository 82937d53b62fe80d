"""The SQL behind `SqlTraceStore.llm_usage` and `search_sessions`: one GROUP BY over trace_info joined to the
metadata rows that hold the token usage (JSON, read with the dialect's JSON function), the model name, the cost,
the session and the user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Float, and_, cast, func, literal, select
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


def _metadata(name: str, key: str) -> Any:
    alias = trace_metadata.alias(name)
    return alias, and_(alias.c.trace_id == trace_info.c.trace_id, alias.c.key == key)


def llm_usage(connection: Connection, dialect: str, scope: Sequence[Any]) -> list[LlmUsage]:
    """Usage by model of the traces within `scope` (conditions on trace_info) that record token usage."""
    usage, on_usage = _metadata("usage", TraceMetadataKey.TOKEN_USAGE)
    model, on_model = _metadata("model", TraceMetadataKey.MODEL_NAME)
    cost, on_cost = _metadata("cost", TraceMetadataKey.COST)
    cost_value = _number(cost.c.value, dialect)
    query = (select(model.c.value, func.count(), *(func.sum(_json_int(usage.c.value, key, dialect))
                                                   for key in (INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS)),
                    func.sum(cost_value), func.count(cost.c.value))
             .select_from(trace_info.join(usage, on_usage).outerjoin(model, on_model).outerjoin(cost, on_cost))
             .where(*scope).group_by(model.c.value))
    rows = [LlmUsage(name, int(count), int(input_tokens or 0), int(output_tokens or 0), int(total or 0),
                     None if not priced else float(cost_sum or 0.0), int(priced))
            for name, count, input_tokens, output_tokens, total, cost_sum, priced in connection.execute(query)]
    return sorted(rows, key=lambda row: (-row.total_tokens, row.model or ""))


def search_sessions(connection: Connection, dialect: str, scope: Sequence[Any], max_results: int,
                    page_token: str | None, fingerprint: str) -> PagedList[TraceSession]:
    """One page of sessions within `scope`, the most recently active first (offset paging: a session's last time
    moves as it goes on, so no keyset stays put)."""
    offset = trace_search.decode_page_token(page_token, fingerprint, [int])[0] if page_token else 0
    session, on_session = _metadata("session", TraceMetadataKey.SESSION)
    user, on_user = _metadata("user", TraceMetadataKey.USER)
    usage, on_usage = _metadata("usage", TraceMetadataKey.TOKEN_USAGE)
    last = func.max(trace_info.c.request_time + func.coalesce(trace_info.c.execution_duration, 0))
    query = (select(session.c.value, func.max(user.c.value), func.count(), func.min(trace_info.c.request_time), last,
                    func.sum(_json_int(usage.c.value, TOTAL_TOKENS, dialect)))
             .select_from(trace_info.join(session, on_session).outerjoin(user, on_user).outerjoin(usage, on_usage))
             .where(*scope).group_by(session.c.value).order_by(last.desc(), session.c.value)
             .offset(offset or 0).limit(max_results + 1))
    rows = list(connection.execute(query))
    sessions = [TraceSession(str(session_id), user_name, int(count), int(first), int(last_time), int(tokens or 0))
                for session_id, user_name, count, first, last_time, tokens in rows[:max_results]]
    token = trace_search.encode_page_token([(offset or 0) + max_results], fingerprint) \
        if len(rows) > max_results else None
    return PagedList(sessions, token)
