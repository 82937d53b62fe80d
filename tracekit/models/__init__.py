"""`tracekit.models`: MLflow's `mlflow.models` for tracekit. The model format (a directory with an MLmodel file,
environment files and each flavor's files), signatures and input examples, models from code, and model URIs
(`models:/<model_id>`, `runs:/<run_id>/<name>`, local paths, artifact URIs).

Evaluation (`evaluate`, `make_metric`, `MetricThreshold`, `validate_evaluation_results`, `list_evaluators`) lives in
`tracekit.models.evaluation`.

Flavors live beside it: `tracekit.pyfunc` (any Python model) and `tracekit.sklearn`; signature types in
`tracekit.types`.
"""

from tracekit.models.batch_predict import predict
from tracekit.models.code_models import ModelConfig, set_model
from tracekit.models.enforcement import validate_schema
from tracekit.models.evaluation import (
    EvaluationArtifact,
    EvaluationDataset,
    EvaluationMetric,
    EvaluationResult,
    MetricThreshold,
    MetricValue,
    ModelEvaluator,
    ModelValidationFailedException,
    evaluate,
    list_evaluators,
    make_metric,
    validate_evaluation_results,
)
from tracekit.models.input_example import convert_input_example_to_serving_input
from tracekit.models.model import Model, ModelInfo
from tracekit.models.model_tools import get_model_info, infer_pip_requirements, set_signature, validate_serving_input
from tracekit.models.signature import ModelSignature, infer_signature

__all__ = ["EvaluationArtifact", "EvaluationDataset", "EvaluationMetric", "EvaluationResult", "MetricThreshold",
           "MetricValue", "Model", "ModelConfig", "ModelEvaluator", "ModelInfo", "ModelSignature",
           "ModelValidationFailedException", "convert_input_example_to_serving_input", "evaluate", "get_model_info",
           "infer_pip_requirements", "infer_signature", "list_evaluators", "make_metric", "predict", "set_model",
           "set_signature", "validate_evaluation_results", "validate_schema", "validate_serving_input"]
