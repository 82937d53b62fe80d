"""The `ModelEvaluator` contract: what `evaluate(evaluators=...)` calls. The built-in "default" evaluator implements
it, and plugins provide more through the entry-point group `tracekit.model_evaluator` (the entry point's name is
the evaluator's name; its value a `ModelEvaluator` subclass built with no arguments)."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracekit.models.evaluation.dataset import EvaluationDataset
    from tracekit.models.evaluation.result import EvaluationResult


class ModelEvaluator(abc.ABC):
    """An evaluator of models (or of a static dataset of predictions).

    >>> class RowCountEvaluator(ModelEvaluator):
    ...     def can_evaluate(self, *, model_type, evaluator_config, **kwargs):
    ...         return model_type in ("classifier", "regressor")
    ...     def evaluate(self, *, model, model_type, dataset, run_id, evaluator_config, **kwargs):
    ...         tracekit.log_metric("row_count", len(dataset.features), run_id=run_id)
    ...         return EvaluationResult(metrics={"row_count": len(dataset.features)}, run_id=run_id)
    """

    @abc.abstractmethod
    def can_evaluate(self, *, model_type: str | None, evaluator_config: dict[str, Any], **kwargs: Any) -> bool:
        """Whether this evaluator handles `model_type` with this config (used when `evaluators` is not given)."""

    @abc.abstractmethod
    def evaluate(self, *, model: Any, model_type: str | None, dataset: EvaluationDataset, run_id: str,
                 evaluator_config: dict[str, Any], **kwargs: Any) -> EvaluationResult:
        """Evaluate `model` (an object with `predict(features)`, or None when `dataset.predictions` holds the
        outputs) on `dataset`, log metrics and artifacts to the run `run_id`, and return them.

        `kwargs` holds the other arguments of `evaluate`: `extra_metrics`, `custom_artifacts`, `baseline_model`,
        `predictions` (the output column name), `model_id` (the logged model to link metrics to, or None),
        `input_dataset` (the `tracekit.data` dataset logged as the run's input: `log_metrics(..., dataset=)`)."""
