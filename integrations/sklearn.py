"""Autolog for scikit-learn: `fit` (and `fit_transform` / `fit_predict`) of every estimator logs a training run.

>>> tracekit.sklearn.autolog()
>>> LogisticRegression().fit(X_train, y_train)       # a run with params, training_* metrics, the model, the dataset
>>> model.score(X_test, y_test)                      # LogisticRegression_score_X_test in that run

The methods are wrapped with wrapt where a class defines them (so a subclass inheriting `fit` is covered, and each
function is wrapped once). Only the outermost patched call logs: a Pipeline's or a search's inner fits, and the
metrics autolog computes itself, pass straight through. Without an active run, the call starts one and ends it
(FAILED, with the user's exception re-raised unchanged, if `fit` raised). Logging failures are reported once and
counted (`tracekit.tracing.safety.internal_error_counts`); the user's call always goes on.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, autolog_setup
from tracekit.integrations._sklearn_logging import Settings, log_fitted
from tracekit.integrations._sklearn_metrics import caller_variable_name
from tracekit.integrations._sklearn_post_training import (
    PREDICT_METHODS,
    metric_key,
    metric_targets,
    prediction_argument,
    remember_prediction,
)
from tracekit.integrations._training_runs import apply_patches, library_autolog, quiet_while_logging, training_run
from tracekit.integrations._training_scope import inside_training_call
from tracekit.tracing.safety import report_internal_error
from tracekit.validation import check_choice

MINIMUM_VERSION = (1, 3)
#: The newest minor version tested; `disable_for_unsupported_versions=True` keeps autolog off for newer ones.
NEWEST_TESTED_VERSION = (1, 9)
FIT_METHODS = ("fit", "fit_transform", "fit_predict")

_PATCHES = PatchSet("sklearn", needs_tracing=False)
_LIBRARY = Library("sklearn", "sklearn", "scikit-learn", MINIMUM_VERSION)
_settings = Settings()
# True while a patched call (of this or another training autolog) is being handled: the calls it makes (inner fits,
# score for training metrics, an XGBoost estimator inside a Pipeline) pass through unlogged.
_inside = inside_training_call
# fitted estimator -> the run its autologged fit logged to (for post-training metrics)
_fitted_runs: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_SKLEARN_FOLDER: tuple[str, ...] = ()
#: Whether the user's last explicit `tracekit.sklearn.autolog()` call set the options (they then take precedence
#: over `tracekit.autolog()`'s).
_configured_explicitly = False


@library_autolog("sklearn")
def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            max_tuning_runs: int | None = 5, log_post_training_metrics: bool = True,
            serialization_format: str = "cloudpickle", registered_model_name: str | None = None,
            pos_label: Any = None, extra_tags: Mapping[str, Any] | None = None) -> None:
    """Log every scikit-learn `fit` (and `fit_transform` / `fit_predict`) as a training run: params, `training_*`
    metrics, tags `estimator_name` / `estimator_class`, the training dataset (input, context "train") and the
    fitted model as the logged model "model" (with a signature, and with `log_input_examples=True` the first rows
    as input example). A run is started (and ended) when none is active; with `exclusive=True` nothing is logged
    into a run you started. `GridSearchCV` / `RandomizedSearchCV` also log `best_*` params, `best_cv_score`, the
    "best_estimator" model, `cv_results.csv` and the best `max_tuning_runs` candidates (all if None) as child runs.
    With `log_post_training_metrics`, `model.score(X_test, y_test)` logs `<Class>_score_X_test` into the model's
    run. `disable=True` removes the patches; `silent=True` keeps tracekit's logs and warnings out of the way;
    `disable_for_unsupported_versions=True` stays off for scikit-learn versions newer than the ones tested.

    >>> tracekit.sklearn.autolog(log_input_examples=True)
    >>> LogisticRegression().fit(X_train, y_train)
    """
    global _configured_explicitly
    _configured_explicitly = not disable
    configure(log_input_examples=log_input_examples, log_model_signatures=log_model_signatures,
              log_models=log_models, log_datasets=log_datasets, disable=disable, exclusive=exclusive,
              disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
              max_tuning_runs=max_tuning_runs, log_post_training_metrics=log_post_training_metrics,
              serialization_format=serialization_format, registered_model_name=registered_model_name,
              pos_label=pos_label, extra_tags=extra_tags)


def autolog_from_global(disable: bool, silent: bool, log_traces: bool, extra_tags: Mapping[str, Any] | None,
                        **options: Any) -> None:
    """`tracekit.autolog()`'s call: `disable` always applies; the options only if the user has not configured
    scikit-learn autolog itself (`tracekit.sklearn.autolog(...)` takes precedence, as the seeds say)."""
    global _configured_explicitly
    if disable:
        _configured_explicitly = False
        configure(disable=True, silent=silent)
        return
    if _configured_explicitly and _PATCHES.active:
        return
    configure(silent=silent, extra_tags=extra_tags, **options)


def configure(*, disable: bool = False, silent: bool = False, extra_tags: Mapping[str, Any] | None = None,
              disable_for_unsupported_versions: bool = False, max_tuning_runs: int | None = 5,
              serialization_format: str = "cloudpickle", **options: Any) -> None:
    """Check the options, store them and switch the patches on or off."""
    from tracekit.models.sklearn_flavor import SUPPORTED_SERIALIZATION_FORMATS

    if max_tuning_runs is not None and (isinstance(max_tuning_runs, bool) or not isinstance(max_tuning_runs, int)
                                        or max_tuning_runs < 0):
        raise TracekitException.invalid_parameter_value(
            f"sklearn autolog: max_tuning_runs must be None or a non-negative int, got {max_tuning_runs!r}.")
    check_choice("serialization_format", serialization_format, SUPPORTED_SERIALIZATION_FORMATS, "sklearn autolog: ")
    with autolog_setup("sklearn", silent, extra_tags):
        if disable:
            _PATCHES.remove()
            return
        global _settings
        _settings = Settings.chosen(silent, extra_tags, max_tuning_runs=max_tuning_runs,
                                    serialization_format=serialization_format, **options)
        apply_patches(_PATCHES, _LIBRARY, NEWEST_TESTED_VERSION, _targets,
                      disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent)


def is_enabled() -> bool:
    """Whether scikit-learn training is being autologged."""
    return _PATCHES.active


def _targets() -> list[PatchTarget]:
    global _SKLEARN_FOLDER
    import sklearn
    from sklearn.utils import all_estimators

    _SKLEARN_FOLDER = (os.path.dirname(sklearn.__file__) + os.sep,)
    seen: set[tuple[str, str, str]] = set()
    targets = []
    for _, estimator_class in all_estimators():
        methods = ([(name, _fit_wrapper) for name in FIT_METHODS] + [("score", _score_wrapper)]
                   + [(name, _predict_wrapper) for name in PREDICT_METHODS])
        for method, wrapper in methods:
            owner = next((klass for klass in estimator_class.__mro__ if method in vars(klass)), None)
            if owner is None or owner is object or "." in owner.__qualname__:
                continue
            key = (owner.__module__, owner.__qualname__, method)
            if key not in seen:
                seen.add(key)
                targets.append(PatchTarget(owner.__module__, owner.__qualname__, method, wrapper))
    return targets + metric_targets(_metric_wrapper)


def _fit_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    features = args[0] if args else kwargs.get("X")
    labels = args[1] if len(args) > 1 else kwargs.get("y")
    return features, labels, kwargs.get("sample_weight")


def _fit_wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
    if _inside.get() or instance is None:
        return wrapped(*args, **kwargs)
    with training_run("sklearn", _settings, _inside) as run_id:
        result = wrapped(*args, **kwargs)
        if run_id is not None:
            with quiet_while_logging(_settings.silent):
                try:
                    features, labels, sample_weight = _fit_arguments(args, kwargs)
                    log_fitted(_settings, instance, features, labels, sample_weight, run_id)
                except Exception:  # noqa: BLE001
                    report_internal_error("sklearn autolog: logging a fit")
                try:
                    _fitted_runs[instance] = run_id
                except TypeError:  # an unhashable estimator subclass: no post-training metrics for it
                    pass
        return result


def _post_training_wrapper(record: Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any], Any], None],
                           what: str, needs_instance: bool = True) -> Callable[..., Any]:
    """A wrapper calling the library as it is, then, outside any autologged call and with post-training metrics on,
    handing (wrapped, instance, args, kwargs, result) to `record`, quietly; a failure there is reported as `what`
    and the result returned all the same."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if _inside.get() or (needs_instance and instance is None) or not _settings.log_post_training_metrics:
            return wrapped(*args, **kwargs)
        token = _inside.set(True)
        try:
            result = wrapped(*args, **kwargs)
        finally:
            _inside.reset(token)
        with quiet_while_logging(_settings.silent):
            try:
                record(wrapped, instance, args, kwargs, result)
            except Exception:  # noqa: BLE001
                report_internal_error(f"sklearn autolog: {what}")
        return result

    return wrapper


