"""The experiment API under /api/v1/experiments: create, get (by id or name), search, tag, delete. One endpoint per
`TrackingStore` method; endpoints run in FastAPI's thread pool, since the store blocks on the database."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from tracekit.entities import ViewType
from tracekit.exceptions import ResourceNotFoundError
from tracekit.server.dependencies import JSONBytesResponse, get_tracking_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses, SetTagRequest
from tracekit.server.schemas.experiment_bodies import (
    CreateExperimentRequest,
    CreateExperimentResponse,
    ExperimentModel,
    SearchExperimentsRequest,
    SearchExperimentsResponse,
)
from tracekit.store.sql.schema import EXPERIMENT_ID_LENGTH, NAME_LENGTH
from tracekit.store.tracking_store import TrackingStore

router = APIRouter(prefix="/experiments", tags=["experiments"], responses=ERROR_RESPONSES)

Store = Depends(get_tracking_store)
ExperimentIdPath = Path(min_length=1, max_length=EXPERIMENT_ID_LENGTH, description="The experiment's id")
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No experiment with that id."}}
CONFLICT: Responses = {409: {"model": ErrorResponse, "description": "The name is taken (RESOURCE_ALREADY_EXISTS)."}}


@router.post("", response_model=CreateExperimentResponse, responses=CONFLICT, summary="Create an experiment")
def create_experiment(request: CreateExperimentRequest, store: TrackingStore = Store) -> CreateExperimentResponse:
    """Create an experiment and return its id; a name already taken (even by a deleted experiment) is a 409."""
    experiment_id = store.create_experiment(request.name, request.artifact_location, request.tags)
    return CreateExperimentResponse(experiment_id=experiment_id)


@router.post("/search", response_model=SearchExperimentsResponse, response_class=JSONBytesResponse,
             summary="Search experiments")
def search_experiments(request: SearchExperimentsRequest, store: TrackingStore = Store) -> JSONBytesResponse:
    """One page of experiments matching `filter_string` (fields: name, experiment_id, creation_time,
    last_update_time, tags.<key>). Pass `next_page_token` back as `page_token` for the next page."""
    page = store.search_experiments(ViewType.parse(request.view_type), request.max_results, request.filter_string,
                                    request.order_by, request.page_token)
    return JSONBytesResponse({"experiments": [e.to_dict() for e in page], "next_page_token": page.token})


@router.get("/get-by-name", response_model=ExperimentModel, response_class=JSONBytesResponse,
            responses={404: {"model": ErrorResponse, "description": "No experiment with that name."}},
            summary="Get an experiment by name")
def get_experiment_by_name(experiment_name: str = Query(min_length=1, max_length=NAME_LENGTH),
                           store: TrackingStore = Store) -> JSONBytesResponse:
    """The experiment with exactly that name (deleted ones too)."""
    experiment = store.get_experiment_by_name(experiment_name)
    if experiment is None:
        raise ResourceNotFoundError(f"Experiment named {experiment_name!r} does not exist.")
    return JSONBytesResponse(experiment.to_dict())


@router.get("/{experiment_id}", response_model=ExperimentModel, response_class=JSONBytesResponse,
            responses=NOT_FOUND, summary="Get an experiment")
def get_experiment(experiment_id: str = ExperimentIdPath, store: TrackingStore = Store) -> JSONBytesResponse:
    """The experiment with that id (deleted ones too)."""
    return JSONBytesResponse(store.get_experiment(experiment_id).to_dict())


@router.delete("/{experiment_id}", status_code=204, responses=NOT_FOUND, summary="Delete an experiment")
def delete_experiment(experiment_id: str = ExperimentIdPath, store: TrackingStore = Store) -> None:
    """Mark the experiment and its runs deleted (kept, with their data); the default experiment "0" cannot be."""
    store.delete_experiment(experiment_id)


@router.post("/{experiment_id}/tags", status_code=204, responses=NOT_FOUND, summary="Set a tag on an experiment")
def set_experiment_tag(request: SetTagRequest, experiment_id: str = ExperimentIdPath,
                       store: TrackingStore = Store) -> None:
    """Add or replace one tag of an experiment."""
    store.set_experiment_tag(experiment_id, request.key, request.value)
