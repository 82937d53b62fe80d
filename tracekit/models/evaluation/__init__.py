"""Model evaluation: `evaluate`, metrics, thresholds, evaluators, and the `EvaluationResult` they return."""

from tracekit.models.evaluation.result import EvaluationArtifact, EvaluationResult

__all__ = ["EvaluationArtifact", "EvaluationResult"]
