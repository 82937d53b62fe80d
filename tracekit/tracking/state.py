"""What is active now: the run stack, the experiment chosen by `set_experiment`, the active model; and the hooks
through which new traces pick them up.

The run stack lives in a context variable: each thread starts without an active run (as MLflow's is thread-local),
an asyncio task sees its creator's runs but its own `start_run` does not leak out, and
`tracekit.tracing.with_current_context` carries the runs into a worker thread, so a nested run started there gets
the parent. The chosen experiment and the active model are process-wide: a served model set once is the active
model of every request thread.

The trace hooks only read these variables (no I/O on the trace path), except once per process and tracking URI
when only TRACEKIT_EXPERIMENT_NAME names the experiment and nothing else has looked it up yet. Like the tracing
settings, TRACEKIT_EXPERIMENT_NAME (for traces) and TRACEKIT_ACTIVE_MODEL_ID are read at import and on
`tracekit.tracing.reset()`, not on every trace.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

from tracekit import config
from tracekit.constants import TraceMetadataKey
from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.tracing import trace_defaults
from tracekit.tracking_uri import get_tracking_uri

if TYPE_CHECKING:
    from tracekit.tracking.runs import ActiveRun

logger = logging.getLogger(__name__)

_run_stack: ContextVar[tuple[ActiveRun, ...]] = ContextVar("tracekit_active_runs", default=())

_lock = threading.Lock()
_experiment_id: str | None = None  # set_experiment
_experiment_ids_by_name: dict[tuple[str, str], str] = {}  # (tracking URI, name) -> id, for TRACEKIT_EXPERIMENT_NAME
_name_lookup_failed: set[tuple[str, str]] = set()
_UNSET = object()
# The model whose predict is running in this context (a loaded pyfunc model): its traces link to it, whatever the
# process-wide active model is.
_predicting_model_id: ContextVar[str | None] = ContextVar("tracekit_predicting_model", default=None)
_active_model_id: object = _UNSET  # set_active_model / clear_active_model; unset: TRACEKIT_ACTIVE_MODEL_ID
last_active_run_id: str | None = None
last_logged_model_id: str | None = None
# TRACEKIT_EXPERIMENT_NAME and TRACEKIT_ACTIVE_MODEL_ID, as last read (see `_read_settings`)
_configured_experiment_name = ""
_configured_active_model_id = ""


def _read_settings() -> None:
    global _configured_experiment_name, _configured_active_model_id
    _configured_experiment_name = config.EXPERIMENT_NAME.get()
    _configured_active_model_id = config.ACTIVE_MODEL_ID.get()


_read_settings()


# --- runs -------------------------------------------------------------------------------------------------------
def run_stack() -> tuple[ActiveRun, ...]:
    """The active runs of this context, outermost first."""
    return _run_stack.get()


def push_run(run: ActiveRun) -> None:
    """Make `run` the active run (nested in the current one, if any)."""
    _run_stack.set((*_run_stack.get(), run))


def pop_run() -> ActiveRun | None:
    """Remove and return the innermost active run."""
    stack = _run_stack.get()
    if not stack:
        return None
    _run_stack.set(stack[:-1])
    return stack[-1]


def active_run_id() -> str | None:
    """The innermost active run's id, or None."""
    stack = _run_stack.get()
    return stack[-1].info.run_id if stack else None


# --- experiment -------------------------------------------------------------------------------------------------
def set_experiment_id(experiment_id: str | None) -> None:
    """Remember the experiment chosen by `set_experiment` (None: back to the environment and default)."""
    global _experiment_id
    _experiment_id = experiment_id


def chosen_experiment_id() -> str | None:
    """The experiment `set_experiment` chose, or None."""
    return _experiment_id


def experiment_id_for_name(name: str) -> str:
    """The id of the experiment named `name` in the current tracking store, created if missing; cached."""
    uri = get_tracking_uri()
    cached = _experiment_ids_by_name.get((uri, name))
    if cached is not None:
        return cached
    from tracekit.store.backend import get_backend

    store = get_backend(uri).tracking
    experiment = store.get_experiment_by_name(name)
    experiment_id = experiment.experiment_id if experiment is not None else store.create_experiment(name)
    with _lock:
        _experiment_ids_by_name[(uri, name)] = experiment_id
    return experiment_id


