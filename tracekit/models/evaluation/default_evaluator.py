"""The built-in "default" evaluator: scikit-learn metrics for classifiers and regressors, token counts, exact match
(question answering) and ROUGE (summarization) for text, precision/recall/NDCG at k for retrievers, plus the
caller's extra metrics and custom artifacts; it logs metrics (linked to the model), plots and the per-row
`eval_results_table` to the run.

evaluator_config keys: `pos_label`, `average` (multiclass: "weighted"), `sample_weights`, `retriever_k` (3),
`max_classes_for_multiclass_roc_pr` (10), `metric_prefix`, `col_mapping` (extra-metric parameter -> data column),
`log_eval_results_table` (True).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.dataset import EvaluationDataset
from tracekit.models.evaluation.evaluator import ModelEvaluator
from tracekit.models.evaluation.metrics import (
    EvaluationMetric,
    MetricInputs,
    MetricValue,
    compute_metric,
    flatten_metric,
)
from tracekit.models.evaluation.result import EvaluationArtifact, EvaluationResult

logger = logging.getLogger(__name__)

CLASSIFIER = "classifier"
REGRESSOR = "regressor"
RETRIEVER = "retriever"
TEXT_MODEL_TYPES = ("question-answering", "text-summarization", "text")
MODEL_TYPES = (CLASSIFIER, REGRESSOR, *TEXT_MODEL_TYPES, RETRIEVER)
_NEEDS_TARGETS = (CLASSIFIER, REGRESSOR, RETRIEVER)
EVAL_RESULTS_TABLE = "eval_results_table"


@dataclass
class _Computed:
    """What one model's evaluation computed, before anything is logged."""

    metrics: dict[str, float]
    values: dict[str, MetricValue]
    predictions: pd.Series
    table: pd.DataFrame
    artifacts: dict[str, Any] = field(default_factory=dict)


class DefaultEvaluator(ModelEvaluator):
    """The built-in evaluator, registered as "default" (see the module docstring for its metrics and config)."""

    def can_evaluate(self, *, model_type: str | None, evaluator_config: dict[str, Any], **kwargs: Any) -> bool:
        """True for the model types listed in MODEL_TYPES, and for no model type when extra metrics are given."""
        return model_type in MODEL_TYPES or (model_type is None and bool(kwargs.get("extra_metrics")))

    def evaluate(self, *, model: Any, model_type: str | None, dataset: EvaluationDataset, run_id: str,
                 evaluator_config: dict[str, Any], **kwargs: Any) -> EvaluationResult:
        """Compute, then log to `run_id`: metrics (linked to `model_id`), artifacts and the results table."""
        from tracekit.artifacts.tables import log_table
        from tracekit.models.evaluation.artifact_logging import log_evaluation_artifact
        from tracekit.tracking.runs import log_metrics

        config = dict(evaluator_config or {})
        extra_metrics: Sequence[EvaluationMetric] = kwargs.get("extra_metrics") or ()
        computed = compute(model, model_type, dataset, config, kwargs.get("predictions"), extra_metrics)
        prefix = str(config.get("metric_prefix") or "")
        metrics = {f"{prefix}{name}": value for name, value in computed.metrics.items()}
        baseline_metrics = None
        baseline_model = kwargs.get("baseline_model")
        if baseline_model is not None:
            baseline = compute(baseline_model, model_type, dataset, config, kwargs.get("predictions"), extra_metrics,
                               with_artifacts=False)
            baseline_metrics = {f"{prefix}{name}": value for name, value in baseline.metrics.items()}

        if metrics:
            log_metrics(metrics, run_id=run_id, model_id=kwargs.get("model_id"), dataset=kwargs.get("input_dataset"))
        artifacts: dict[str, EvaluationArtifact] = {}
        for name, value in computed.artifacts.items():
            artifacts[f"{prefix}{name}"] = log_evaluation_artifact(run_id, f"{prefix}{name}", value)
        with tempfile.TemporaryDirectory(prefix="tracekit-eval-artifacts-") as scratch:
            # logged inside the block: a custom artifact may be a file the function wrote into `scratch`
            for name, value in _custom_artifacts(kwargs.get("custom_artifacts"), computed, dataset, scratch).items():
                artifacts[f"{prefix}{name}"] = log_evaluation_artifact(run_id, f"{prefix}{name}", value)
        if config.get("log_eval_results_table", True):
            from tracekit.artifacts.artifact_uris import append_to_uri_path
            from tracekit.artifacts.run_artifacts import run_artifact_uri

            file_name = f"{prefix}{EVAL_RESULTS_TABLE}.json"
            log_table(computed.table, file_name, run_id=run_id)
            artifacts[f"{prefix}{EVAL_RESULTS_TABLE}"] = EvaluationArtifact(
                uri=append_to_uri_path(run_artifact_uri(run_id), file_name), content=computed.table)
        return EvaluationResult(metrics=metrics, artifacts=artifacts, tables={EVAL_RESULTS_TABLE: computed.table},
                                run_id=run_id, baseline_model_metrics=baseline_metrics)


