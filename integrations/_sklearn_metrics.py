"""The metrics scikit-learn autolog computes: training metrics of a fitted estimator on its own training data, and
the name under which a post-training metric is logged (the caller's variable holding the evaluation data).

Every metric is computed on its own: one that does not apply (log_loss of a classifier whose predict_proba raises,
ROC AUC with a single class in `y`) is left out without failing the others.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: Name used for the evaluation data when the caller's variable for it cannot be found.
EVAL_DATASET_NAME = "eval_dataset"
# Frames of these folders are tracekit's, wrapt's or scikit-learn's own, never the user's code holding the data.
_SKIPPED_FOLDERS = tuple(os.path.dirname(path) + os.sep for path in (__file__,))


def training_metrics(estimator: Any, features: Any, labels: Any, sample_weight: Any,
                     pos_label: Any = None) -> dict[str, float]:
    """`training_*` metrics of a fitted classifier or regressor on (`features`, `labels`); {} for other
    estimators or when there are no labels."""
    from sklearn.base import is_classifier, is_regressor

    if labels is None:
        return {}
    if is_classifier(estimator):
        computed = _classifier_metrics(estimator, features, labels, sample_weight, pos_label)
    elif is_regressor(estimator):
        computed = _regressor_metrics(estimator, features, labels, sample_weight)
    else:
        return {}
    score = _metric("score", lambda: estimator.score(features, labels, **_weights(sample_weight)))
    if score is not None:
        computed["score"] = score
    return {f"training_{name}": value for name, value in computed.items()}


def _weights(sample_weight: Any) -> dict[str, Any]:
    return {} if sample_weight is None else {"sample_weight": sample_weight}


def _metric(name: str, compute: Callable[[], Any]) -> float | None:
    try:
        value = float(compute())
    except Exception as error:  # noqa: BLE001 - a metric that does not apply is left out
        logger.debug("tracekit sklearn autolog: metric %s not computed: %s", name, error)
        return None
    return value if not math.isnan(value) else None


def _classifier_metrics(estimator: Any, features: Any, labels: Any, sample_weight: Any,
                        pos_label: Any) -> dict[str, float]:
    from sklearn import metrics

    predicted = estimator.predict(features)
    weights = _weights(sample_weight)
    # Weighted averages work for any number of classes and any label type; a named positive class asks for the
    # binary figures of that class instead.
    averaging: dict[str, Any] = {"average": "weighted"} if pos_label is None else {"average": "binary",
                                                                                   "pos_label": pos_label}
    candidates: dict[str, Callable[[], Any]] = {
        "accuracy_score": lambda: metrics.accuracy_score(labels, predicted, **weights)}
    computed = _computed(candidates)
    # One pass for the three figures: each of precision_score, recall_score and f1_score would redo it.
    try:
        precision, recall, f1, _ = metrics.precision_recall_fscore_support(
            labels, predicted, zero_division=0, **averaging, **weights)
        computed.update(_finite({"precision_score": precision, "recall_score": recall, "f1_score": f1}))
    except Exception as error:  # noqa: BLE001 - left out, as any metric that does not apply
        logger.debug("tracekit sklearn autolog: precision/recall/f1 not computed: %s", error)
    candidates = {}
    if callable(getattr(estimator, "predict_proba", None)):
        probabilities = _metric_input(lambda: estimator.predict_proba(features))
        if probabilities is not None:
            classes = list(estimator.classes_)
            candidates["log_loss"] = lambda: metrics.log_loss(labels, probabilities, labels=classes, **weights)
            if len(classes) == 2:
                candidates["roc_auc"] = lambda: metrics.roc_auc_score(labels, probabilities[:, 1], **weights)
            else:
                candidates["roc_auc"] = lambda: metrics.roc_auc_score(labels, probabilities, multi_class="ovr",
                                                                      labels=classes, **weights)
    computed.update(_computed(candidates))
    return computed


def _finite(values: dict[str, Any]) -> dict[str, float]:
    return {name: float(value) for name, value in values.items() if not math.isnan(float(value))}


def _regressor_metrics(estimator: Any, features: Any, labels: Any, sample_weight: Any) -> dict[str, float]:
    from sklearn import metrics

    predicted = estimator.predict(features)
    weights = _weights(sample_weight)
    computed = _computed({
        "mean_squared_error": lambda: metrics.mean_squared_error(labels, predicted, **weights),
        "mean_absolute_error": lambda: metrics.mean_absolute_error(labels, predicted, **weights),
        "r2_score": lambda: metrics.r2_score(labels, predicted, **weights),
    })
    if "mean_squared_error" in computed:
        computed["root_mean_squared_error"] = math.sqrt(computed["mean_squared_error"])
    return computed


def _metric_input(compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except Exception as error:  # noqa: BLE001
        logger.debug("tracekit sklearn autolog: predict_proba failed, no log_loss/roc_auc: %s", error)
        return None


def _computed(candidates: dict[str, Callable[[], Any]]) -> dict[str, float]:
    computed = {}
    for name, compute in candidates.items():
        value = _metric(name, compute)
        if value is not None:
            computed[name] = value
    return computed


def caller_variable_name(value: Any, skipped_folders: tuple[str, ...]) -> str:
    """The name of the variable holding `value` (by identity) in the nearest frame outside tracekit, wrapt and
    `skipped_folders`, or EVAL_DATASET_NAME. Only that one frame's locals are looked at."""
    frame = sys._getframe(1)
    skipped = _SKIPPED_FOLDERS + skipped_folders
    while frame is not None and (frame.f_code.co_filename.startswith(skipped)
                                 or "wrapt" in frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return EVAL_DATASET_NAME
    for name, held in frame.f_locals.items():
        if held is value and name.isidentifier() and not name.startswith("_"):
            return name
    return EVAL_DATASET_NAME
