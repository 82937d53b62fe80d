"""Runs, fluently: start and end them (nested, resumed, as context managers), log params, metrics and tags.

Logging without an active run starts one, as MLflow does. Runs still active when the process exits are ended as
FINISHED.
"""

from __future__ import annotations

import atexit
import logging
import random
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tracekit.constants import RunTagKey
from tracekit.entities import LifecycleStage, Metric, Run, RunStatus
from tracekit.exceptions import TracekitException
from tracekit.store.backend import get_backend
from tracekit.system_metrics import monitoring as system_metrics
from tracekit.tracking import state
from tracekit.tracking.async_logging import RunOperations, async_logger, flush_async_logging, is_synchronous
from tracekit.tracking.inputs import dataset_link, record_dataset_input
from tracekit.validation import (
    check_key,
    check_name,
    invalid,
    metric_step,
    metric_timestamp,
    metric_value,
    now_ms,
    param_items,
    tag_items,
)

if TYPE_CHECKING:
    from tracekit.data import Dataset

logger = logging.getLogger(__name__)

_END_STATUSES = (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)
_NAME_WORDS = (("bold", "calm", "brisk", "bright", "clever", "eager", "gentle", "keen", "lucky", "merry", "quiet",
                "rapid", "sunny", "swift", "tidy", "vivid", "wise", "zesty"),
               ("otter", "falcon", "maple", "comet", "river", "lynx", "cedar", "heron", "quartz", "badger", "meadow",
                "pebble", "sparrow", "tulip", "walrus", "willow", "yak", "zebra"))


class ActiveRun(Run):
    """The run `start_run` made active; leaving its `with` block ends it (FAILED if the block raised, KILLED on
    KeyboardInterrupt, FINISHED otherwise). Its `data` is a snapshot from the start: use `get_run` for what was
    logged since."""

    def __init__(self, run: Run) -> None:
        super().__init__(info=run.info, data=run.data, inputs=run.inputs)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc_type is None:
            status = RunStatus.FINISHED
        elif issubclass(exc_type, KeyboardInterrupt):
            status = RunStatus.KILLED
        else:
            status = RunStatus.FAILED
        run_id = self.info.run_id
        try:
            while any(run.info.run_id == run_id for run in state.run_stack()):
                end_run(status)
        except Exception:
            if exc is None:
                raise
            # The block's own exception is what the user needs to see.
            logger.exception("tracekit could not end run %s after the block raised.", run_id)


def _random_run_name() -> str:
    adjectives, nouns = _NAME_WORDS
    return f"{random.choice(adjectives)}-{random.choice(nouns)}-{random.randint(100, 999)}"


def start_run(run_id: str | None = None, experiment_id: str | None = None, run_name: str | None = None,
              nested: bool = False, parent_run_id: str | None = None, tags: Mapping[str, Any] | None = None,
              description: str | None = None, log_system_metrics: bool | None = None) -> ActiveRun:
    """Start a run (or resume the run `run_id`) and make it active; use it in a `with` block, or call `end_run`.

    While a run is active, starting another needs `nested=True`, which records the active run as its parent
    (the `mlflow.parentRunId` tag); `parent_run_id` names the parent explicitly. Traces started while the run
    is active are linked to it and go to its experiment. `log_system_metrics=True` samples CPU, memory, disk,
    network (and GPU) into `system/*` metrics while the run is active; None follows
    `enable_system_metrics_logging()` / TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING.

    >>> with tracekit.start_run(run_name="sweep") as parent:
    ...     with tracekit.start_run(run_name="lr-0.1", nested=True):
    ...         tracekit.log_param("lr", 0.1)
    """
    stack = state.run_stack()
    if stack and not nested:
        raise TracekitException.invalid_state(
            f"Run {stack[-1].info.run_id} is already active. To start a new run, end the current one first with "
            f"tracekit.end_run(); to start a nested run, call start_run(nested=True).")
    if parent_run_id is not None and stack and stack[-1].info.run_id != parent_run_id:
        raise TracekitException.invalid_state(
            f"The active run {stack[-1].info.run_id} does not match parent_run_id {parent_run_id}. End the active "
            f"run first to nest a run under {parent_run_id}.")
    user_tags = tag_items(tags)
    if description is not None:
        user_tags[RunTagKey.NOTE] = str(description)
    store = get_backend().tracking
    if run_id is not None:
        run = _resume(store, str(run_id), user_tags)
    else:
        parent = parent_run_id if parent_run_id is not None else (stack[-1].info.run_id if stack else None)
        if parent is not None:
            parent_run = store.get_run(parent)
            if parent_run.info.lifecycle_stage != LifecycleStage.ACTIVE:
                raise TracekitException.invalid_state(
                    f"The parent run {parent} is deleted; a run cannot be nested under it.")
        from tracekit.plugins.run_context import resolve_run_tags  # late: plugins load on the first run

        all_tags = resolve_run_tags()
        if parent is not None:
            all_tags[RunTagKey.PARENT_RUN_ID] = parent
        all_tags.update(user_tags)
        name = run_name if run_name is not None else all_tags.get(RunTagKey.RUN_NAME) or _random_run_name()
        check_name(name, "run")
        experiment = str(experiment_id) if experiment_id is not None else state.current_experiment_id()
        run = store.create_run(experiment, name, now_ms(), all_tags, user_id=all_tags.get(RunTagKey.USER))
    active = ActiveRun(run)
    state.push_run(active)
    if system_metrics.wanted(log_system_metrics):
        system_metrics.start_for_run(active.info.run_id)
    return active


