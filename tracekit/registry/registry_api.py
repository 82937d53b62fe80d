"""The registry, fluently: `register_model` (what `log_model(..., registered_model_name=...)` calls too) and the
two searches, against the registry at `get_registry_uri()`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit import error_codes
from tracekit.exceptions import TracekitException
from tracekit.registry.entities import ModelVersion, RegisteredModel
from tracekit.registry.registered_model_uris import parse_model_source
from tracekit.registry.registry_checks import check_model_name
from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.registry.registry_uri import get_registry_uri
from tracekit.store.backend import get_backend
from tracekit.validation import tag_items


def registry_store(registry_uri: str | None = None) -> ModelRegistryStore:
    """The registry store of `registry_uri` (default: the current registry URI)."""
    return get_backend(registry_uri or get_registry_uri()).registry


def register_model(model_uri: str, name: str, await_registration_for: int | None = 300, *,
                   tags: Mapping[str, Any] | None = None) -> ModelVersion:
    """Register the model at `model_uri` as the next version of the registered model `name` (created when missing).

    `model_uri` is `models:/<model_id>` (a logged model: the version records it and its source run),
    `runs:/<run_id>/<artifact path>` (the version records the run, and the logged model the run logged under that
    name if there is one), a registry URI such as `models:/other@champion` (its version's source), or the path of a
    saved model directory. What it names must exist: a missing logged model, run or path raises
    ResourceNotFoundError naming it. Versions are READY at once, so `await_registration_for` has nothing to wait
    for; it is accepted for MLflow compatibility.

    >>> version = tracekit.register_model(model.model_uri, "churn", tags={"team": "growth"})
    >>> version.version
    1
    """
    name = check_model_name(name)
    version_tags = tag_items(tags)
    source = parse_model_source(model_uri)
    store = registry_store()
    try:
        store.create_registered_model(name)
    except TracekitException as error:
        # Registering under an existing name adds a version; another process may also have just created it.
        if error.error_code != error_codes.RESOURCE_ALREADY_EXISTS:
            raise
    return store.create_model_version(name, source.source, run_id=source.run_id, tags=version_tags,
                                      model_id=source.model_id)


def search_registered_models(max_results: int | None = None, filter_string: str | None = None,
                             order_by: Sequence[str] | None = None) -> list[RegisteredModel]:
    """Registered models matching `filter_string` (`name`, `name LIKE 'a%'`, `name ILIKE ...`, `tags.<key>`), by name
    unless `order_by` says otherwise ("name DESC", "last_updated_timestamp DESC"); all of them when `max_results` is
    None.

    >>> tracekit.search_registered_models(filter_string="name LIKE 'churn%' AND tags.team = 'growth'")
    """
    return list(registry_store().search_registered_models(filter_string, max_results, order_by))


def search_model_versions(max_results: int | None = None, filter_string: str | None = None,
                          order_by: Sequence[str] | None = None) -> list[ModelVersion]:
    """Versions matching `filter_string` (`name`, `version_number`, `run_id`, `model_id`, `source_path`,
    `tags.<key>`, `run_id IN ('a', 'b')`), by name then newest version first unless `order_by` says otherwise; all of
    them when `max_results` is None.

    >>> tracekit.search_model_versions(filter_string="name = 'churn' AND version_number > 2")
    """
    return list(registry_store().search_model_versions(filter_string, max_results, order_by))
