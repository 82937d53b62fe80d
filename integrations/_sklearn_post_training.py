"""Post-training metrics of scikit-learn autolog: a `sklearn.metrics` function called on the predictions of an
autologged model logs `<function>_<dataset>` into the run the model was fitted in.

`predict`, `predict_proba`, `predict_log_proba` and `decision_function` of an autologged model remember their
result (by weak reference: nothing is kept alive) with the run and the name of the caller's variable holding the
input. A patched metric function looks its predictions argument up (or, for a slice such as `proba[:, 1]`, the
array it is a view of). The same metric on the same dataset again in one run gets `-2`, `-3`, ... after the
function name, so no value is overwritten.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from tracekit.integrations._patching import PatchTarget

PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
METRIC_FUNCTIONS = (
    "accuracy_score", "balanced_accuracy_score", "precision_score", "recall_score", "f1_score", "fbeta_score",
    "jaccard_score", "hamming_loss", "matthews_corrcoef", "log_loss", "roc_auc_score", "average_precision_score",
    "mean_squared_error", "root_mean_squared_error", "mean_absolute_error", "median_absolute_error",
    "mean_absolute_percentage_error", "explained_variance_score", "r2_score",
)
_PREDICTION_ARGUMENTS = ("y_pred", "y_proba", "y_prob", "y_score")
#: At most this many predictions are remembered at once (the oldest are forgotten first).
MAX_REMEMBERED = 1000

_lock = threading.Lock()
# id(prediction) -> (weak reference to it, run id, dataset name)
_predictions: dict[int, tuple[weakref.ref[Any], str, str]] = {}
# (run id, metric key) -> how many times it was logged in this process
_logged_keys: dict[tuple[str, str], int] = {}


def metric_targets(wrapper: Callable[..., Any]) -> list[PatchTarget]:
    """The `sklearn.metrics` functions to wrap (those the installed version has)."""
    return [PatchTarget("sklearn.metrics", None, name, wrapper) for name in METRIC_FUNCTIONS]


def remember_prediction(prediction: Any, run_id: str, dataset_name: str) -> None:
    """Note that `prediction` came from a model fitted in `run_id`, on the data named `dataset_name`."""
    key = id(prediction)

    def forget(_: Any, key: int = key) -> None:
        with _lock:
            entry = _predictions.get(key)
            if entry is not None and entry[0]() is None:
                del _predictions[key]

    try:
        reference = weakref.ref(prediction, forget)
    except TypeError:  # a list or tuple: not trackable by weak reference
        return
    with _lock:
        if len(_predictions) >= MAX_REMEMBERED:
            del _predictions[next(iter(_predictions))]
        _predictions[key] = (reference, run_id, dataset_name)


def _lookup(value: Any) -> tuple[str, str] | None:
    for candidate in (value, getattr(value, "base", None)):
        if candidate is None:
            continue
        with _lock:
            entry = _predictions.get(id(candidate))
        if entry is not None and entry[0]() is candidate:
            return entry[1], entry[2]
    return None


def prediction_argument(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The predictions a metric function was called with: its second positional argument or a `y_pred`-like
    keyword."""
    if len(args) > 1:
        return args[1]
    return next((kwargs[name] for name in _PREDICTION_ARGUMENTS if name in kwargs), None)


def metric_key(function_name: str, prediction: Any) -> tuple[str, str] | None:
    """(run id, metric key) for a metric of `prediction`, or None if it is not from an autologged model."""
    found = _lookup(prediction)
    if found is None:
        return None
    run_id, dataset_name = found
    with _lock:
        if len(_logged_keys) >= MAX_REMEMBERED * 10:
            _logged_keys.clear()  # bounded; a later repeat may then reuse a suffix
        count = _logged_keys.get((run_id, f"{function_name}_{dataset_name}"), 0) + 1
        _logged_keys[(run_id, f"{function_name}_{dataset_name}")] = count
    suffix = "" if count == 1 else f"-{count}"
    return run_id, f"{function_name}{suffix}_{dataset_name}"
