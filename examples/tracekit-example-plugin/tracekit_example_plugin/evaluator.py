"""A model evaluator named `mismatches`: counts the rows whose prediction differs from the target, logs that count
and rate to the run, and the differing row numbers as `mismatches.json`. Used with
`tracekit.models.evaluate(..., evaluators=["mismatches"])`."""

from __future__ import annotations

from typing import Any

import tracekit
from tracekit.models import EvaluationArtifact, EvaluationDataset, EvaluationResult
from tracekit.plugins import ModelEvaluator


class MismatchEvaluator(ModelEvaluator):
    """Evaluates classifiers (any model type with targets, when `evaluator_config["any_model_type"]` is true)."""

    def can_evaluate(self, *, model_type: str | None, evaluator_config: dict[str, Any], **kwargs: Any) -> bool:
        return model_type == "classifier" or bool(evaluator_config.get("any_model_type"))

    def evaluate(self, *, model: Any, model_type: str | None, dataset: EvaluationDataset, run_id: str,
                 evaluator_config: dict[str, Any], **kwargs: Any) -> EvaluationResult:
        if dataset.targets is None:
            raise tracekit.TracekitException.invalid_parameter_value("The mismatches evaluator needs targets=.")
        predictions = dataset.predictions if model is None else model.predict(dataset.features)
        differing = [row for row, (predicted, target) in enumerate(zip(predictions, dataset.targets, strict=True))
                     if predicted != target]
        metrics = {"mismatch_count": float(len(differing)), "mismatch_rate": len(differing) / len(dataset)}
        tracekit.log_metrics(metrics, run_id=run_id, model_id=kwargs.get("model_id"))
        tracekit.log_dict({"rows": differing}, "mismatches.json", run_id=run_id)
        uri = f"{tracekit.get_run(run_id).info.artifact_uri}/mismatches.json"
        return EvaluationResult(metrics=metrics, artifacts={"mismatches": EvaluationArtifact(uri, differing)},
                                run_id=run_id)
