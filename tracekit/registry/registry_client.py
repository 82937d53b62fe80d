"""The registry methods of `TracekitClient` (mixed into it), in MLflow's shape: registered models, versions,
aliases, tags and stages, each one call of the `ModelRegistryStore` at the client's registry URI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.registry.entities import ModelVersion, RegisteredModel
from tracekit.registry.registry_checks import check_model_name, check_version
from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.registry.registry_uri import registry_uri_for
from tracekit.store.backend import get_backend
from tracekit.store.paging import PagedList
from tracekit.validation import check_key, tag_items

_Version = int | str


class RegistryClientMethods:
    """Model registry calls of `TracekitClient`. The registry URI is the one given to the client, else the current
    registry URI when one is set, else the client's tracking URI.

    >>> client = TracekitClient()
    >>> client.set_registered_model_alias("churn", "champion", 3)
    >>> client.get_model_version_by_alias("churn", "champion").source
    'models:/m-...'
    """

    _tracking_uri: str | None
    _registry_uri: str | None = None

    @property
    def registry_uri(self) -> str:
        """The URI of the registry this client reads and writes."""
        return self._registry_uri or registry_uri_for(self._tracking_uri)

    @property
    def registry_store(self) -> ModelRegistryStore:
        """The registry store behind `registry_uri`."""
        return get_backend(self.registry_uri).registry

    # --- registered models ----------------------------------------------------------------------------------------
    def create_registered_model(self, name: str, tags: Mapping[str, Any] | None = None,
                                description: str | None = None) -> RegisteredModel:
        """Create a registered model with no versions; RESOURCE_ALREADY_EXISTS if the name is taken."""
        return self.registry_store.create_registered_model(check_model_name(name), tag_items(tags), description)

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        return self.registry_store.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a registered model; its versions, tags and aliases follow."""
        return self.registry_store.rename_registered_model(name, check_model_name(new_name))

    def update_registered_model(self, name: str, description: str | None = None) -> RegisteredModel:
        """Set a registered model's description."""
        return self.registry_store.update_registered_model(name, description)

    def delete_registered_model(self, name: str) -> None:
        """Delete a registered model with all its versions, tags and aliases."""
        self.registry_store.delete_registered_model(name)

    def search_registered_models(self, filter_string: str | None = None, max_results: int = 100,
                                 order_by: Sequence[str] | None = None,
                                 page_token: str | None = None) -> PagedList[RegisteredModel]:
        """One page of registered models (see `tracekit.search_registered_models`); pass the returned list's
        `token` as `page_token` for the next page."""
        return self.registry_store.search_registered_models(filter_string, max_results, order_by, page_token)

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        """Add or replace one tag of a registered model."""
        self.registry_store.set_registered_model_tag(name, *tag_items({key: value}).popitem())

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model; ResourceNotFoundError if it has no such tag."""
        self.registry_store.delete_registered_model_tag(name, check_key(key, "tag"))

    # --- versions -------------------------------------------------------------------------------------------------
    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             tags: Mapping[str, Any] | None = None, run_link: str | None = None,
                             description: str | None = None, await_creation_for: int | None = 300,
                             model_id: str | None = None) -> ModelVersion:
        """Add the next version of an existing registered model, pointing at `source` as given (unlike
        `tracekit.register_model`, nothing is looked up). Versions are READY at once; `await_creation_for` is
        accepted for MLflow compatibility."""
        return self.registry_store.create_model_version(name, source, run_id=run_id, tags=tag_items(tags),
                                                        run_link=run_link, description=description,
                                                        model_id=model_id)

    def get_model_version(self, name: str, version: _Version) -> ModelVersion:
        """One version (a number, or its text), with its tags and aliases."""
        return self.registry_store.get_model_version(name, check_version(version, name))

    def update_model_version(self, name: str, version: _Version, description: str | None = None) -> ModelVersion:
        """Set a version's description."""
        return self.registry_store.update_model_version(name, check_version(version, name), description)

    def delete_model_version(self, name: str, version: _Version) -> None:
        """Delete a version with its tags and aliases; its number is never given again."""
        self.registry_store.delete_model_version(name, check_version(version, name))

    def search_model_versions(self, filter_string: str | None = None, max_results: int = 10_000,
                              order_by: Sequence[str] | None = None,
                              page_token: str | None = None) -> PagedList[ModelVersion]:
        """One page of versions (see `tracekit.search_model_versions`); pass the returned list's `token` as
        `page_token` for the next page."""
        return self.registry_store.search_model_versions(filter_string, max_results, order_by, page_token)

    def set_model_version_tag(self, name: str, version: _Version, key: str, value: Any) -> None:
        """Add or replace one tag of a version."""
        self.registry_store.set_model_version_tag(name, check_version(version, name),
                                                  *tag_items({key: value}).popitem())

    def delete_model_version_tag(self, name: str, version: _Version, key: str) -> None:
        """Remove one tag of a version; ResourceNotFoundError if it has no such tag."""
        self.registry_store.delete_model_version_tag(name, check_version(version, name), check_key(key, "tag"))

    def transition_model_version_stage(self, name: str, version: _Version, stage: str,
                                       archive_existing_versions: bool = False) -> ModelVersion:
        """Move a version to a stage (None, Staging, Production, Archived; any case); with
        `archive_existing_versions`, the versions already in Staging or Production move to Archived."""
        return self.registry_store.transition_model_version_stage(name, check_version(version, name), stage,
                                                                  archive_existing_versions)

    def get_latest_versions(self, name: str, stages: Sequence[str] | None = None) -> list[ModelVersion]:
        """The newest version in each of `stages` (every stage when None) that has one."""
        return self.registry_store.get_latest_versions(name, stages)

    # --- aliases --------------------------------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: _Version) -> None:
        """Point `alias` at a version, moving it from another; `models:/<name>@<alias>` then loads that version.
        Aliases that read as versions (`latest`, `v3`, `3`) are refused."""
        self.registry_store.set_registered_model_alias(name, alias, check_version(version, name))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; ResourceNotFoundError if the model has no such alias."""
        self.registry_store.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version `alias` points at; ResourceNotFoundError naming the alias if it points nowhere."""
        return self.registry_store.get_model_version_by_alias(name, alias)