def compute(model: Any, model_type: str | None, dataset: EvaluationDataset, config: dict[str, Any],
            predictions_column: str | None, extra_metrics: Sequence[EvaluationMetric],
            with_artifacts: bool = True) -> _Computed:
    """The metrics (and, with `with_artifacts`, the plots) of `model` (None: the dataset's predictions) on
    `dataset`, and the per-row results table; nothing is logged."""
    targets = dataset.targets
    if model_type in _NEEDS_TARGETS and targets is None:
        raise TracekitException.invalid_parameter_value(
            f"model_type={model_type!r} needs targets: pass targets=<label column> (or a list of labels when data "
            f"is an array).")
    if model_type in (CLASSIFIER, REGRESSOR):
        _require("sklearn", "scikit-learn")
    if model_type == CLASSIFIER and targets is not None:
        from tracekit.models.evaluation.classification import check_classifier_targets

        check_classifier_targets(targets)  # before predicting: a wrong model_type fails fast
    if model is None:
        assert dataset.predictions is not None  # build_dataset guarantees it for a static dataset
        predictions = dataset.predictions.reset_index(drop=True)
    else:
        from tracekit.models.evaluation.model_outputs import predictions_of

        predictions = predictions_of(model, dataset.features, predictions_column)
    if targets is not None:
        targets = targets.reset_index(drop=True)
    scalars: dict[str, float] = {}
    row_values: dict[str, MetricValue] = {}
    artifacts: dict[str, Any] = {}
    if model_type == CLASSIFIER:
        assert targets is not None
        scalars, artifacts = _classifier(model, dataset, targets, predictions, config, with_artifacts)
    elif model_type == REGRESSOR:
        from tracekit.models.evaluation.model_outputs import sklearn_score
        from tracekit.models.evaluation.regression import regressor_metrics

        assert targets is not None
        scalars = regressor_metrics(targets, predictions, config)
        score = sklearn_score(model, dataset.features, targets) if model is not None else None
        if score is not None:
            scalars["score"] = score
    elif model_type in TEXT_MODEL_TYPES:
        from tracekit.models.evaluation.text_metrics import text_metrics

        row_values = text_metrics(model_type, predictions, targets)
    elif model_type == RETRIEVER:
        from tracekit.models.evaluation.retrieval import retriever_k, retriever_metrics

        assert targets is not None
        row_values = retriever_metrics(predictions, targets, retriever_k(config))

    values = {name: MetricValue(aggregate_results={name: value}) for name, value in scalars.items()}
    metrics = dict(scalars)
    for key, value in row_values.items():
        values[key] = value
        metrics.update(flatten_metric(key, value))
    for metric in extra_metrics:
        if not isinstance(metric, EvaluationMetric):
            raise TracekitException.invalid_parameter_value(
                f"extra_metrics holds {type(metric).__name__}; make each metric with tracekit.models.make_metric().")
        inputs = MetricInputs(predictions=predictions, targets=targets, input_df=dataset.data,
                              evaluator_config=config, metrics=values)
        value = compute_metric(metric, inputs)
        values[metric.name] = value
        metrics.update(flatten_metric(metric.key, value))
        row_values[metric.key] = value
    return _Computed(metrics=metrics, values=values, predictions=predictions,
                     table=_results_table(dataset, targets, predictions, row_values), artifacts=artifacts)


