"""The logged model API under /api/v1/logged-models: create, get, finalize, tags, params, search. One endpoint per
`TrackingStore` method; endpoints run in FastAPI's thread pool, since the store blocks on the database."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from tracekit.entities import LoggedModelStatus
from tracekit.server.dependencies import JSONBytesResponse, get_tracking_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses
from tracekit.server.schemas.logged_model_bodies import (
    CreateLoggedModelRequest,
    FinalizeLoggedModelRequest,
    LoggedModelModel,
    LogLoggedModelParamsRequest,
    SearchLoggedModelsRequest,
    SearchLoggedModelsResponse,
    SetLoggedModelTagsRequest,
)
from tracekit.store.sql.schema import KEY_LENGTH, MODEL_ID_LENGTH
from tracekit.store.tracking_store import TrackingStore

router = APIRouter(prefix="/logged-models", tags=["logged models"], responses=ERROR_RESPONSES)

Store = Depends(get_tracking_store)
ModelIdPath = Path(min_length=1, max_length=MODEL_ID_LENGTH, description="The model's id (`m-` and 32 hex digits)")
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No logged model with that id (or no such tag)."}}


@router.post("", response_model=LoggedModelModel, response_class=JSONBytesResponse,
             responses={404: {"model": ErrorResponse, "description": "No such experiment or source run."},
                        409: {"model": ErrorResponse, "description": "The experiment is deleted (INVALID_STATE)."}},
             summary="Create a logged model")
def create_logged_model(request: CreateLoggedModelRequest, store: TrackingStore = Store) -> JSONBytesResponse:
    """Create a logged model (id `m-<32 hex>`) in an active experiment."""
    model = store.create_logged_model(request.experiment_id, request.name, LoggedModelStatus(request.status),
                                      source_run_id=request.source_run_id, model_type=request.model_type,
                                      tags=request.tags, params=request.params)
    return JSONBytesResponse(model.to_dict())


@router.post("/search", response_model=SearchLoggedModelsResponse, response_class=JSONBytesResponse,
             summary="Search logged models")
def search_logged_models(request: SearchLoggedModelsRequest, store: TrackingStore = Store) -> JSONBytesResponse:
    """One page of logged models matching `filter_string` (same grammar as `tracekit.search_logged_models`:
    `name`, `status`, `model_type`, `source_run_id`, `creation_time`, `tags.<key>`, `params.<name>`,
    `metrics.<name>`). Pass `next_page_token` back as `page_token` for the next page."""
    order_by = None if request.order_by is None else [
        clause if isinstance(clause, str) else clause.model_dump() for clause in request.order_by]
    datasets = None if not request.datasets else [entry.model_dump(exclude_none=True) for entry in request.datasets]
    page = store.search_logged_models(request.experiment_ids, request.filter_string, request.max_results, order_by,
                                      request.page_token, datasets=datasets)
    return JSONBytesResponse({"models": [model.to_dict() for model in page], "next_page_token": page.token})


@router.get("/{model_id}", response_model=LoggedModelModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
            summary="Get a logged model")
def get_logged_model(model_id: str = ModelIdPath, store: TrackingStore = Store) -> JSONBytesResponse:
    """The logged model with its tags, params and latest metrics."""
    return JSONBytesResponse(store.get_logged_model(model_id).to_dict())


@router.post("/{model_id}/finalize", response_model=LoggedModelModel, response_class=JSONBytesResponse,
             responses=NOT_FOUND, summary="Finalize a logged model")
def finalize_logged_model(request: FinalizeLoggedModelRequest, model_id: str = ModelIdPath,
                          store: TrackingStore = Store) -> JSONBytesResponse:
    """Set the model's final status, READY or FAILED (another status is a 400)."""
    return JSONBytesResponse(store.finalize_logged_model(model_id, LoggedModelStatus(request.status)).to_dict())


@router.post("/{model_id}/tags", status_code=204, responses=NOT_FOUND, summary="Set tags of a logged model")
def set_logged_model_tags(request: SetLoggedModelTagsRequest, model_id: str = ModelIdPath,
                          store: TrackingStore = Store) -> None:
    """Add or replace tags of the model."""
    store.set_logged_model_tags(model_id, request.tags)


@router.delete("/{model_id}/tags", status_code=204, responses=NOT_FOUND, summary="Delete a tag of a logged model")
def delete_logged_model_tag(model_id: str = ModelIdPath,
                            key: str = Query(min_length=1, max_length=KEY_LENGTH, description="The tag's key"),
                            store: TrackingStore = Store) -> None:
    """Remove one tag of the model (404 if the model or the tag does not exist)."""
    store.delete_logged_model_tag(model_id, key)


@router.post("/{model_id}/params", status_code=204, responses=NOT_FOUND, summary="Log params of a logged model")
def log_logged_model_params(request: LogLoggedModelParamsRequest, model_id: str = ModelIdPath,
                            store: TrackingStore = Store) -> None:
    """Log params of the model; one already logged with another value is a 400."""
    store.log_logged_model_params(model_id, request.params)
