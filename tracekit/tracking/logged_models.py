"""Logged models, fluently: create (external, or pending then finalized), read, tag, give params, search."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from tracekit.artifacts.artifact_uris import append_to_uri_path, register_uri_resolver, resolve_artifact_uri
from tracekit.entities import LoggedModel, LoggedModelStatus
from tracekit.exceptions import ResourceNotFoundError
from tracekit.store.backend import get_backend
from tracekit.tracking import state
from tracekit.validation import check_dataset_filters, check_key, check_name, invalid, param_items, tag_items

if TYPE_CHECKING:
    import pandas

logger = logging.getLogger(__name__)

_FINAL_STATUSES = (LoggedModelStatus.READY, LoggedModelStatus.FAILED)


def _new_model(status: LoggedModelStatus, name: str | None, source_run_id: str | None,
               tags: Mapping[str, Any] | None, params: Mapping[str, Any] | None, model_type: str | None,
               experiment_id: str | None) -> LoggedModel:
    active = state.run_stack()
    if source_run_id is None and active:
        source_run_id = active[-1].info.run_id
    if experiment_id is None:
        experiment_id = active[-1].info.experiment_id if active else state.current_experiment_id()
    name = name if name is not None else f"model-{random.randint(0, 0xFFFFFF):06x}"
    check_name(name, "logged model")
    if model_type is not None:
        model_type = check_key(str(model_type), "model type")
    model = get_backend().tracking.create_logged_model(
        str(experiment_id), name, status, source_run_id=None if source_run_id is None else str(source_run_id),
        model_type=model_type, tags=tag_items(tags), params=param_items(params or {}))
    state.last_logged_model_id = model.model_id
    return model


def create_external_model(name: str | None = None, source_run_id: str | None = None,
                          tags: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None,
                          model_type: str | None = None, experiment_id: str | None = None) -> LoggedModel:
    """Record a model whose artifacts live elsewhere (a deployed agent, a hosted model), READY at once.

    It belongs to the active run's experiment (else the current one) and records the active run as its source.

    >>> model = tracekit.create_external_model(name="chatbot_agent", model_type="agent", tags={"version": "v1"})
    """
    return _new_model(LoggedModelStatus.READY, name, source_run_id, tags, params, model_type, experiment_id)


def initialize_logged_model(name: str | None = None, source_run_id: str | None = None,
                            tags: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None,
                            model_type: str | None = None, experiment_id: str | None = None) -> LoggedModel:
    """Create a model in PENDING status, to be finalized READY or FAILED with `finalize_logged_model`."""
    return _new_model(LoggedModelStatus.PENDING, name, source_run_id, tags, params, model_type, experiment_id)


def finalize_logged_model(model_id: str, status: LoggedModelStatus | str) -> LoggedModel:
    """Set a model's final status: READY or FAILED (a `LoggedModelStatus` or its name)."""
    valid = ", ".join(s.value for s in _FINAL_STATUSES)
    try:
        final = LoggedModelStatus(status.value if isinstance(status, LoggedModelStatus) else str(status).upper())
    except ValueError:
        final = None
    if final not in _FINAL_STATUSES:
        raise invalid(f"Invalid status {status!r} for finalize_logged_model({model_id!r}): valid statuses are "
                      f"{valid}.")
    return get_backend().tracking.finalize_logged_model(str(model_id), final)


def get_logged_model(model_id: str) -> LoggedModel:
    """The logged model with its tags, params and metrics; ResourceNotFoundError naming the id if there is none."""
    return get_backend().tracking.get_logged_model(str(model_id))


def last_logged_model() -> LoggedModel | None:
    """The model most recently created in this process, read fresh from the store; None if none was."""
    model_id = state.last_logged_model_id
    return None if model_id is None else get_logged_model(model_id)


def log_model_params(params: Mapping[str, Any], model_id: str) -> None:
    """Log params of a logged model (values as text); a param is set once, like a run's."""
    get_backend().tracking.log_logged_model_params(str(model_id), param_items(params))


