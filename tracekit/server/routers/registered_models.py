"""The registered model API under /api/v1/registered-models: create, get, rename, update, delete, search, tags,
aliases and the latest version per stage (versions themselves: `model_versions`). One endpoint per
`ModelRegistryStore` method; endpoints run in FastAPI's thread pool, since the store blocks on the database."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.server.dependencies import JSONBytesResponse, get_registry_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses, SetTagRequest
from tracekit.server.schemas.registry_bodies import (
    CreateRegisteredModelRequest,
    LatestVersionsRequest,
    ModelVersionModel,
    ModelVersionsResponse,
    RegisteredModelModel,
    RenameRegisteredModelRequest,
    SearchRegisteredModelsResponse,
    SearchRegistryRequest,
    SetAliasRequest,
    UpdateDescriptionRequest,
)
from tracekit.store.sql.schema import KEY_LENGTH, NAME_LENGTH

router = APIRouter(prefix="/registered-models", tags=["model registry"], responses=ERROR_RESPONSES)

Store = Depends(get_registry_store)
NamePath = Path(min_length=1, max_length=NAME_LENGTH, description="The registered model's name")
AliasPath = Path(min_length=1, max_length=KEY_LENGTH, description="The alias, e.g. `champion`")
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No registered model with that name (or no "
                                                                      "such tag, alias or version)."}}
TAKEN: Responses = {409: {"model": ErrorResponse, "description": "The name is taken (RESOURCE_ALREADY_EXISTS)."}}


@router.post("", response_model=RegisteredModelModel, response_class=JSONBytesResponse, responses=TAKEN,
             summary="Create a registered model")
def create_registered_model(request: CreateRegisteredModelRequest,
                            store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Create a registered model with no versions (409 if the name is taken; 400 for a name with `/` or `@`)."""
    model = store.create_registered_model(request.name, request.tags, request.description)
    return JSONBytesResponse(model.to_dict())


@router.post("/search", response_model=SearchRegisteredModelsResponse, response_class=JSONBytesResponse,
             summary="Search registered models")
def search_registered_models(request: SearchRegistryRequest, store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """One page of registered models matching `filter_string` (`name`, `name LIKE/ILIKE`, `tags.<key>`), by name
    unless `order_by` says otherwise. Pass `next_page_token` back as `page_token` for the next page."""
    page = store.search_registered_models(request.filter_string, request.max_results, request.order_by,
                                          request.page_token)
    return JSONBytesResponse({"registered_models": [model.to_dict() for model in page],
                              "next_page_token": page.token})


@router.get("/{name}", response_model=RegisteredModelModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
            summary="Get a registered model")
def get_registered_model(name: str = NamePath, store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """The registered model with its tags, aliases and latest version per stage."""
    return JSONBytesResponse(store.get_registered_model(name).to_dict())


@router.post("/{name}/rename", response_model=RegisteredModelModel, response_class=JSONBytesResponse,
             responses={**NOT_FOUND, **TAKEN}, summary="Rename a registered model")
def rename_registered_model(request: RenameRegisteredModelRequest, name: str = NamePath,
                            store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Give the model a new, untaken name; its versions, tags and aliases follow."""
    return JSONBytesResponse(store.rename_registered_model(name, request.new_name).to_dict())


@router.patch("/{name}", response_model=RegisteredModelModel, response_class=JSONBytesResponse,
              responses=NOT_FOUND, summary="Update a registered model's description")
def update_registered_model(request: UpdateDescriptionRequest, name: str = NamePath,
                            store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """Set the model's description."""
    return JSONBytesResponse(store.update_registered_model(name, request.description).to_dict())


@router.delete("/{name}", status_code=204, responses=NOT_FOUND, summary="Delete a registered model")
def delete_registered_model(name: str = NamePath, store: ModelRegistryStore = Store) -> None:
    """Delete the model with all its versions, tags and aliases."""
    store.delete_registered_model(name)


@router.post("/{name}/tags", status_code=204, responses=NOT_FOUND, summary="Set a tag of a registered model")
def set_registered_model_tag(request: SetTagRequest, name: str = NamePath, store: ModelRegistryStore = Store) -> None:
    """Add or replace one tag of the model."""
    store.set_registered_model_tag(name, request.key, request.value)


@router.delete("/{name}/tags", status_code=204, responses=NOT_FOUND, summary="Delete a tag of a registered model")
def delete_registered_model_tag(name: str = NamePath,
                                key: str = Query(min_length=1, max_length=KEY_LENGTH, description="The tag's key"),
                                store: ModelRegistryStore = Store) -> None:
    """Remove one tag of the model (404 if the model or the tag does not exist)."""
    store.delete_registered_model_tag(name, key)


@router.post("/{name}/aliases", status_code=204, responses=NOT_FOUND, summary="Set an alias")
def set_registered_model_alias(request: SetAliasRequest, name: str = NamePath,
                               store: ModelRegistryStore = Store) -> None:
    """Point the alias at a version (400 for an alias that reads as a version: `latest`, `v3`, `3`)."""
    store.set_registered_model_alias(name, request.alias, request.version)


@router.get("/{name}/aliases/{alias}", response_model=ModelVersionModel, response_class=JSONBytesResponse,
            responses=NOT_FOUND, summary="Get the version an alias points at")
def get_model_version_by_alias(name: str = NamePath, alias: str = AliasPath,
                               store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """The version the alias points at (404 naming the alias if there is none)."""
    return JSONBytesResponse(store.get_model_version_by_alias(name, alias).to_dict())


@router.delete("/{name}/aliases/{alias}", status_code=204, responses=NOT_FOUND, summary="Delete an alias")
def delete_registered_model_alias(name: str = NamePath, alias: str = AliasPath,
                                  store: ModelRegistryStore = Store) -> None:
    """Remove the alias (404 if the model has no such alias)."""
    store.delete_registered_model_alias(name, alias)


@router.post("/{name}/latest-versions", response_model=ModelVersionsResponse, response_class=JSONBytesResponse,
             responses=NOT_FOUND, summary="Get the newest version per stage")
def get_latest_versions(request: LatestVersionsRequest, name: str = NamePath,
                        store: ModelRegistryStore = Store) -> JSONBytesResponse:
    """The newest version in each of `stages` (every stage when empty) that has one."""
    versions = store.get_latest_versions(name, request.stages or None)
    return JSONBytesResponse({"model_versions": [version.to_dict() for version in versions]})
