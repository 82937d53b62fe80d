"""The model registry store contract: registered models, versions, aliases, tags and stages, whatever holds them
(the tracking database, a tracking server, a plugin). The fluent API and `TracekitClient` talk only to this.

Every method takes and returns plain values and entities, so that each maps onto one request of the REST API.
Unknown names, versions and aliases raise `ResourceNotFoundError` naming them; a taken name raises
RESOURCE_ALREADY_EXISTS; bad input raises `TracekitException` (checks in `registry_checks`). Plugins provide one
through the entry point group `tracekit.model_registry_store` (a callable taking the URI, named for its scheme).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from tracekit.registry.entities import ModelVersion, RegisteredModel
from tracekit.store.paging import PagedList


class ModelRegistryStore(abc.ABC):
    """Stores registered models and their versions, and searches them."""

    # --- registered models ----------------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str | None = None) -> RegisteredModel:
        """Create a registered model with no versions; RESOURCE_ALREADY_EXISTS if the name is taken."""

    @abc.abstractmethod
    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""

    @abc.abstractmethod
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Give a registered model (and its versions, tags and aliases) a new, untaken name."""

    @abc.abstractmethod
    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        """Set a registered model's description."""

    @abc.abstractmethod
    def delete_registered_model(self, name: str) -> None:
        """Delete a registered model with all its versions, tags and aliases."""

    @abc.abstractmethod
    def search_registered_models(self, filter_string: str | None = None, max_results: int | None = None,
                                 order_by: Sequence[str] | None = None,
                                 page_token: str | None = None) -> PagedList[RegisteredModel]:
        """Registered models matching the filter (`name`, `tags.<key>`), by name unless `order_by` says otherwise."""

    @abc.abstractmethod
    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Add or replace one tag of a registered model."""

    @abc.abstractmethod
    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model; ResourceNotFoundError if it has no such tag."""

    # --- versions -------------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             tags: Mapping[str, str] | None = None, run_link: str | None = None,
                             description: str | None = None, model_id: str | None = None) -> ModelVersion:
        """Add the next version (1 + the highest ever given) of an existing registered model, READY. Concurrent
        calls for one name get distinct consecutive numbers."""

    @abc.abstractmethod
    def get_model_version(self, name: str, version: int) -> ModelVersion:
        """One version, with its tags and aliases."""

    @abc.abstractmethod
    def update_model_version(self, name: str, version: int, description: str | None) -> ModelVersion:
        """Set a version's description."""

    @abc.abstractmethod
    def delete_model_version(self, name: str, version: int) -> None:
        """Delete a version with its tags and aliases; its number is not given again."""

    @abc.abstractmethod
    def search_model_versions(self, filter_string: str | None = None, max_results: int | None = None,
                              order_by: Sequence[str] | None = None,
                              page_token: str | None = None) -> PagedList[ModelVersion]:
        """Versions matching the filter (`name`, `version_number`, `run_id`, `model_id`, `source_path`,
        `tags.<key>`, `IN` lists), by name then newest version first unless `order_by` says otherwise."""

    @abc.abstractmethod
    def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        """Add or replace one tag of a version."""

    @abc.abstractmethod
    def delete_model_version_tag(self, name: str, version: int, key: str) -> None:
        """Remove one tag of a version; ResourceNotFoundError if it has no such tag."""

    @abc.abstractmethod
    def transition_model_version_stage(self, name: str, version: int, stage: str,
                                       archive_existing_versions: bool = False) -> ModelVersion:
        """Move a version to a stage; with `archive_existing_versions`, the other versions in that stage (Staging
        or Production only) move to Archived."""

    @abc.abstractmethod
    def get_latest_versions(self, name: str, stages: Sequence[str] | None = None) -> list[ModelVersion]:
        """The newest version in each of `stages` (every stage when None or empty) that has one."""

    # --- aliases --------------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def set_registered_model_alias(self, name: str, alias: str, version: int) -> None:
        """Point `alias` at a version (moving it if it pointed at another)."""

    @abc.abstractmethod
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; ResourceNotFoundError if the model has no such alias."""

    @abc.abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version `alias` points at; ResourceNotFoundError naming the alias if it points nowhere."""

    def close(self) -> None:
        """Release connections."""
