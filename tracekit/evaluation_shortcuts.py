"""`tracekit.evaluate` and `tracekit.validate_evaluation_results`, MLflow's top-level names for
`tracekit.models.evaluate` and `tracekit.models.validate_evaluation_results`. They import the models half (numpy,
pandas, scikit-learn) on the first call, so `import tracekit` stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracekit.models.evaluation.result import EvaluationResult


def evaluate(*args: Any, **kwargs: Any) -> EvaluationResult:
    """`tracekit.models.evaluate` (same arguments): evaluate a model or a static dataset and log the results.

    >>> result = tracekit.evaluate(info.model_uri, test_df, targets="label", model_type="classifier")
    """
    from tracekit.models.evaluation.model_evaluation import evaluate as evaluate_model

    return evaluate_model(*args, **kwargs)


def validate_evaluation_results(*args: Any, **kwargs: Any) -> None:
    """`tracekit.models.validate_evaluation_results` (same arguments): check metrics against `MetricThreshold`s."""
    from tracekit.models.evaluation.thresholds import validate_evaluation_results as validate

    validate(*args, **kwargs)