def _log_score(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
               result: Any) -> None:
    """`model.score(X, y)` of an autologged model logs `<Class>_score_<X's variable name>` into its run."""
    import tracekit

    run_id = _fitted_run(instance)
    if run_id is None:
        return
    features = args[0] if args else kwargs.get("X")
    name = caller_variable_name(features, _SKLEARN_FOLDER)
    key = f"{type(instance).__name__}_score_{name}"
    tracekit.log_metric(key, float(result), synchronous=True, run_id=run_id)


def _fitted_run(instance: Any) -> str | None:
    try:
        return _fitted_runs.get(instance)
    except TypeError:  # an unhashable estimator subclass
        return None


def _remember_prediction(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                         kwargs: dict[str, Any], result: Any) -> None:
    """`predict` (and siblings) of an autologged model: remember the result for post-training metrics."""
    run_id = _fitted_run(instance)
    if run_id is not None:
        features = args[0] if args else kwargs.get("X")
        remember_prediction(result, run_id, caller_variable_name(features, _SKLEARN_FOLDER))


def _log_metric_call(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                     result: Any) -> None:
    """A `sklearn.metrics` function on an autologged model's predictions: log `<function>_<dataset>`."""
    _log_metric_result(wrapped.__name__, args, kwargs, result)


_score_wrapper = _post_training_wrapper(_log_score, "logging a post-training score")
_predict_wrapper = _post_training_wrapper(_remember_prediction, "remembering predictions")
_metric_wrapper = _post_training_wrapper(_log_metric_call, "logging a post-training metric", needs_instance=False)


def _log_metric_result(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    import numbers

    import tracekit

    if not isinstance(result, numbers.Real):
        return  # per-class arrays (average=None) are not one metric
    found = metric_key(name, prediction_argument(args, kwargs))
    if found is not None:
        run_id, key = found
        tracekit.log_metric(key, float(result), synchronous=True, run_id=run_id)