def _resume(store: Any, run_id: str, tags: dict[str, str]) -> Run:
    if any(active.info.run_id == run_id for active in state.run_stack()):
        raise TracekitException.invalid_state(f"Run {run_id} is already active.")
    run = store.get_run(run_id)
    if run.info.lifecycle_stage != LifecycleStage.ACTIVE:
        raise TracekitException.invalid_state(f"Cannot resume run {run_id}: it is deleted.")
    store.update_run_info(run_id, RunStatus.RUNNING.value, None)
    if tags:
        store.log_batch(run_id, tags=tags)
    return store.get_run(run_id)


def end_run(status: str | RunStatus = RunStatus.FINISHED) -> None:
    """End the active run (the innermost one, if runs are nested) with `status`: FINISHED (default), FAILED or
    KILLED. Without an active run this does nothing."""
    try:
        final = RunStatus(str(status).upper())
    except ValueError:
        final = None
    if final not in _END_STATUSES:
        raise invalid(f"Invalid run status {status!r} for end_run(): use one of "
                      f"{', '.join(s.value for s in _END_STATUSES)}.")
    stack = state.run_stack()
    if not stack:
        return
    run_id = stack[-1].info.run_id
    system_metrics.stop_for_run(run_id)
    flush_async_logging()
    get_backend().tracking.update_run_info(run_id, final.value, now_ms())
    state.pop_run()
    state.last_active_run_id = run_id


def active_run() -> ActiveRun | None:
    """The active run of this thread or task (the innermost one), or None."""
    stack = state.run_stack()
    return stack[-1] if stack else None


def last_active_run() -> Run | None:
    """The active run if there is one, else the last run ended in this process, read fresh from the store; None if
    no run was started here."""
    run_id = state.active_run_id() or state.last_active_run_id
    return None if run_id is None else get_backend().tracking.get_run(run_id)


def get_run(run_id: str) -> Run:
    """The run with its params, latest metrics and tags; ResourceNotFoundError naming the id if there is none."""
    return get_backend().tracking.get_run(str(run_id))


def get_parent_run(run_id: str) -> Run | None:
    """The parent of a nested run, or None for a top-level run."""
    parent = get_run(run_id).data.tags.get(RunTagKey.PARENT_RUN_ID)
    return None if parent is None else get_run(parent)


def delete_run(run_id: str) -> None:
    """Mark a run deleted; it stays readable with `get_run`, and `search_runs` skips it by default."""
    get_backend().tracking.delete_run(str(run_id))


def get_metric_history(run_id: str, key: str) -> list[Metric]:
    """Every logged point of a run's metric, by step then time."""
    return get_backend().tracking.get_metric_history(str(run_id), key)


def target_run_id(run_id: str | None) -> str:
    """`run_id` if given, else the active run's id, starting a run when none is active (as every log_* call does)."""
    if run_id is not None:
        return str(run_id)
    current = state.active_run_id()
    return current if current is not None else start_run().info.run_id


def _log(run_id: str | None, synchronous: bool | None, metrics: list[Metric] | None = None,
         params: dict[str, str] | None = None, tags: dict[str, str] | None = None) -> RunOperations | None:
    """Write one call's batch now, or queue it (`synchronous=False`) and return its RunOperations."""
    target = target_run_id(run_id)
    store = get_backend().tracking
    if is_synchronous(synchronous):
        store.log_batch(target, metrics=metrics or (), params=params, tags=tags)
        return None
    return async_logger().submit(store, target, metrics or (), params, tags)


