"""Which evaluators exist and how a name becomes a `ModelEvaluator`: the entry points of the group
`tracekit.model_evaluator`, the built-in "default" among them (`tracekit.plugins.built_ins`), found by one lookup
(`get_evaluator`). As in every group, an installed plugin with a built-in's name replaces it, and two plugins sharing
one name is an error naming both."""

from __future__ import annotations

import logging
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.evaluator import ModelEvaluator
from tracekit.plugins.loading import group_entry_points, load_named

logger = logging.getLogger(__name__)

MODEL_EVALUATOR_GROUP = "tracekit.model_evaluator"

_CONTRACT = ("can_evaluate", "evaluate")
_reported_skips: set[str] = set()


def list_evaluators() -> list[str]:
    """The names of every available evaluator: the built-in "default" and the installed plugins'.

    >>> tracekit.models.list_evaluators()
    ['default']
    """
    return sorted({entry_point.name for entry_point in group_entry_points(MODEL_EVALUATOR_GROUP)})


def _load_class(name: str) -> Any:
    loaded = load_named(MODEL_EVALUATOR_GROUP, name)
    if loaded is None:
        raise TracekitException.invalid_parameter_value(
            f"No evaluator is named {name!r}. Available: {', '.join(list_evaluators())} (the built-in 'default' "
            f"and plugins in the entry-point group {MODEL_EVALUATOR_GROUP!r}).")
    return loaded


def get_evaluator(name: str) -> ModelEvaluator:
    """A new instance of the evaluator `name`; TracekitException if none has the name (listing those that exist),
    or if it does not implement the `ModelEvaluator` contract (naming the missing methods)."""
    if not isinstance(name, str) or not name:
        raise TracekitException.invalid_parameter_value(
            f"An evaluator name is a non-empty string, got {name!r}. Available: {', '.join(list_evaluators())}.")
    cls = _load_class(name)
    missing = [method for method in _CONTRACT
               if not callable(getattr(cls, method, None)) or getattr(getattr(cls, method), "__isabstractmethod__",
                                                                       False)]
    if missing:
        raise TracekitException.invalid_parameter_value(
            f"The evaluator {name!r} ({getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', cls)!s}) does "
            f"not implement the ModelEvaluator contract: missing {', '.join(missing)}.")
    try:
        return cls()
    except Exception as error:
        raise TracekitException.invalid_parameter_value(
            f"The evaluator {name!r} could not be built: {type(error).__name__}: {error}") from error


def available_evaluators() -> list[tuple[str, ModelEvaluator]]:
    """Every evaluator that loads, by name; a plugin that fails to load is logged once (with its distribution) and
    skipped, as when `evaluate` is called without `evaluators`."""
    found = []
    for name in list_evaluators():
        if _claimed_twice(name):
            load_named(MODEL_EVALUATOR_GROUP, name)  # raises the error naming every claimant
        try:
            found.append((name, get_evaluator(name)))
        except TracekitException as error:
            if name not in _reported_skips:  # once per process, as plugin load failures are
                _reported_skips.add(name)
                logger.warning("The evaluator %r is skipped: %s", name, error.message)
    return found


def _claimed_twice(name: str) -> bool:
    claimants = [ep for ep in group_entry_points(MODEL_EVALUATOR_GROUP) if ep.name.lower() == name.lower()]
    return len(claimants) > 1
