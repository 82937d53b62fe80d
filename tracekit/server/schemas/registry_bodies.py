"""Bodies of the model registry endpoints. A registered model travels as `RegisteredModel.to_dict()`, a version as
`ModelVersion.to_dict()`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from tracekit.server.schemas.common_bodies import (
    Key,
    ModelIdText,
    Name,
    PageSize,
    PageToken,
    RunIdText,
    StrictModel,
    TagValue,
)
from tracekit.store.sql.schema import LOCATION_LENGTH

Description = Annotated[str, Field(max_length=65_535)]
Location = Annotated[str, Field(min_length=1, max_length=LOCATION_LENGTH)]


class ModelVersionModel(BaseModel):
    """One version of a registered model (`ModelVersion.to_dict()`)."""

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    source: str
    status: str
    current_stage: str
    run_id: str | None = None
    model_id: str | None = None
    run_link: str | None = None
    description: str | None = None
    user_id: str | None = None
    status_message: str | None = None
    tags: dict[str, str]
    aliases: list[str]


class RegisteredModelModel(BaseModel):
    """One registered model (`RegisteredModel.to_dict()`): `aliases` maps alias -> version, `latest_versions` holds
    the newest version of each stage."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    tags: dict[str, str]
    aliases: dict[str, int]
    latest_versions: list[ModelVersionModel]


class CreateRegisteredModelRequest(StrictModel):
    """A new registered model (no versions yet); 409 if the name is taken."""

    name: Name
    tags: dict[Key, TagValue] = Field(default_factory=dict)
    description: Description | None = None


class RenameRegisteredModelRequest(StrictModel):
    """The model's new name; 409 if it is taken."""

    new_name: Name


class UpdateDescriptionRequest(StrictModel):
    """A new description (null clears it)."""

    description: Description | None = None


class CreateModelVersionRequest(StrictModel):
    """The next version of an existing registered model."""

    source: Location = Field(description="`models:/<model_id>`, `runs:/<run_id>/<path>` or a storage location")
    run_id: RunIdText | None = None
    model_id: ModelIdText | None = None
    run_link: Location | None = None
    description: Description | None = None
    tags: dict[Key, TagValue] = Field(default_factory=dict)


class TransitionStageRequest(StrictModel):
    """The stage to move a version to (None, Staging, Production, Archived; any case)."""

    stage: Annotated[str, Field(min_length=1, max_length=32)]
    archive_existing_versions: bool = False


class SetAliasRequest(StrictModel):
    """Point an alias at a version."""

    alias: Key
    version: Annotated[int, Field(ge=1, le=2**31 - 1)]


class LatestVersionsRequest(StrictModel):
    """Stages to report the newest version of (empty: every stage)."""

    stages: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=10)


class SearchRegistryRequest(StrictModel):
    """A search, as `TracekitClient.search_registered_models` / `search_model_versions` take it."""

    filter_string: str | None = Field(None, description="e.g. `name LIKE 'churn%' AND tags.team = 'growth'`")
    max_results: PageSize = 100
    order_by: list[str] | None = Field(None, description="e.g. `[\"name ASC\", \"last_updated_timestamp DESC\"]`")
    page_token: PageToken = None


class SearchRegisteredModelsResponse(StrictModel):
    """One page of registered models."""

    registered_models: list[RegisteredModelModel]
    next_page_token: str | None = None


class ModelVersionsResponse(StrictModel):
    """Versions: one page of a search (with `next_page_token`), or the latest versions per stage."""

    model_versions: list[ModelVersionModel]
    next_page_token: str | None = None
