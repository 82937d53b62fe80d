"""Bodies of the logged model endpoints. A model travels as `LoggedModel.to_dict()`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracekit.server.schemas.common_bodies import (
    IDS_LIMIT_TEXT,
    ExperimentIdText,
    Key,
    Name,
    PageSize,
    PageToken,
    ParamValue,
    RunIdText,
    StrictModel,
    TagValue,
)
from tracekit.server.schemas.run_bodies import MetricModel

LoggedModelStatusName = Literal["PENDING", "READY", "FAILED"]


class LoggedModelModel(BaseModel):
    """One logged model (`LoggedModel.to_dict()`); `metrics` holds the latest value of each linked metric."""

    model_id: str
    experiment_id: str
    name: str
    status: str
    creation_timestamp: int
    last_updated_timestamp: int
    source_run_id: str | None = None
    model_type: str | None = None
    artifact_location: str | None = None
    lifecycle_stage: str
    tags: dict[str, str]
    params: dict[str, str]
    metrics: list[MetricModel]


class CreateLoggedModelRequest(StrictModel):
    """A new logged model in an active experiment: PENDING until finalized, or READY at once for an external
    model."""

    experiment_id: ExperimentIdText
    name: Name
    status: LoggedModelStatusName = "PENDING"
    source_run_id: RunIdText | None = None
    model_type: Key | None = None
    tags: dict[Key, TagValue] = Field(default_factory=dict)
    params: dict[Key, ParamValue] = Field(default_factory=dict)


class FinalizeLoggedModelRequest(StrictModel):
    """The model's final status: READY or FAILED."""

    status: LoggedModelStatusName


class SetLoggedModelTagsRequest(StrictModel):
    """Tags to add or replace."""

    tags: dict[Key, TagValue]


class LogLoggedModelParamsRequest(StrictModel):
    """Params to log; one already logged with another value is a 400."""

    params: dict[Key, ParamValue]


class OrderByField(StrictModel):
    """One sort key of a logged model search."""

    model_config = ConfigDict(strict=True, extra="allow")

    field_name: str = Field(description="e.g. `metrics.accuracy`, `creation_time`, `name`")
    ascending: bool = True


class DatasetFilter(StrictModel):
    """A dataset metric comparisons are restricted to: its name, and optionally its digest."""

    dataset_name: str = Field(min_length=1)
    dataset_digest: str | None = Field(None, min_length=1)


class SearchLoggedModelsRequest(StrictModel):
    """A search, as `tracekit.search_logged_models` takes it. `experiment_ids` empty: every experiment."""

    experiment_ids: list[str] = Field(default_factory=list, description=IDS_LIMIT_TEXT)
    filter_string: str | None = Field(None, description="e.g. `metrics.accuracy > 0.9 AND tags.stage = 'prod'`")
    max_results: PageSize = 100
    order_by: list[OrderByField | str] | None = Field(
        None, description="`{\"field_name\", \"ascending\"}` objects (or `\"metrics.accuracy DESC\"` clauses)")
    page_token: PageToken = None
    datasets: list[DatasetFilter] | None = Field(
        None, max_length=100, description="Metric comparisons only look at metrics logged with one of these datasets")


class SearchLoggedModelsResponse(StrictModel):
    """One page of logged models, newest first unless `order_by` said otherwise."""

    models: list[LoggedModelModel]
    next_page_token: str | None = None
