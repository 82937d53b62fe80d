"""Bodies of the run endpoints. A run travels as `Run.to_dict()`: `{"info": {...}, "data": {"metrics", "params",
"tags"}}`. JSON has no NaN, so a NaN metric value travels as null (both ways)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tracekit.server.schemas.common_bodies import (
    IDS_LIMIT_TEXT,
    ExperimentIdText,
    Int64,
    Key,
    ModelIdText,
    Name,
    PageSize,
    PageToken,
    ParamValue,
    StrictModel,
    TagValue,
    ViewTypeName,
)
from tracekit.store.column_limits import DATASET_PROFILE_LENGTH, DATASET_SOURCE_LENGTH
from tracekit.store.sql.schema import DIGEST_LENGTH, KEY_LENGTH

RunStatusName = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
MetricValue = float | None
Digest = Annotated[str, Field(min_length=1, max_length=DIGEST_LENGTH)]
INPUTS_LIMIT = 1000


class RunInfoModel(BaseModel):
    """What a run is: ids, name, status, times in ms since the epoch."""

    run_id: str
    experiment_id: str
    run_name: str | None = None
    status: str
    start_time: int
    end_time: int | None = None
    user_id: str | None = None
    lifecycle_stage: str = Field(description="`active` or `deleted`")
    artifact_uri: str | None = None


class RunDataModel(BaseModel):
    """What was logged: params, each metric's latest value (null: NaN), tags."""

    metrics: dict[str, MetricValue]
    params: dict[str, str]
    tags: dict[str, str]


class DatasetModel(StrictModel):
    """A dataset as stored: name and digest identify it in an experiment; `source` and `profile` are JSON text,
    `schema` a `tracekit.types.Schema` as JSON text."""

    name: Name
    digest: Digest
    source_type: Key
    source: str = Field(max_length=DATASET_SOURCE_LENGTH)
    schema_: str | None = Field(None, alias="schema")
    profile: str | None = Field(None, max_length=DATASET_PROFILE_LENGTH)


class InputTagModel(StrictModel):
    """A tag of one dataset input (`mlflow.data.context`: "training", ...)."""

    key: Key
    value: TagValue


class DatasetInputModel(StrictModel):
    """A dataset a run used, with the tags of that use."""

    dataset: DatasetModel
    tags: list[InputTagModel] = Field(default_factory=list, max_length=INPUTS_LIMIT)


class LoggedModelInputModel(StrictModel):
    """A logged model a run used."""

    model_id: ModelIdText


class RunInputsModel(StrictModel):
    """The datasets and models a run used."""

    dataset_inputs: list[DatasetInputModel] = Field(default_factory=list)
    model_inputs: list[LoggedModelInputModel] = Field(default_factory=list)


class RunModel(BaseModel):
    """One run (`Run.to_dict()`)."""

    info: RunInfoModel
    data: RunDataModel
    inputs: RunInputsModel = Field(default_factory=RunInputsModel)


class LogInputsRequest(StrictModel):
    """Datasets (with their input tags) and logged models a run used, recorded in one transaction."""

    datasets: list[DatasetInputModel] = Field(default_factory=list, max_length=INPUTS_LIMIT)
    models: list[LoggedModelInputModel] = Field(default_factory=list, max_length=INPUTS_LIMIT)


class MetricModel(StrictModel):
    """One point of a metric: value (null: NaN) at a step and a time in ms since the epoch; `model_id` links it to
    a logged model too."""

    key: Key
    value: MetricValue
    timestamp: Int64
    step: Int64 = 0
    run_id: str | None = Field(None, description="Ignored when logging (the run is in the path).")
    model_id: ModelIdText | None = None
    dataset_name: Name | None = Field(None, description="The dataset the point measured (with `dataset_digest`).")
    dataset_digest: Digest | None = None


class CreateRunRequest(StrictModel):
    """A new RUNNING run in an active experiment."""

    experiment_id: ExperimentIdText
    run_name: Name | None = None
    start_time: Int64
    tags: dict[Key, TagValue] = Field(default_factory=dict)
    user_id: str | None = Field(None, max_length=KEY_LENGTH)


class UpdateRunRequest(StrictModel):
    """A run's new status and end time (null clears it, for a resumed run), and its new name if given."""

    status: RunStatusName
    end_time: Int64 | None = None
    run_name: Name | None = None


class LogBatchRequest(StrictModel):
    """Metrics, params and tags logged in one transaction; a param already logged with another value is a 400 and
    nothing of the batch is written."""

    metrics: list[MetricModel] = Field(default_factory=list)
    params: dict[Key, ParamValue] = Field(default_factory=dict)
    tags: dict[Key, TagValue] = Field(default_factory=dict)


class MetricHistoryResponse(StrictModel):
    """Every logged point of one metric of a run, by step then time."""

    metrics: list[MetricModel]


class MetricSeriesResponse(StrictModel):
    """One page of a metric's points, by step then time, as columns (a NaN value is null); `next_page_token`
    fetches the next (null: last page)."""

    steps: list[int]
    timestamps: list[int]
    values: list[float | None]
    next_page_token: str | None = None


class SearchRunsRequest(StrictModel):
    """A search, as `tracekit.search_runs` takes it. `experiment_ids` empty: every experiment."""

    experiment_ids: list[str] = Field(default_factory=list, description=IDS_LIMIT_TEXT)
    filter_string: str | None = Field(None, description="e.g. `metrics.accuracy > 0.9 AND params.model = 'rf'`")
    max_results: PageSize = 100
    order_by: list[str] | None = Field(None, description="e.g. `[\"metrics.accuracy DESC\"]`")
    page_token: PageToken = None
    run_view_type: ViewTypeName = "ACTIVE_ONLY"


class SearchRunsResponse(StrictModel):
    """One page of runs, newest first unless `order_by` said otherwise."""

    runs: list[RunModel]
    next_page_token: str | None = None
