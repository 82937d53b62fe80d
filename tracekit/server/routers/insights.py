"""Sums over traces for the explorer's pages: LLM usage (`GET /api/v1/llm-usage`: tokens and cost of an
experiment's, a run's or a logged model's traces by LLM model) and conversations (`GET /api/v1/sessions`: traces
grouped by their `tracekit.trace.session` metadata). Both are one SQL aggregate on the SQL store."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from tracekit.server.dependencies import get_trace_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES
from tracekit.store.trace_store import TraceStore

router = APIRouter(tags=["traces"], responses=ERROR_RESPONSES)
Store = Depends(get_trace_store)
MAX_SESSIONS_PAGE = 1000


class LlmUsageModel(BaseModel):
    """Token and cost sums of the traces that called one LLM model (null: traces naming no model)."""

    model: str | None
    traces: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost: float | None
    priced_traces: int


class LlmUsageResponse(BaseModel):
    """LLM usage by model, most tokens first."""

    usage: list[LlmUsageModel]


class SessionModel(BaseModel):
    """One conversation: its id, user, trace count, first start and last end (ms) and summed tokens."""

    session_id: str
    user: str | None
    traces: int
    first_time: int
    last_time: int
    total_tokens: int


class SessionsResponse(BaseModel):
    """One page of sessions, the most recently active first."""

    sessions: list[SessionModel]
    next_page_token: str | None = None


@router.get("/llm-usage", response_model=LlmUsageResponse, summary="LLM tokens and cost, by model")
def llm_usage(experiment_id: list[str] = Query(default_factory=list,
                                               description="Repeat for several; none: every experiment"),
              run_id: str | None = Query(None, description="Only the traces linked to this run"),
              model_id: str | None = Query(None, description="Only the traces linked to this logged model"),
              store: TraceStore = Store) -> LlmUsageResponse:
    """Input, output and total tokens and cost (US dollars, priced when each trace completed) of the traces in
    scope that record token usage, summed by the LLM model they called."""
    rows = store.llm_usage(experiment_id, run_id=run_id, model_id=model_id)
    return LlmUsageResponse(usage=[LlmUsageModel(**row.to_dict()) for row in rows])


@router.get("/sessions", response_model=SessionsResponse, summary="Conversations of an experiment")
def search_sessions(experiment_id: list[str] = Query(default_factory=list,
                                                     description="Repeat for several; none: every experiment"),
                    max_results: int = Query(100, ge=1, le=MAX_SESSIONS_PAGE, description="Sessions per page"),
                    page_token: str | None = Query(None, description="next_page_token of the previous page"),
                    store: TraceStore = Store) -> SessionsResponse:
    """Traces grouped by their `tracekit.trace.session` metadata (set with `update_current_trace(metadata=...)`):
    each session's user (`tracekit.trace.user`), trace count, first and last time and total tokens."""
    page = store.search_sessions(experiment_id, max_results=max_results, page_token=page_token)
    return SessionsResponse(sessions=[SessionModel(**session.to_dict()) for session in page],
                            next_page_token=page.token)