def set_logged_model_tags(model_id: str, tags: Mapping[str, Any]) -> None:
    """Add or replace tags of a logged model."""
    get_backend().tracking.set_logged_model_tags(str(model_id), tag_items(tags))


def delete_logged_model_tag(model_id: str, key: str) -> None:
    """Remove one tag of a logged model; ResourceNotFoundError if it has no such tag."""
    get_backend().tracking.delete_logged_model_tag(str(model_id), check_key(key, "tag"))


def search_logged_models(experiment_ids: Sequence[str] | None = None, filter_string: str | None = None,
                         datasets: Sequence[Mapping[str, Any]] | None = None, max_results: int | None = None,
                         order_by: Sequence[Mapping[str, Any] | str] | None = None,
                         output_format: Literal["pandas", "list"] = "pandas") -> pandas.DataFrame | list[LoggedModel]:
    """Logged models of the experiments (default: the current one) matching `filter_string`, newest first unless
    `order_by` says otherwise.

    Filter fields: `name`, `model_type`, `status`, `source_run_id`, `model_id`, `creation_time`, `tags.<key>`,
    `params.<name>`, `metrics.<name>` (numbers). `order_by` is a list of {"field_name": ..., "ascending": ...}
    dicts (or "field DESC" clauses). `datasets` ({"dataset_name": ..., optional "dataset_digest": ...} dicts)
    makes metric comparisons look only at metrics logged with one of those datasets (`log_metric(...,
    dataset=...)`): a model matches when its latest value of the metric on such a dataset satisfies it.

    >>> tracekit.search_logged_models(filter_string="metrics.accuracy > 0.9", output_format="list",
    ...                               order_by=[{"field_name": "metrics.accuracy", "ascending": False}])
    """
    if output_format not in ("pandas", "list"):
        raise invalid(f"search_logged_models(): output_format must be 'pandas' or 'list', got {output_format!r}.")
    on_datasets = check_dataset_filters(datasets)
    if experiment_ids:
        ids = [experiment_ids] if isinstance(experiment_ids, str) else [str(e) for e in experiment_ids]
    else:
        ids = [state.current_experiment_id()]
    store = get_backend().tracking
    # Only stores that know datasets are asked about them: a plugin store written before them keeps working.
    found = (store.search_logged_models(ids, filter_string, max_results, order_by, datasets=on_datasets)
             if on_datasets else store.search_logged_models(ids, filter_string, max_results, order_by))
    models = list(found)
    if output_format == "list":
        return models
    from tracekit.dataframes import logged_models_to_dataframe

    return logged_models_to_dataframe(models)


_MODEL_ID_RE = re.compile(r"^m-[0-9a-f]{32}$")


def resolve_models_uri(model_uri: str) -> str:
    """The artifact URI `models:/<model_id>[/<path>]` names: the logged model's artifact location (the resolver of
    the `models` scheme, so any artifact function takes such URIs).

    Registry URIs (`models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/latest`) resolve to the
    source their version was registered from, itself resolved.
    """
    rest = model_uri[len("models:"):].lstrip("/")
    first, _, sub_path = rest.partition("/")
    if not _MODEL_ID_RE.match(first):
        from tracekit.registry.registered_model_uris import resolve_registry_model_uri

        return resolve_artifact_uri(resolve_registry_model_uri(model_uri))
    model = get_logged_model(first)
    if not model.artifact_location:
        raise ResourceNotFoundError(
            f"Cannot resolve {model_uri!r}: logged model {first} has no artifact location (an external model has no "
            f"files to load).")
    if model.status is not LoggedModelStatus.READY:
        logger.warning("Logged model %s is %s, not READY: its files may be missing or incomplete.", model.model_id,
                       model.status.value)
    return append_to_uri_path(model.artifact_location, sub_path or None)


register_uri_resolver("models", resolve_models_uri)