def _classifier(model: Any, dataset: EvaluationDataset, targets: pd.Series, predictions: pd.Series,
                config: dict[str, Any], with_artifacts: bool) -> tuple[dict[str, float], dict[str, Any]]:
    from tracekit.models.evaluation.classification import classifier_metrics
    from tracekit.models.evaluation.model_outputs import probabilities_of, sklearn_score

    probabilities, classes = probabilities_of(model, dataset.features) if model is not None else (None, None)
    outcome = classifier_metrics(targets, predictions, probabilities, classes, config)
    scalars = dict(outcome.metrics)
    score = sklearn_score(model, dataset.features, targets) if model is not None else None
    if score is not None:
        scalars["score"] = score
    artifacts: dict[str, Any] = {}
    if outcome.per_class is not None:
        artifacts["per_class_metrics"] = outcome.per_class
    if with_artifacts and _plots_available():
        from tracekit.models.evaluation.plots import confusion_matrix_figure, curve_figures

        artifacts["confusion_matrix"] = confusion_matrix_figure(outcome)
        artifacts.update(curve_figures(outcome, targets.to_numpy(), config))
    return scalars, artifacts


def _require(module: str, distribution: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise TracekitException.invalid_parameter_value(
            f"The default evaluator computes these metrics with {distribution}, which is not installed: "
            f"pip install 'tracekit[evaluation]'.")


_plots_warned = False


def _plots_available() -> bool:
    """Whether matplotlib is installed (else the plots are skipped, said once per process)."""
    global _plots_warned
    import importlib.util

    if importlib.util.find_spec("matplotlib") is not None:
        return True
    if not _plots_warned:
        _plots_warned = True
        logger.warning("evaluate: matplotlib is not installed, so no plots are logged: pip install "
                       "'tracekit[evaluation]'.")
    return False


def _results_table(dataset: EvaluationDataset, targets: pd.Series | None, predictions: pd.Series,
                   row_values: dict[str, MetricValue]) -> pd.DataFrame:
    """One row per example: the features, the target, the prediction and each per-row metric score."""
    columns: dict[str, Any] = {str(name): dataset.features[name].to_numpy() for name in dataset.features.columns}
    if targets is not None:
        columns["target"] = targets.to_numpy()
    columns["prediction"] = predictions.to_numpy()
    for key, value in row_values.items():
        if value.scores is not None:
            columns[f"{key}/score"] = list(value.scores)
        if value.justifications is not None:
            columns[f"{key}/justification"] = list(value.justifications)
    return pd.DataFrame(columns)


def _custom_artifacts(functions: Sequence[Any] | None, computed: _Computed, dataset: EvaluationDataset,
                      scratch: str) -> dict[str, Any]:
    """What each custom artifact function returns when called with (eval_df, builtin_metrics, scratch)."""
    if not functions:
        return {}
    eval_df = pd.DataFrame({"prediction": computed.predictions.to_numpy()})
    if dataset.targets is not None:
        eval_df["target"] = dataset.targets.to_numpy()
    produced: dict[str, Any] = {}
    for function in functions:
        if not callable(function):
            raise TracekitException.invalid_parameter_value(
                f"custom_artifacts holds {type(function).__name__}; each must be a function "
                f"(eval_df, builtin_metrics, artifacts_dir) -> dict of name -> artifact.")
        name = getattr(function, "__name__", repr(function))
        try:
            returned = function(eval_df.copy(), dict(computed.metrics), scratch)
        except Exception as error:
            raise TracekitException.invalid_parameter_value(
                f"The custom artifact function {name!r} raised {type(error).__name__}: {error}") from error
        if not isinstance(returned, dict):
            raise TracekitException.invalid_parameter_value(
                f"The custom artifact function {name!r} returned {type(returned).__name__}, not a dict of name -> "
                f"artifact.")
        produced.update(returned)
    return produced
