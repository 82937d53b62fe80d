"""The default evaluator's classifier metrics, computed with scikit-learn: binary (confusion counts, precision,
recall, f1 for the positive label; log loss, ROC AUC and PR AUC from probabilities) and multiclass (averaged as
`evaluator_config["average"]` says, "weighted" by default, plus micro and macro f1 and a per-class table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.metrics import sample_weights_of

# Labels MLflow accepts for a binary classifier without a pos_label: the negative one 0, -1 or False, the positive
# one 1 or True.
_BINARY_NEGATIVES = (0, -1, False)
DEFAULT_AVERAGE = "weighted"


@dataclass
class ClassifierOutcome:
    """The metrics, the labels in order, whether the task is binary (and its positive label), the confusion
    matrix, and the per-class metrics of a multiclass task."""

    metrics: dict[str, float]
    labels: list[Any]
    binary: bool
    pos_label: Any
    confusion: np.ndarray
    per_class: pd.DataFrame | None = None
    positive_scores: np.ndarray | None = None  # binary: the probability of the positive label per row
    probabilities: np.ndarray | None = field(default=None, repr=False)  # columns in `labels` order


def check_classifier_targets(targets: pd.Series) -> None:
    """TracekitException when the targets do not look like class labels (continuous numbers, several per row)."""
    from sklearn.utils.multiclass import type_of_target

    missing = int(targets.isna().sum())
    if missing:
        raise TracekitException.invalid_parameter_value(
            f"model_type='classifier' needs a class label on every row: {missing} of the targets are missing.")
    try:
        kind = type_of_target(targets.to_numpy())
    except ValueError as error:
        raise TracekitException.invalid_parameter_value(
            f"model_type='classifier' needs one class label per row as targets: {str(error).rstrip('.')}.") \
            from error
    if kind.startswith("continuous"):
        sample = next((value for value in targets if float(value) != int(value)), targets.iloc[0])
        raise TracekitException.invalid_parameter_value(
            f"model_type='classifier' needs class labels as targets, but they are continuous numbers (e.g. "
            f"{sample!r}). For numeric predictions use model_type='regressor'.")
    if kind not in ("binary", "multiclass"):
        raise TracekitException.invalid_parameter_value(
            f"model_type='classifier' needs one class label per row as targets; scikit-learn reads them as "
            f"{kind!r}.")


def classifier_metrics(targets: pd.Series, predictions: pd.Series, probabilities: np.ndarray | None,
                       probability_classes: list[Any] | None, config: dict[str, Any]) -> ClassifierOutcome:
    """The classifier metrics of `predictions` against `targets` (with `probabilities` in `probability_classes`
    order when the model gives them)."""
    from sklearn import metrics as sk

    y_true, y_pred = targets.to_numpy(), predictions.to_numpy()
    labels = sorted(set(y_true.tolist()) | set(y_pred.tolist()), key=_label_order)
    weights = sample_weights_of(config, len(y_true))
    proba = _aligned_probabilities(probabilities, probability_classes, labels)
    common = {"example_count": float(len(y_true)),
              "accuracy_score": float(sk.accuracy_score(y_true, y_pred, sample_weight=weights))}
    if len(labels) <= 2:
        return _binary(y_true, y_pred, labels, proba, weights, config, common)
    return _multiclass(y_true, y_pred, labels, proba, weights, config, common)


def _label_order(label: Any) -> tuple[str, Any]:
    return (type(label).__name__, label)


def _aligned_probabilities(probabilities: np.ndarray | None, classes: list[Any] | None,
                           labels: list[Any]) -> np.ndarray | None:
    """The probability columns in `labels` order, or None when they do not cover the labels."""
    if probabilities is None or classes is None:
        return None
    index = {label: position for position, label in enumerate(classes)}
    if any(label not in index for label in labels) or len(classes) != len(labels):
        return None
    return np.asarray(probabilities)[:, [index[label] for label in labels]]


def _positive_label(labels: list[Any], config: dict[str, Any]) -> Any:
    if "pos_label" in config and config["pos_label"] is not None:
        return config["pos_label"]
    if all(any(label == negative for negative in _BINARY_NEGATIVES) or label in (1, True) for label in labels):
        return 1
    raise TracekitException.invalid_parameter_value(
        f"A binary classifier's labels must be 0/1, -1/1 or False/True unless evaluator_config names the positive "
        f"one: the labels are {labels}; pass evaluator_config={{'pos_label': {labels[-1]!r}}}.")


def _binary(y_true: np.ndarray, y_pred: np.ndarray, labels: list[Any], proba: np.ndarray | None, weights: Any,
            config: dict[str, Any], common: dict[str, float]) -> ClassifierOutcome:
    from sklearn import metrics as sk

    pos_label = _positive_label(labels, config)
    negatives = [label for label in labels if label != pos_label]
    if len(negatives) > 1:
        raise TracekitException.invalid_parameter_value(
            f"evaluator_config['pos_label']={pos_label!r} is not one of the labels {labels}.")
    order = [*negatives, pos_label]
    confusion = sk.confusion_matrix(y_true, y_pred, labels=order, sample_weight=weights)
    if confusion.shape == (2, 2):
        tn, fp, fn, tp = (float(value) for value in confusion.ravel())
    else:  # one label only: every row is that class
        count = float(confusion.sum())
        tn, fp, fn, tp = (0.0, 0.0, 0.0, count) if order[-1] == pos_label else (count, 0.0, 0.0, 0.0)
    scoring = {"pos_label": pos_label, "average": "binary", "sample_weight": weights, "zero_division": 0}
    metrics = {"true_negatives": tn, "false_positives": fp, "false_negatives": fn, "true_positives": tp,
               "recall_score": float(sk.recall_score(y_true, y_pred, **scoring)),
               "precision_score": float(sk.precision_score(y_true, y_pred, **scoring)),
               "f1_score": float(sk.f1_score(y_true, y_pred, **scoring)), **common}
    positive_scores = None
    if proba is not None and len(labels) == 2 and pos_label in labels:
        positive_scores = proba[:, labels.index(pos_label)]
        is_positive = y_true == pos_label
        metrics["log_loss"] = float(sk.log_loss(y_true, proba, labels=labels, sample_weight=weights))
        if 0 < is_positive.sum() < len(is_positive):  # both classes present: the curves are defined
            metrics["roc_auc"] = float(sk.roc_auc_score(is_positive, positive_scores, sample_weight=weights))
            precision, recall, _ = sk.precision_recall_curve(is_positive, positive_scores, sample_weight=weights)
            metrics["precision_recall_auc"] = float(sk.auc(recall, precision))
    return ClassifierOutcome(metrics=metrics, labels=order, binary=True, pos_label=pos_label, confusion=confusion,
                             positive_scores=positive_scores, probabilities=proba)


def _multiclass(y_true: np.ndarray, y_pred: np.ndarray, labels: list[Any], proba: np.ndarray | None, weights: Any,
                config: dict[str, Any], common: dict[str, float]) -> ClassifierOutcome:
    from sklearn import metrics as sk

    average = config.get("average", DEFAULT_AVERAGE)
    if average not in ("micro", "macro", "weighted"):
        raise TracekitException.invalid_parameter_value(
            f"evaluator_config['average'] must be 'micro', 'macro' or 'weighted' for a multiclass classifier, got "
            f"{average!r}.")
    scoring = {"labels": labels, "sample_weight": weights, "zero_division": 0}
    metrics = {**common,
               "recall_score": float(sk.recall_score(y_true, y_pred, average=average, **scoring)),
               "precision_score": float(sk.precision_score(y_true, y_pred, average=average, **scoring)),
               "f1_score": float(sk.f1_score(y_true, y_pred, average=average, **scoring)),
               "f1_score_micro": float(sk.f1_score(y_true, y_pred, average="micro", **scoring)),
               "f1_score_macro": float(sk.f1_score(y_true, y_pred, average="macro", **scoring))}
    per_class_counts = sk.multilabel_confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weights)
    per_class = pd.DataFrame({
        "positive_class": labels,
        "true_negatives": per_class_counts[:, 0, 0], "false_positives": per_class_counts[:, 0, 1],
        "false_negatives": per_class_counts[:, 1, 0], "true_positives": per_class_counts[:, 1, 1],
        "recall": sk.recall_score(y_true, y_pred, average=None, **scoring),
        "precision": sk.precision_score(y_true, y_pred, average=None, **scoring)})
    if proba is not None:
        metrics["log_loss"] = float(sk.log_loss(y_true, proba, labels=labels, sample_weight=weights))
        present = set(y_true.tolist())
        if all(label in present for label in labels):
            metrics["roc_auc"] = float(sk.roc_auc_score(y_true, proba, labels=labels, multi_class="ovr",
                                                        average=average, sample_weight=weights))
        roc, pr = [], []
        for position, label in enumerate(labels):
            is_label = y_true == label
            defined = 0 < is_label.sum() < len(is_label)
            roc.append(float(sk.roc_auc_score(is_label, proba[:, position])) if defined else np.nan)
            if defined:
                precision, recall, _ = sk.precision_recall_curve(is_label, proba[:, position])
                pr.append(float(sk.auc(recall, precision)))
            else:
                pr.append(np.nan)
        per_class["roc_auc"], per_class["precision_recall_auc"] = roc, pr
    confusion = sk.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weights)
    return ClassifierOutcome(metrics=metrics, labels=labels, binary=False, pos_label=None, confusion=confusion,
                             per_class=per_class, probabilities=proba)
