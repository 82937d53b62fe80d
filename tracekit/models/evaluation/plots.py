"""The default evaluator's classifier plots as matplotlib figures: the confusion matrix, and ROC and
precision-recall curves when the model gives probabilities (one curve per class for a multiclass task, up to
`max_classes_for_multiclass_roc_pr`). Figures are built without pyplot, so no global backend or figure state is
touched."""

from __future__ import annotations

from typing import Any

from tracekit.models.evaluation.classification import ClassifierOutcome

DEFAULT_MAX_CLASSES_FOR_CURVES = 10


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 5), layout="tight")
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
    from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

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
        RocCurveDisplay.from_predictions(truth, scores, name=f"class {name}", ax=roc_axes)
        PrecisionRecallDisplay.from_predictions(truth, scores, name=f"class {name}", ax=pr_axes)
    roc_axes.set_title("ROC curve")
    pr_axes.set_title("Precision-recall curve")
    return {"roc_curve_plot": roc, "precision_recall_curve_plot": pr}
