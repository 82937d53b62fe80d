"""The active model: the logged model new traces link to (`set_active_model`), process-wide."""

from __future__ import annotations

from types import TracebackType

from tracekit.entities import LoggedModel
from tracekit.store.backend import get_backend
from tracekit.tracking import state
from tracekit.tracking.logged_models import create_external_model, get_logged_model
from tracekit.validation import check_name, invalid


class ActiveModel(LoggedModel):
    """The model `set_active_model` made active. As a context manager, leaving the block puts back the model that
    was active before."""

    def __init__(self, model: LoggedModel, previous: object) -> None:
        super().__init__(**{name: getattr(model, name) for name in model.__dataclass_fields__})
        self._previous = previous

    def __enter__(self) -> ActiveModel:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        state.restore_active_model(self._previous)


def _model_named(name: str) -> LoggedModel | None:
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    found = get_backend().tracking.search_logged_models(
        [state.current_experiment_id()], f"name = '{escaped}'", max_results=1,
        order_by=[{"field_name": "creation_time", "ascending": False}])
    return found[0] if found else None


def set_active_model(name: str | None = None, model_id: str | None = None) -> ActiveModel:
    """Make a logged model the active one, so that traces started from now on (in any thread) link to it.

    By `model_id` the model must exist; by `name` it is the current experiment's newest model of that name, created
    as an external model if there is none. Works as a context manager too.

    >>> tracekit.set_active_model(name="support-agent-v2")
    >>> with tracekit.set_active_model(model_id=model.model_id):
    ...     answer("hello")
    """
    if name is None and model_id is None:
        raise invalid("set_active_model() needs a name or a model_id.")
    if model_id is not None:
        model = get_logged_model(str(model_id))
        if name is not None and model.name != name:
            raise invalid(f"set_active_model(): model {model_id} is named {model.name!r}, not {name!r}.")
    else:
        check_name(name, "logged model")
        model = _model_named(name) or create_external_model(name=name)  # type: ignore[arg-type]
    previous = state.active_model_state()
    state.set_active_model_id(model.model_id)
    return ActiveModel(model, previous)


def get_active_model_id() -> str | None:
    """The id of the active model: set by `set_active_model`, else TRACEKIT_ACTIVE_MODEL_ID, else None."""
    return state.active_model_id()


def clear_active_model() -> None:
    """No active model from now on (TRACEKIT_ACTIVE_MODEL_ID included) until `set_active_model` is called."""
    state.set_active_model_id(None)
