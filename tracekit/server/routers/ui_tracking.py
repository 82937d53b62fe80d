"""Read-only experiment, run and logged-model endpoints the trace explorer needs, plus a trace count.

Stand-in, kept small and self-contained on purpose: the tracking REST API (written on another branch) provides
these same paths and shapes, and replaces this module when both are merged. Everything here reads through
`SqlTrackingStore` on the trace store's database.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from tracekit.entities import ViewType
from tracekit.server.dependencies import JSONBytesResponse
from tracekit.server.schemas.common import ERROR_RESPONSES
from tracekit.tracking.store import TrackingStore

# Left out of the OpenAPI document: the tracking REST API that replaces this module documents these paths.
router = APIRouter(responses=ERROR_RESPONSES, include_in_schema=False)


def _tracking_store(request: Request) -> TrackingStore:
    state = request.app.state
    store = getattr(state, "ui_tracking_store", None)
    if store is None:
        from tracekit.tracking.sql_store import SqlTrackingStore

        store = state.ui_tracking_store = SqlTrackingStore(state.trace_store.database)
    return store


class SearchExperimentsRequest(BaseModel):
    """A search of experiments."""

    max_results: int = Field(100, ge=1, le=50_000)
    page_token: str | None = None
    filter_string: str | None = None
    view_type: str = "ACTIVE_ONLY"
    order_by: list[str] | None = None


class SearchRunsRequest(BaseModel):
    """A search of runs."""

    experiment_ids: list[str] = Field(default_factory=list)
    filter_string: str | None = None
    max_results: int = Field(100, ge=1, le=50_000)
    order_by: list[str] | None = None
    page_token: str | None = None


class SearchLoggedModelsRequest(BaseModel):
    """A search of logged models."""

    experiment_ids: list[str] = Field(default_factory=list)
    filter_string: str | None = None
    max_results: int = Field(100, ge=1, le=50_000)
    order_by: list[dict[str, Any]] | None = None
    page_token: str | None = None


@router.post("/experiments/search", tags=["experiments"])
def search_experiments(body: SearchExperimentsRequest, request: Request) -> JSONBytesResponse:
    """One page of experiments."""
    page = _tracking_store(request).search_experiments(
        ViewType.parse(body.view_type), max_results=body.max_results, filter_string=body.filter_string,
        order_by=body.order_by, page_token=body.page_token)
    return JSONBytesResponse({"experiments": [e.to_dict() for e in page], "next_page_token": page.token})


@router.get("/experiments/{experiment_id}", tags=["experiments"])
def get_experiment(experiment_id: str, request: Request) -> JSONBytesResponse:
    """One experiment."""
    return JSONBytesResponse(_tracking_store(request).get_experiment(experiment_id).to_dict())


@router.get("/runs/{run_id}", tags=["runs"])
def get_run(run_id: str, request: Request) -> JSONBytesResponse:
    """One run."""
    return JSONBytesResponse(_tracking_store(request).get_run(run_id).to_dict())


@router.post("/runs/search", tags=["runs"])
def search_runs(body: SearchRunsRequest, request: Request) -> JSONBytesResponse:
    """One page of runs of the experiments."""
    page = _tracking_store(request).search_runs(
        body.experiment_ids, filter_string=body.filter_string, max_results=body.max_results,
        order_by=body.order_by, page_token=body.page_token)
    return JSONBytesResponse({"runs": [run.to_dict() for run in page], "next_page_token": page.token})


@router.get("/logged-models/{model_id}", tags=["logged-models"])
def get_logged_model(model_id: str, request: Request) -> JSONBytesResponse:
    """One logged model."""
    return JSONBytesResponse(_tracking_store(request).get_logged_model(model_id).to_dict())


@router.post("/logged-models/search", tags=["logged-models"])
def search_logged_models(body: SearchLoggedModelsRequest, request: Request) -> JSONBytesResponse:
    """One page of logged models of the experiments."""
    page = _tracking_store(request).search_logged_models(
        body.experiment_ids, filter_string=body.filter_string, max_results=body.max_results,
        order_by=body.order_by, page_token=body.page_token)
    return JSONBytesResponse({"models": [model.to_dict() for model in page], "next_page_token": page.token})


@router.get("/traces/count", tags=["traces"])
def count_traces(request: Request, experiment_id: list[str] = Query(default_factory=list),
                 run_id: str | None = None, model_id: str | None = None) -> dict[str, int]:
    """How many traces the experiments (all if none given) hold, only a run's or a model's when given."""
    count = request.app.state.trace_store.count_traces(experiment_id, run_id=run_id, model_id=model_id)
    return {"count": count}
