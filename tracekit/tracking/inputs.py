"""Run inputs, fluently: `log_input` records a dataset (with its context and tags) or a logged model as used by
the active run; metrics logged with `dataset=` carry the dataset's name and digest and record it as an input."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tracekit.entities import DatasetInput, InputTag, LoggedModelInput
from tracekit.entities.run_inputs import CONTEXT_TAG_KEY
from tracekit.store.backend import get_backend
from tracekit.validation import invalid, tag_items

if TYPE_CHECKING:
    from tracekit.data import Dataset

# (tracking URI's store, run id, dataset name, digest) already recorded by log_metric(dataset=...) in this process,
# so logging a metric per step does not rewrite the input each time. Bounded: cleared when it grows past the limit.
_recorded: set[tuple[int, str, str, str]] = set()
_recorded_lock = threading.Lock()
_RECORDED_LIMIT = 10_000


def _check_dataset(dataset: Any, where: str) -> Dataset:
    from tracekit.data import Dataset

    if not isinstance(dataset, Dataset):
        raise invalid(f"{where} takes a dataset from tracekit.data (from_pandas, from_numpy), got "
                      f"{type(dataset).__name__}.")
    return dataset


def dataset_link(dataset: Any) -> tuple[str | None, str | None]:
    """The (name, digest) a metric logged with `dataset=` records; (None, None) without a dataset."""
    if dataset is None:
        return None, None
    checked = _check_dataset(dataset, "log_metric(dataset=...)")
    return checked.name, checked.digest


def record_dataset_input(run_id: str, dataset: Dataset) -> None:
    """Record `dataset` as an input of run `run_id` (no tags), once per process and run."""
    store = get_backend().tracking
    key = (id(store), run_id, dataset.name, dataset.digest)
    with _recorded_lock:
        if key in _recorded:
            return
    store.log_inputs(run_id, datasets=[DatasetInput(dataset.to_record())])
    with _recorded_lock:
        if len(_recorded) >= _RECORDED_LIMIT:
            _recorded.clear()
        _recorded.add(key)


def log_input(dataset: Dataset | None = None, context: str | None = None, tags: Mapping[str, Any] | None = None,
              model: LoggedModelInput | str | None = None) -> None:
    """Log a dataset the active run uses (starting a run if none is active): `context` ("training", "testing",
    ...) is kept as the input tag `mlflow.data.context`, `tags` as more input tags. `model` (a LoggedModelInput
    or a model id) records a logged model the run used. Logging the same dataset again adds or replaces its tags.

    >>> dataset = tracekit.data.from_numpy(np.asarray([[1, 2, 3], [4, 5, 6]]), source="data.csv")
    >>> with tracekit.start_run():
    ...     tracekit.log_input(dataset, context="training")
    """
    from tracekit.tracking.runs import target_run_id

    if dataset is None and model is None:
        raise invalid("log_input() needs a dataset (from tracekit.data) or a model to record.")
    dataset_inputs = []
    if dataset is not None:
        checked = _check_dataset(dataset, "log_input()")
        input_tags = tag_items(tags)
        if context is not None:
            if not isinstance(context, str) or not context:
                raise invalid(f"log_input(): context must be a non-empty string such as 'training', got "
                              f"{context!r}.")
            input_tags[CONTEXT_TAG_KEY] = context
        dataset_inputs.append(DatasetInput(checked.to_record(),
                                           tuple(InputTag(k, v) for k, v in sorted(input_tags.items()))))
    elif tags or context:
        raise invalid("log_input(): context and tags describe a dataset; pass the dataset too.")
    model_inputs = []
    if model is not None:
        if isinstance(model, str):
            model = LoggedModelInput(model)
        if not isinstance(model, LoggedModelInput):
            raise invalid(f"log_input(): model must be a LoggedModelInput or a model id, got "
                          f"{type(model).__name__}.")
        model_inputs.append(model)
    get_backend().tracking.log_inputs(target_run_id(None), datasets=dataset_inputs, models=model_inputs)