def log_param(key: str, value: Any, synchronous: bool | None = None) -> Any:
    """Log a param of the active run (starting one if none is active) and return `value` (with
    `synchronous=False`: a RunOperations to `wait()` on). A param is set once: logging it again with another value
    is an error.

    >>> tracekit.log_param("learning_rate", 0.02)
    """
    operations = log_params({key: value}, synchronous=synchronous)
    return value if operations is None else operations


def log_params(params: Mapping[str, Any], synchronous: bool | None = None,
               run_id: str | None = None) -> RunOperations | None:
    """Log params of the active run (or of `run_id`) in one transaction; values are stored as text.
    `synchronous=False` (default: TRACEKIT_ENABLE_ASYNC_LOGGING) queues them and returns a RunOperations."""
    checked = param_items(params)
    if not checked:
        return None if is_synchronous(synchronous) else RunOperations()
    return _log(run_id, synchronous, params=checked)


def log_metric(key: str, value: float, step: int | None = None, synchronous: bool | None = None,
               timestamp: int | None = None, run_id: str | None = None, model_id: str | None = None,
               dataset: Dataset | None = None) -> RunOperations | None:
    """Log one point of a metric to the active run (or `run_id`): at `step` (default 0) and `timestamp` (ms,
    default now). It is linked to `model_id`, else to the active model if one is set, and to `dataset` (a
    `tracekit.data` dataset, also recorded as an input of the run) if given. `synchronous=False` (default:
    TRACEKIT_ENABLE_ASYNC_LOGGING) queues the point and returns a RunOperations to `wait()` on.

    >>> tracekit.log_metric("val_loss", 0.25, step=3)
    >>> tracekit.log_metric("mse", 2500.0, synchronous=False).wait()
    """
    return log_metrics({key: value}, step=step, synchronous=synchronous, timestamp=timestamp, run_id=run_id,
                       model_id=model_id, dataset=dataset)


def log_metrics(metrics: Mapping[str, float], step: int | None = None, synchronous: bool | None = None,
                run_id: str | None = None, timestamp: int | None = None, model_id: str | None = None,
                dataset: Dataset | None = None) -> RunOperations | None:
    """Log several metrics at one step and time in one transaction (see `log_metric`)."""
    if not isinstance(metrics, Mapping):
        raise invalid(f"log_metrics() takes a dict of name -> number, got {type(metrics).__name__}.")
    now = now_ms()
    linked = model_id if model_id is not None else state.active_model_id()
    dataset_name, dataset_digest = dataset_link(dataset)
    points = [Metric(key=check_key(key, "metric"), value=metric_value(key, value),
                     timestamp=metric_timestamp(key, timestamp, now), step=metric_step(key, step),
                     model_id=str(linked) if linked else None, dataset_name=dataset_name,
                     dataset_digest=dataset_digest)
              for key, value in metrics.items()]
    if not points:
        return None if is_synchronous(synchronous) else RunOperations()
    if dataset is not None:
        record_dataset_input(target_run_id(run_id), dataset)
    return _log(run_id, synchronous, metrics=points)


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> RunOperations | None:
    """Set a tag of the active run (starting one if none is active); values are stored as text.
    `synchronous=False` queues it and returns a RunOperations."""
    return set_tags({key: value}, synchronous=synchronous)


def set_tags(tags: Mapping[str, Any], synchronous: bool | None = None) -> RunOperations | None:
    """Set several tags of the active run in one transaction (`synchronous` as for `set_tag`)."""
    checked = tag_items(tags)
    if not checked:
        return None if is_synchronous(synchronous) else RunOperations()
    return _log(None, synchronous, tags=checked)


def delete_tag(key: str) -> None:
    """Delete a tag of the active run (starting one if none is active); ResourceNotFoundError if it has none."""
    get_backend().tracking.delete_tag(target_run_id(None), check_key(key, "tag"))


def _end_runs_at_exit() -> None:
    try:
        while state.run_stack():
            end_run(RunStatus.FINISHED)
    except Exception:  # noqa: BLE001 - never fail interpreter shutdown
        logger.exception("tracekit could not end the active runs at exit.")


atexit.register(_end_runs_at_exit)
