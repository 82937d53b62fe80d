"""Model evaluation: `evaluate`, metrics, thresholds, evaluators, and the `EvaluationResult` they return.

    evaluate (model_evaluation.py) -> build_dataset (dataset.py) -> evaluators by name (evaluator_registry.py:
    the built-in "default" of default_evaluator.py and plugins of `tracekit.model_evaluator`, each a
    `ModelEvaluator`, evaluator.py) -> metrics (classification.py, regression.py, text_metrics.py, rouge.py,
    retrieval.py, extra metrics of metrics.py), plots (plots.py), artifacts (artifact_logging.py) ->
    EvaluationResult (result.py) -> validate_evaluation_results with MetricThreshold (thresholds.py).
"""

from tracekit.exceptions import ModelValidationFailedException
from tracekit.models.evaluation.dataset import EvaluationDataset
from tracekit.models.evaluation.evaluator import ModelEvaluator
from tracekit.models.evaluation.evaluator_registry import list_evaluators
from tracekit.models.evaluation.metrics import EvaluationMetric, MetricValue, make_metric
from tracekit.models.evaluation.model_evaluation import evaluate
from tracekit.models.evaluation.result import EvaluationArtifact, EvaluationResult
from tracekit.models.evaluation.thresholds import MetricThreshold, validate_evaluation_results

__all__ = ["EvaluationArtifact", "EvaluationDataset", "EvaluationMetric", "EvaluationResult", "MetricThreshold",
           "MetricValue", "ModelEvaluator", "ModelValidationFailedException", "evaluate", "list_evaluators",
           "make_metric", "validate_evaluation_results"]
