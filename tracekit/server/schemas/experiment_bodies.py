"""Bodies of the experiment endpoints. An experiment travels as `Experiment.to_dict()`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tracekit.server.schemas.common_bodies import (
    ExperimentIdText,
    Key,
    Name,
    PageSize,
    PageToken,
    StrictModel,
    TagValue,
    ViewTypeName,
)
from tracekit.store.sql.schema import LOCATION_LENGTH


class ExperimentModel(BaseModel):
    """One experiment (`Experiment.to_dict()`); times in ms since the epoch."""

    experiment_id: str
    name: str
    artifact_location: str | None = None
    lifecycle_stage: str = Field(description="`active` or `deleted`")
    tags: dict[str, str]
    creation_time: int | None = None
    last_update_time: int | None = None


class CreateExperimentRequest(StrictModel):
    """A new experiment; the name must not be taken (deleted experiments keep theirs)."""

    name: Name
    artifact_location: str | None = Field(None, max_length=LOCATION_LENGTH)
    tags: dict[Key, TagValue] = Field(default_factory=dict)


class CreateExperimentResponse(StrictModel):
    """The new experiment's id."""

    experiment_id: ExperimentIdText


class SearchExperimentsRequest(StrictModel):
    """A search, as `tracekit.search_experiments` takes it."""

    max_results: PageSize = 100
    page_token: PageToken = None
    filter_string: str | None = Field(None, description="e.g. `name LIKE 'fraud%' AND tags.team = 'risk'`")
    view_type: ViewTypeName = "ACTIVE_ONLY"
    order_by: list[str] | None = Field(None, description="e.g. `[\"name ASC\"]`")


class SearchExperimentsResponse(StrictModel):
    """One page of experiments, most recently updated first unless `order_by` said otherwise."""

    experiments: list[ExperimentModel]
    next_page_token: str | None = None
