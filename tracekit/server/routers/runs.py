"""The run API under /api/v1/runs: create, get, update (status, end time, name), delete, log a batch of metrics,
params and tags, log inputs (datasets, models), delete a tag, metric history, search. One endpoint per
`TrackingStore` method; endpoints run in FastAPI's thread pool, since the store blocks on the database."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from tracekit.entities import Dataset, DatasetInput, InputTag, LoggedModelInput, Metric, ViewType
from tracekit.entities.run import metric_value_from_json
from tracekit.server.dependencies import JSONBytesResponse, get_tracking_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses
from tracekit.server.schemas.run_bodies import (
    CreateRunRequest,
    LogBatchRequest,
    LogInputsRequest,
    MetricHistoryResponse,
    MetricModel,
    MetricSeriesResponse,
    RunInfoModel,
    RunModel,
    SearchRunsRequest,
    SearchRunsResponse,
    UpdateRunRequest,
)
from tracekit.store.sql.schema import KEY_LENGTH, RUN_ID_LENGTH
from tracekit.store.tracking_store import TrackingStore
from tracekit.validation import metric_value

router = APIRouter(prefix="/runs", tags=["runs"], responses=ERROR_RESPONSES)

Store = Depends(get_tracking_store)
RunIdPath = Path(min_length=1, max_length=RUN_ID_LENGTH, description="The run's id (32 hex digits)")
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No run with that id (or no such tag)."}}
NOT_FOUND_OR_STATE: Responses = {**NOT_FOUND, 409: {"model": ErrorResponse,
                                         "description": "The run or its experiment is deleted (INVALID_STATE)."}}


def to_metric(model: MetricModel) -> Metric:
    """The `Metric` entity of a logged point (infinities clamped as the fluent API does; null is NaN)."""
    return Metric(key=model.key, value=metric_value(model.key, metric_value_from_json(model.value)),
                  timestamp=model.timestamp, step=model.step, model_id=model.model_id, dataset_name=model.dataset_name,
                  dataset_digest=model.dataset_digest)


@router.post("", response_model=RunModel, response_class=JSONBytesResponse, responses=NOT_FOUND_OR_STATE,
             summary="Create a run")
def create_run(request: CreateRunRequest, store: TrackingStore = Store) -> JSONBytesResponse:
    """Create a RUNNING run in an active experiment (its name is also kept as the `mlflow.runName` tag)."""
    run = store.create_run(request.experiment_id, request.run_name, request.start_time, request.tags,
                           user_id=request.user_id)
    return JSONBytesResponse(run.to_dict())


@router.post("/search", response_model=SearchRunsResponse, response_class=JSONBytesResponse, summary="Search runs")
def search_runs(request: SearchRunsRequest, store: TrackingStore = Store) -> JSONBytesResponse:
    """One page of runs matching `filter_string` (same grammar as `tracekit.search_runs`: `metrics.<name>`,
    `params.<name>`, `tags.<key>`, `status`, `run_name`, `start_time`, ...). Pass `next_page_token` back as
    `page_token` for the next page."""
    page = store.search_runs(request.experiment_ids, request.filter_string, ViewType.parse(request.run_view_type),
                             request.max_results, request.order_by, request.page_token)
    return JSONBytesResponse({"runs": [run.to_dict() for run in page], "next_page_token": page.token})


@router.get("/{run_id}", response_model=RunModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
            summary="Get a run")
def get_run(run_id: str = RunIdPath, store: TrackingStore = Store) -> JSONBytesResponse:
    """The run with its params, latest metrics and tags (deleted runs too)."""
    return JSONBytesResponse(store.get_run(run_id).to_dict())


@router.patch("/{run_id}", response_model=RunInfoModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
              summary="Update a run's status, end time and name")
def update_run(request: UpdateRunRequest, run_id: str = RunIdPath, store: TrackingStore = Store) -> JSONBytesResponse:
    """Set the run's status and end time (null clears it, for a resumed run), and its name if given; returns the
    run's info."""
    info = store.update_run_info(run_id, request.status, request.end_time, request.run_name)
    return JSONBytesResponse(info.to_dict())


