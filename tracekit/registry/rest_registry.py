"""`RestModelRegistryStore`: the model registry of a tracking server (`http://host:port`), over its REST API, on the
URI's shared `TrackingServerClient`. Each method is one request (a search asked for more than a page is several);
the server's 4xx answers come back as the exceptions a local store raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from tracekit.registry.entities import ModelVersion, RegisteredModel
from tracekit.registry.registry_checks import check_alias, check_model_name, check_stage, check_version
from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.store.paging import PagedList
from tracekit.store.rest.client import TrackingServerClient
from tracekit.store.rest.remote_traces import API_PREFIX
from tracekit.store.rest.remote_tracking import fetch_pages
from tracekit.store.search.grammar import MODEL_VERSION_FIELDS, REGISTERED_MODEL_FIELDS, parse_order_keys
from tracekit.store.uri import redact_uri

REGISTERED_MODELS = f"{API_PREFIX}/registered-models"
MODEL_VERSIONS = f"{API_PREFIX}/model-versions"


def _model(name: str, *rest: str) -> str:
    return "/".join((REGISTERED_MODELS, quote(name, safe=""), *rest))


def _version(name: str, version: int, *rest: str) -> str:
    return _model(name, "versions", str(check_version(version, name)), *rest)


def _order(order_by: Sequence[str] | None, fields: Any) -> list[str] | None:
    parse_order_keys(order_by, fields)  # a malformed clause raises here, as with a local store
    if not order_by:
        return None
    return [order_by] if isinstance(order_by, str) else list(order_by)


class RestModelRegistryStore(ModelRegistryStore):
    """The model registry of a tracking server.

    >>> store = RestModelRegistryStore("http://127.0.0.1:5000")
    >>> store.get_model_version_by_alias("churn", "champion")
    """

    def __init__(self, uri: str, client: TrackingServerClient | None = None) -> None:
        self.uri = uri
        self.client = client or TrackingServerClient(uri)

    def __repr__(self) -> str:
        return f"RestModelRegistryStore({redact_uri(self.uri)!r})"

    # --- registered models ----------------------------------------------------------------------------------------
    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str | None = None) -> RegisteredModel:
        """Create a registered model; RESOURCE_ALREADY_EXISTS if the name is taken."""
        return RegisteredModel.from_dict(self.client.request("POST", REGISTERED_MODELS, json={
            "name": check_model_name(name), "tags": dict(tags or {}), "description": description}))

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        return RegisteredModel.from_dict(self.client.request("GET", _model(name)))

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Give a registered model a new, untaken name."""
        return RegisteredModel.from_dict(self.client.request("POST", _model(name, "rename"),
                                                             json={"new_name": check_model_name(new_name)}))

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        """Set a registered model's description."""
        return RegisteredModel.from_dict(self.client.request("PATCH", _model(name),
                                                             json={"description": description}))

    def delete_registered_model(self, name: str) -> None:
        """Delete a registered model with all its versions, tags and aliases."""
        self.client.request("DELETE", _model(name))

    def search_registered_models(self, filter_string: str | None = None, max_results: int | None = None,
                                 order_by: Sequence[str] | None = None,
                                 page_token: str | None = None) -> PagedList[RegisteredModel]:
        """Registered models matching the filter; `max_results=None`: all of them."""
        request = {"filter_string": filter_string, "order_by": _order(order_by, REGISTERED_MODEL_FIELDS)}
        return fetch_pages(self.client, f"{REGISTERED_MODELS}/search", request, "registered_models",
                                   RegisteredModel.from_dict, max_results, page_token)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Add or replace one tag of a registered model."""
        self.client.request("POST", _model(name, "tags"), json={"key": key, "value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model."""
        self.client.request("DELETE", _model(name, "tags"), params={"key": key})

    # --- versions -------------------------------------------------------------------------------------------------
    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             tags: Mapping[str, str] | None = None, run_link: str | None = None,
                             description: str | None = None, model_id: str | None = None) -> ModelVersion:
        """Add the next version of an existing registered model."""
        return ModelVersion.from_dict(self.client.request("POST", _model(name, "versions"), json={
            "source": source, "run_id": run_id, "model_id": model_id, "run_link": run_link,
            "description": description, "tags": dict(tags or {})}))

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        """One version, with its tags and aliases."""
        return ModelVersion.from_dict(self.client.request("GET", _version(name, version)))

    def update_model_version(self, name: str, version: int, description: str | None) -> ModelVersion:
        """Set a version's description."""
        return ModelVersion.from_dict(self.client.request("PATCH", _version(name, version),
                                                          json={"description": description}))

    def delete_model_version(self, name: str, version: int) -> None:
        """Delete a version with its tags and aliases."""
        self.client.request("DELETE", _version(name, version))

    def search_model_versions(self, filter_string: str | None = None, max_results: int | None = None,
                              order_by: Sequence[str] | None = None,
                              page_token: str | None = None) -> PagedList[ModelVersion]:
        """Versions matching the filter; `max_results=None`: all of them."""
        request = {"filter_string": filter_string, "order_by": _order(order_by, MODEL_VERSION_FIELDS)}
        return fetch_pages(self.client, f"{MODEL_VERSIONS}/search", request, "model_versions", ModelVersion.from_dict,
                                   max_results, page_token)

    def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        """Add or replace one tag of a version."""
        self.client.request("POST", _version(name, version, "tags"), json={"key": key, "value": value})

    def delete_model_version_tag(self, name: str, version: int, key: str) -> None:
        """Remove one tag of a version."""
        self.client.request("DELETE", _version(name, version, "tags"), params={"key": key})

    def transition_model_version_stage(self, name: str, version: int, stage: str,
                                       archive_existing_versions: bool = False) -> ModelVersion:
        """Move a version to a stage."""
        return ModelVersion.from_dict(self.client.request("POST", _version(name, version, "stage"), json={
            "stage": check_stage(stage), "archive_existing_versions": bool(archive_existing_versions)}))

    def get_latest_versions(self, name: str, stages: Sequence[str] | None = None) -> list[ModelVersion]:
        """The newest version in each of `stages` (every stage when None or empty) that has one."""
        answer = self.client.request("POST", _model(name, "latest-versions"),
                                     json={"stages": [check_stage(stage) for stage in stages or ()]})
        return [ModelVersion.from_dict(version) for version in answer["model_versions"]]

    # --- aliases --------------------------------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int) -> None:
        """Point `alias` at a version."""
        self.client.request("POST", _model(name, "aliases"), json={
            "alias": check_alias(alias), "version": check_version(version, name)})

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias."""
        self.client.request("DELETE", _model(name, "aliases", quote(alias, safe="")))

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version `alias` points at."""
        return ModelVersion.from_dict(self.client.request("GET", _model(name, "aliases", quote(alias, safe=""))))

    def close(self) -> None:
        """Close pooled connections (shared with the URI's other stores; reopened on next use)."""
        self.client.close()