def current_experiment_id() -> str:
    """The experiment new runs and models go to: `set_experiment`'s, else TRACEKIT_EXPERIMENT_NAME's (created if
    missing), else TRACEKIT_EXPERIMENT_ID, else the default "0"; each TRACEKIT_* variable falls back on its MLFLOW_*
    one."""
    if _experiment_id is not None:
        return _experiment_id
    name = config.EXPERIMENT_NAME.get()
    if name:
        return experiment_id_for_name(name)
    return config.EXPERIMENT_ID.get() or DEFAULT_EXPERIMENT_ID


def _trace_experiment_id() -> str | None:
    """The experiment of a new trace: the active run's, else the chosen one; None leaves the choice to the tracing
    core (TRACEKIT_EXPERIMENT_ID, else "0")."""
    stack = _run_stack.get()
    if stack:
        return stack[-1].info.experiment_id
    if _experiment_id is not None:
        return _experiment_id
    name = _configured_experiment_name
    if not name:
        return None
    key = (get_tracking_uri(), name)
    cached = _experiment_ids_by_name.get(key)
    if cached is not None or key in _name_lookup_failed:
        return cached
    try:
        return experiment_id_for_name(name)
    except Exception:  # noqa: BLE001 - a trace must start even when the store is down
        _name_lookup_failed.add(key)
        logger.warning("Could not look up the experiment %r named by TRACEKIT_EXPERIMENT_NAME; traces go to the "
                       "default experiment until tracekit.set_experiment() is called.", name, exc_info=True)
        return None


# --- active model -----------------------------------------------------------------------------------------------
def set_active_model_id(model_id: str | None) -> None:
    """Make `model_id` the active model of the process (None: no active model, whatever the environment says)."""
    global _active_model_id
    _active_model_id = model_id


def active_model_state() -> object:
    """The raw active-model setting, to restore later with `restore_active_model`."""
    return _active_model_id


def restore_active_model(state: object) -> None:
    """Put back a setting returned by `active_model_state`."""
    global _active_model_id
    _active_model_id = state


def set_predicting_model_id(model_id: str | None) -> Token[str | None]:
    """Link traces started in this context to `model_id` (a loaded model's predict); undo with
    `reset_predicting_model_id(token)`."""
    return _predicting_model_id.set(model_id)


def reset_predicting_model_id(token: Token[str | None]) -> None:
    """Undo `set_predicting_model_id`."""
    _predicting_model_id.reset(token)


def active_model_id() -> str | None:
    """The active model: the one set in code, else TRACEKIT_ACTIVE_MODEL_ID, else None."""
    if _active_model_id is _UNSET:
        return _configured_active_model_id or None
    return _active_model_id  # type: ignore[return-value]


# --- trace hooks ------------------------------------------------------------------------------------------------
def _trace_links() -> dict[str, str] | None:
    links: dict[str, str] = {}
    stack = _run_stack.get()
    if stack:
        links[TraceMetadataKey.SOURCE_RUN] = stack[-1].info.run_id
    model_id = _predicting_model_id.get() or active_model_id()
    if model_id:
        links[TraceMetadataKey.MODEL_ID] = model_id
    return links


def reset() -> None:
    """Forget everything active in this process and context (tests)."""
    global _experiment_id, _active_model_id, last_active_run_id, last_logged_model_id
    _run_stack.set(())
    _experiment_id = None
    _active_model_id = _UNSET
    last_active_run_id = None
    last_logged_model_id = None
    with _lock:
        _experiment_ids_by_name.clear()
        _name_lookup_failed.clear()


trace_defaults.set_experiment_resolver(_trace_experiment_id)
trace_defaults.register_metadata_provider(_trace_links)
trace_defaults.add_settings_listener(_read_settings)
