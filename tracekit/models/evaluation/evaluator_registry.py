"""Which evaluators exist and how a name becomes a `ModelEvaluator`: the built-in ones below and the plugins of the
entry-point group `tracekit.model_evaluator`, found by one lookup (`get_evaluator`). A plugin cannot take a
built-in's name, and two plugins cannot share one: both are errors naming the claimants."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.evaluator import ModelEvaluator
from tracekit.plugins.loading import distribution_name, duplicate_name_error, group_entry_points, load_named

logger = logging.getLogger(__name__)

MODEL_EVALUATOR_GROUP = "tracekit.model_evaluator"

# name -> "module:class", in the form of an entry point's value; imported on first use.
_BUILT_IN: dict[str, str] = {
    "default": "tracekit.models.evaluation.default_evaluator:DefaultEvaluator",
}
_CONTRACT = ("can_evaluate", "evaluate")
_reported_skips: set[str] = set()


def list_evaluators() -> list[str]:
    """The names of every available evaluator: the built-in "default" and the installed plugins'.

    >>> tracekit.models.list_evaluators()
    ['default']
    """
    return sorted({*_BUILT_IN, *(entry_point.name for entry_point in group_entry_points(MODEL_EVALUATOR_GROUP))})


def _check_one_claimant(name: str) -> None:
    """TracekitException naming every claimant when a plugin takes a built-in's name or two plugins share one."""
    key = name.lower()
    claimants = [(distribution_name(ep), ep.value) for ep in group_entry_points(MODEL_EVALUATOR_GROUP)
                 if ep.name.lower() == key]
    if key in _BUILT_IN:
        claimants.insert(0, ("tracekit (built in)", _BUILT_IN[key]))
    if len(claimants) > 1:
        raise duplicate_name_error(MODEL_EVALUATOR_GROUP, name, claimants)


def _load_class(name: str) -> Any:
    _check_one_claimant(name)
    built_in = _BUILT_IN.get(name.lower())
    if built_in is not None:
        module_name, _, attribute = built_in.partition(":")
        return getattr(importlib.import_module(module_name), attribute)
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
        _check_one_claimant(name)
        try:
            found.append((name, get_evaluator(name)))
        except TracekitException as error:
            if name not in _reported_skips:  # once per process, as plugin load failures are
                _reported_skips.add(name)
                logger.warning("The evaluator %r is skipped: %s", name, error.message)
    return found
