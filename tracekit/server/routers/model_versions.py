"""The model version API: versions of a registered model under /api/v1/registered-models/{name}/versions (create,
get, update, delete, tags, stage) and the search across models at /api/v1/model-versions/search. One endpoint per
`ModelRegistryStore` method."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.server.dependencies import JSONBytesResponse, get_registry_store
from tracekit.server.routers.registered_models import NOT_FOUND, NamePath
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, SetTagRequest
from tracekit.server.schemas.registry_bodies import (
    CreateModelVersionRequest,
    ModelVersionModel,
    ModelVersionsResponse,
    SearchRegistryRequest,
    TransitionStageRequest,
    UpdateDescriptionRequest,
)
from tracekit.store.sql.schema import KEY_LENGTH

router = APIRouter(prefix="/registered-models/{name}/versions", tags=["model registry"], responses=ERROR_RESPONSES)
search_router = APIRouter(prefix="/model-versions", tags=["model registry"], responses=ERROR_RESPONSES)

Store = Depends(get_registry_store)
VersionPath = Path(ge=1, le=2**31 - 1, description="The version number (1, 2, ...)")


@router.post("", response_model=ModelVersionModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
             summary="Create a model version")
def create_model_version(request: CreateModelVersionRequest, name: str = NamePath,
                         store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Add the next version of the registered model (concurrent requests get distinct consecutive numbers)."""
    version = store.create_model_version(name, request.source, run_id=request.run_id, tags=request.tags,
                                         run_link=request.run_link, description=request.description,
                                         model_id=request.model_id)
    return JSONBytesResponse(version.to_dict())


@router.get("/{version}", response_model=ModelVersionModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
            summary="Get a model version")
def get_model_version(name: str = NamePath, version: int = VersionPath,
                      store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """One version with its tags and aliases."""
    return JSONBytesResponse(store.get_model_version(name, version).to_dict())


@router.patch("/{version}", response_model=ModelVersionModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
              summary="Update a model version's description")
def update_model_version(request: UpdateDescriptionRequest, name: str = NamePath, version: int = VersionPath,
                         store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Set the version's description."""
    return JSONBytesResponse(store.update_model_version(name, version, request.description).to_dict())


@router.delete("/{version}", status_code=204, responses=NOT_FOUND, summary="Delete a model version")
def delete_model_version(name: str = NamePath, version: int = VersionPath, store: ModelRegistryStore = Store) -> None:
    """Delete the version with its tags and aliases; its number is never given again."""
    store.delete_model_version(name, version)


@router.post("/{version}/tags", status_code=204, responses=NOT_FOUND, summary="Set a tag of a model version")
def set_model_version_tag(request: SetTagRequest, name: str = NamePath, version: int = VersionPath,
                          store: ModelRegistryStore = Store) -> None:
    """Add or replace one tag of the version."""
    store.set_model_version_tag(name, version, request.key, request.value)


@router.delete("/{version}/tags", status_code=204, responses=NOT_FOUND, summary="Delete a tag of a model version")
def delete_model_version_tag(name: str = NamePath, version: int = VersionPath,
                             key: str = Query(min_length=1, max_length=KEY_LENGTH, description="The tag's key"),
                             store: ModelRegistryStore = Store) -> None:
    """Remove one tag of the version (404 if the version or the tag does not exist)."""
    store.delete_model_version_tag(name, version, key)


@router.post("/{version}/stage", response_model=ModelVersionModel, response_class=JSONBytesResponse,
             responses=NOT_FOUND, summary="Move a model version to a stage")
def transition_model_version_stage(request: TransitionStageRequest, name: str = NamePath,
                                   version: int = VersionPath, store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Move the version to a stage, archiving the versions already there if asked (Staging, Production)."""
    moved = store.transition_model_version_stage(name, version, request.stage, request.archive_existing_versions)
    return JSONBytesResponse(moved.to_dict())


@search_router.post("/search", response_model=ModelVersionsResponse, response_class=JSONBytesResponse,
                    summary="Search model versions")
def search_model_versions(request: SearchRegistryRequest, store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """One page of versions matching `filter_string` (`name`, `version_number`, `run_id`, `model_id`,
    `source_path`, `tags.<key>`, `IN` lists), by name then newest version first unless `order_by` says otherwise."""
    page = store.search_model_versions(request.filter_string, request.max_results, request.order_by,
                                       request.page_token)
    return JSONBytesResponse({"model_versions": [version.to_dict() for version in page],
                              "next_page_token": page.token})
