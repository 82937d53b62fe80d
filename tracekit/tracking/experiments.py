"""Experiments, fluently: create, choose (`set_experiment`), look up, search, tag and delete them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.entities import Experiment, LifecycleStage, ViewType
from tracekit.exceptions import TracekitException
from tracekit.store.backend import get_backend
from tracekit.tracking import state
from tracekit.validation import check_key, check_name, invalid, tag_items


def create_experiment(name: str, artifact_location: str | None = None,
                      tags: Mapping[str, Any] | None = None) -> str:
    """Create an experiment and return its id (a string); names are unique and case-sensitive.

    >>> experiment_id = tracekit.create_experiment("fraud-detection", tags={"team": "risk"})
    """
    check_name(name, "experiment")
    if artifact_location is not None and not isinstance(artifact_location, str):
        artifact_location = str(artifact_location)
    return get_backend().tracking.create_experiment(name, artifact_location, tag_items(tags))


def set_experiment(experiment_name: str | None = None, experiment_id: str | None = None) -> Experiment:
    """Make an experiment the current one for new runs, models and traces; by name it is created if missing, by id
    it must exist. Give exactly one of the two.

    >>> tracekit.set_experiment("fraud-detection")
    """
    if (experiment_name is None) == (experiment_id is None):
        raise invalid("set_experiment() takes exactly one of experiment_name and experiment_id.")
    store = get_backend().tracking
    if experiment_id is not None:
        experiment = store.get_experiment(str(experiment_id))
    else:
        assert experiment_name is not None  # exactly one of the two was given (checked above)
        check_name(experiment_name, "experiment")
        found = store.get_experiment_by_name(experiment_name)
        experiment = found if found is not None else store.get_experiment(store.create_experiment(experiment_name))
    if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
        raise TracekitException.invalid_parameter_value(
            f"Cannot set the deleted experiment {experiment.name!r} (id {experiment.experiment_id}) as the current "
            f"experiment. Use another experiment, or another name.")
    state.set_experiment_id(experiment.experiment_id)
    return experiment


def get_experiment(experiment_id: str) -> Experiment:
    """The experiment with that id (deleted ones too); ResourceNotFoundError naming the id if there is none."""
    return get_backend().tracking.get_experiment(str(experiment_id))


def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with exactly that name (case-sensitive), or None."""
    return get_backend().tracking.get_experiment_by_name(name)


def search_experiments(view_type: ViewType | int = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                       filter_string: str | None = None,
                       order_by: Sequence[str] | None = None) -> list[Experiment]:
    """Experiments matching `filter_string` (fields: name, creation_time, last_update_time, experiment_id,
    tags.<key>), most recently updated first unless `order_by` says otherwise; all of them if `max_results` is None.

    >>> tracekit.search_experiments(filter_string="name LIKE 'fraud%' AND tags.team = 'risk'", order_by=["name"])
    """
    return list(get_backend().tracking.search_experiments(ViewType.parse(view_type), max_results, filter_string,
                                                        order_by))


def delete_experiment(experiment_id: str) -> None:
    """Mark an experiment and its runs deleted; they stay readable with `get_experiment` / `get_run`."""
    get_backend().tracking.delete_experiment(str(experiment_id))
    if state.chosen_experiment_id() == str(experiment_id):
        state.set_experiment_id(None)


def set_experiment_tag(key: str, value: Any) -> None:
    """Set a tag on the current experiment."""
    get_backend().tracking.set_experiment_tag(state.current_experiment_id(), check_key(key, "tag"),
                                            tag_items({key: value})[key])


def set_experiment_tags(tags: Mapping[str, Any]) -> None:
    """Set tags on the current experiment."""
    for key, value in tag_items(tags).items():
        set_experiment_tag(key, value)