@router.delete("/{run_id}", status_code=204, responses=NOT_FOUND, summary="Delete a run")
def delete_run(run_id: str = RunIdPath, store: TrackingStore = Store) -> None:
    """Mark the run deleted (kept, with its data; searches skip it unless asked for deleted runs)."""
    store.delete_run(run_id)


@router.post("/{run_id}/log-batch", status_code=204, responses=NOT_FOUND_OR_STATE,
             summary="Log metrics, params and tags")
def log_batch(request: LogBatchRequest, run_id: str = RunIdPath, store: TrackingStore = Store) -> None:
    """Log metrics, params and tags to the run in one transaction. A param already logged with another value is a
    400 and nothing is written; a metric with a `model_id` is linked to that model too (404 if it does not
    exist)."""
    store.log_batch(run_id, [to_metric(point) for point in request.metrics], request.params, request.tags)


@router.post("/{run_id}/log-inputs", status_code=204, responses=NOT_FOUND_OR_STATE,
             summary="Log the datasets and models a run used")
def log_inputs(request: LogInputsRequest, run_id: str = RunIdPath, store: TrackingStore = Store) -> None:
    """Record datasets (each kept once per experiment by name and digest, with the tags of this use) and logged
    models the run used, in one transaction (404 if the run or a model does not exist)."""
    datasets = [DatasetInput(Dataset(name=item.dataset.name, digest=item.dataset.digest,
                                     source_type=item.dataset.source_type, source=item.dataset.source,
                                     schema=item.dataset.schema_, profile=item.dataset.profile),
                             tuple(InputTag(tag.key, tag.value) for tag in item.tags))
                for item in request.datasets]
    store.log_inputs(run_id, datasets, [LoggedModelInput(item.model_id) for item in request.models])


@router.delete("/{run_id}/tags", status_code=204, responses=NOT_FOUND_OR_STATE, summary="Delete a tag of a run")
def delete_run_tag(run_id: str = RunIdPath, key: str = Query(min_length=1, max_length=KEY_LENGTH,
                                                              description="The tag's key"),
                   store: TrackingStore = Store) -> None:
    """Remove one tag of the run (404 if the run or the tag does not exist)."""
    store.delete_tag(run_id, key)


@router.get("/{run_id}/metric-history", response_model=MetricHistoryResponse, response_class=JSONBytesResponse,
            responses=NOT_FOUND, summary="Every point of one metric of a run")
def get_metric_history(run_id: str = RunIdPath, key: str = Query(min_length=1, max_length=KEY_LENGTH,
                                                                  description="The metric's key"),
                       store: TrackingStore = Store) -> JSONBytesResponse:
    """Every logged point of the metric, by step then time (a NaN value is null)."""
    return JSONBytesResponse({"metrics": [point.to_dict() for point in store.get_metric_history(run_id, key)]})


MAX_HISTORY_PAGE = 100_000


@router.get("/{run_id}/metric-history/page", response_model=MetricSeriesResponse,
            response_class=JSONBytesResponse, responses=NOT_FOUND, summary="One page of a metric's history, as columns")
def get_metric_series(run_id: str = RunIdPath,
                      key: str = Query(min_length=1, max_length=KEY_LENGTH, description="The metric's key"),
                      max_results: int = Query(25_000, ge=1, le=MAX_HISTORY_PAGE, description="Points per page"),
                      page_token: str | None = Query(None, pattern=r"^[0-9]{1,12}$",
                                                     description="next_page_token of the previous page"),
                      store: TrackingStore = Store) -> JSONBytesResponse:
    """At most `max_results` points of the metric, by step then time, as three columns (a NaN value is null); pass
    `next_page_token` back as `page_token` for the next points. The explorer's charts read it."""
    offset = int(page_token or 0)
    series = store.get_metric_series(run_id, key, max_results, offset)
    return JSONBytesResponse({"steps": series.steps, "timestamps": series.timestamps, "values": series.values,
                              "next_page_token": str(offset + max_results) if series.more else None})
