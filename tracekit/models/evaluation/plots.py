"""The default evaluator's classifier plots as matplotlib figures: the confusion matrix, and ROC and
precision-recall curves when the model gives probabilities (one curve per class for a multiclass task, up to
`max_classes_for_multiclass_roc_pr`). Figures are built without pyplot, so no global backend or figure state is
touched."""

from __future__ import annotations

from typing import Any

from tracekit.models.evaluation.classification import ClassifierOutcome

DEFAULT_MAX_CLASSES_FOR_CURVES = 10
# A curve over 100,000 rows has as many points; drawn with this many it looks the same and renders some 10x faster.
_MAX_CURVE_POINTS = 1000


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 5))
    return figure, figure.subplots()


def confusion_matrix_figure(outcome: ClassifierOutcome) -> Any:
    """The confusion matrix (true labels in rows, predicted labels in columns)."""
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axes = _figure()
    ConfusionMatrixDisplay(outcome.confusion, display_labels=[str(label) for label in outcome.labels]).plot(
        ax=axes, colorbar=False)
    axes.set_title("Confusion matrix")
    return figure


def curve_figures(outcome: ClassifierOutcome, targets: Any, config: dict[str, Any]) -> dict[str, Any]:
    """`roc_curve_plot` and `precision_recall_curve_plot` figures, when probabilities exist (empty otherwise)."""
    from sklearn import metrics as sk

    if outcome.binary:
        if outcome.positive_scores is None:
            return {}
        series = [(str(outcome.pos_label), targets == outcome.pos_label, outcome.positive_scores)]
    else:
        limit = config.get("max_classes_for_multiclass_roc_pr", DEFAULT_MAX_CLASSES_FOR_CURVES)
        if outcome.probabilities is None or len(outcome.labels) > limit:
            return {}
        series = [(str(label), targets == label, outcome.probabilities[:, position])
                  for position, label in enumerate(outcome.labels)]
    series = [(name, truth, scores) for name, truth, scores in series if 0 < truth.sum() < len(truth)]
    if not series:
        return {}
    roc, roc_axes = _figure()
    pr, pr_axes = _figure()
    for name, truth, scores in series:
        fpr, tpr, _ = sk.roc_curve(truth, scores)
        sk.RocCurveDisplay(fpr=_thin(fpr), tpr=_thin(tpr), roc_auc=sk.auc(fpr, tpr)).plot(
            ax=roc_axes, name=f"class {name}")
        precision, recall, _ = sk.precision_recall_curve(truth, scores)
        sk.PrecisionRecallDisplay(precision=_thin(precision), recall=_thin(recall),
                                  average_precision=sk.average_precision_score(truth, scores)).plot(
            ax=pr_axes, name=f"class {name}")
    roc_axes.set_title("ROC curve")
    pr_axes.set_title("Precision-recall curve")
    return {"roc_curve_plot": roc, "precision_recall_curve_plot": pr}


def _thin(points: Any) -> Any:
    """At most _MAX_CURVE_POINTS evenly spaced points of a curve, its first and last kept."""
    import numpy as np

    if len(points) <= _MAX_CURVE_POINTS:
        return points
    return points[np.linspace(0, len(points) - 1, _MAX_CURVE_POINTS).round().astype(int)]
