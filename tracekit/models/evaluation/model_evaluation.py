"""`evaluate`: judge a model (a URI, a loaded pyfunc model or a function) or a static dataset of predictions with
the chosen evaluators, logging everything to the active run (or a new one, ended afterwards)."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.models.evaluation.dataset import EvaluationDataset, build_dataset
from tracekit.models.evaluation.evaluator import ModelEvaluator
from tracekit.models.evaluation.metrics import EvaluationMetric
from tracekit.models.evaluation.result import EvaluationResult

logger = logging.getLogger(__name__)

#: The context the evaluation data is logged with as an input of the run (`log_input`).
EVALUATION_CONTEXT = "evaluation"

#: The run tag listing the datasets evaluated in a run (hash, name, path, model), as a JSON list.
DATASETS_TAG = "mlflow.datasets"


class FunctionModel:
    """A plain function evaluated as a model: `predict(data)` calls it with the features."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.model_id: str | None = None

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """The function's output for `data`."""
        return self.function(data)


class _WithParams:
    """A loaded model whose predict always gets `params` (evaluate's inference_params)."""

    def __init__(self, model: Any, params: dict[str, Any]) -> None:
        self._model = model
        self._params = params
        self.model_id = getattr(model, "model_id", None)

    def predict(self, data: Any) -> Any:
        return self._model.predict(data, params=self._params)

    def unwrapped_model(self) -> Any:
        unwrap = getattr(self._model, "unwrapped_model", None)
        return unwrap() if callable(unwrap) else None


def _resolve_model(model: Any, model_config: Mapping[str, Any] | None, inference_params: dict[str, Any] | None,
                   what: str) -> Any:
    if model is None:
        return None
    if isinstance(model, str):
        from tracekit.models.pyfunc_model import load_model

        model = load_model(model, model_config=model_config)
    elif hasattr(model, "predict"):
        pass
    elif callable(model):
        return FunctionModel(model)
    else:
        raise TracekitException.invalid_parameter_value(
            f"{what} must be a model URI, a model loaded with tracekit.pyfunc.load_model, or a function of the "
            f"features; got {type(model).__name__}.")
    return _WithParams(model, dict(inference_params)) if inference_params else model


def _evaluator_names(evaluators: str | Sequence[str] | None) -> list[str] | None:
    if evaluators is None:
        return None
    if isinstance(evaluators, str):
        return [evaluators]
    if isinstance(evaluators, Sequence) and all(isinstance(name, str) for name in evaluators) and evaluators:
        return list(evaluators)
    raise TracekitException.invalid_parameter_value(
        f"evaluators must be an evaluator name or a non-empty list of names, got {evaluators!r}.")


def _config_for(name: str, names: list[str], evaluator_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The config of evaluator `name`: its entry when the config is keyed by evaluator name, else the whole
    (flat) config."""
    if not evaluator_config:
        return {}
    if not isinstance(evaluator_config, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"evaluator_config must be a dict, got {type(evaluator_config).__name__}.")
    nested = all(key in names and isinstance(value, Mapping) for key, value in evaluator_config.items())
    if nested:
        return dict(evaluator_config.get(name, {}))
    return dict(evaluator_config)


def _chosen_evaluators(names: list[str] | None, model_type: str | None,
                       evaluator_config: Mapping[str, Any] | None,
                       extra_metrics: list[EvaluationMetric]) -> list[tuple[str, ModelEvaluator, dict[str, Any]]]:
    from tracekit.models.evaluation.default_evaluator import MODEL_TYPES
    from tracekit.models.evaluation.evaluator_registry import available_evaluators, get_evaluator

    if model_type is not None and model_type not in MODEL_TYPES and names in (None, ["default"]):
        raise TracekitException.invalid_parameter_value(
            f"Unknown model_type {model_type!r}. The default evaluator supports: {', '.join(MODEL_TYPES)}; an "
            f"evaluator plugin may support others (pass evaluators=[<its name>]).")
    if names is not None and len(evaluator_config or {}) and len(names) > 1 and not all(
            key in names for key in (evaluator_config or {})):
        raise TracekitException.invalid_parameter_value(
            f"With several evaluators ({', '.join(names)}), evaluator_config must be keyed by evaluator name, e.g. "
            f"{{{names[0]!r}: {{...}}}}.")
    candidates = [(name, get_evaluator(name)) for name in names] if names is not None else available_evaluators()
    candidate_names = [name for name, _ in candidates]
    chosen = []
    for name, evaluator in candidates:
        config = _config_for(name, candidate_names, evaluator_config)
        if _can_evaluate(name, evaluator, model_type, config, extra_metrics, asked_for=names is not None):
            chosen.append((name, evaluator, config))
        elif names is not None:
            hint = (" Pass model_type= (one of " + ", ".join(MODEL_TYPES) + ") or extra_metrics=."
                    if name == "default" and model_type is None else "")
            raise TracekitException.invalid_parameter_value(
                f"The evaluator {name!r} cannot evaluate model_type={model_type!r}.{hint}")
    if not chosen:
        hint = (f" Pass model_type= (one of {', '.join(MODEL_TYPES)}) or extra_metrics=." if model_type is None
                else "")
        raise TracekitException.invalid_parameter_value(
            f"No available evaluator ({', '.join(candidate_names)}) can evaluate model_type={model_type!r}.{hint}")
    return chosen


_reported_can_evaluate_failures: set[str] = set()


def _can_evaluate(name: str, evaluator: ModelEvaluator, model_type: str | None, config: dict[str, Any],
                  extra_metrics: list[EvaluationMetric], asked_for: bool) -> bool:
    """The evaluator's `can_evaluate`; when it raises, an error for an evaluator asked for by name, else False
    (logged once per evaluator): an evaluator picked automatically never breaks the evaluation."""
    try:
        return bool(evaluator.can_evaluate(model_type=model_type, evaluator_config=config,
                                           extra_metrics=extra_metrics))
    except Exception as error:
        if asked_for:
            raise TracekitException.invalid_parameter_value(
                f"The evaluator {name!r} failed in can_evaluate: {type(error).__name__}: {error}") from error
        if name not in _reported_can_evaluate_failures:
            _reported_can_evaluate_failures.add(name)
            logger.error("The evaluator %r is skipped: its can_evaluate raised %s: %s", name, type(error).__name__,
                         error)
        return False


def evaluate(model: Any = None, data: Any = None, *, model_type: str | None = None, targets: Any = None,
             predictions: str | None = None, dataset_path: str | None = None,
             feature_names: Sequence[str] | None = None, evaluators: str | Sequence[str] | None = None,
             evaluator_config: Mapping[str, Any] | None = None,
             custom_metrics: Sequence[EvaluationMetric] | None = None,
             extra_metrics: Sequence[EvaluationMetric] | None = None,
             custom_artifacts: Sequence[Callable[..., Any]] | None = None,
             validation_thresholds: Mapping[str, Any] | None = None, baseline_model: Any = None,
             env_manager: str = "local", model_config: Mapping[str, Any] | None = None,
             baseline_config: Mapping[str, Any] | None = None, inference_params: dict[str, Any] | None = None,
             model_id: str | None = None) -> EvaluationResult:
    """Evaluate `model` on `data` and log the metrics, plots and per-row results table to the active run (a new
    run is started, and ended, when none is active).

    `model`: a model URI (`models:/<id>`, `runs:/...`, a path), a model loaded with `tracekit.pyfunc.load_model`,
    a function of the features, or None to evaluate the `predictions` column of `data` (a static dataset). `data`:
    a DataFrame (features, the `targets` column, maybe predictions), a `tracekit.data` PandasDataset (its targets
    and predictions columns are used), or a numpy array or list of rows with `targets` a list of labels; it is
    logged as the run's input (context "evaluation") and the metrics are linked to it. `model_type`:
    "classifier", "regressor", "question-answering", "text-summarization", "text" or "retriever" (None: only
    `extra_metrics`). `evaluators`: None (every evaluator that can), a name, or a list
    (`list_evaluators()`). Metrics are linked to `model_id`, else to the logged model `model` was loaded from.
    With `baseline_model`, its metrics are computed too (`result.baseline_model_metrics`, not logged) and
    `validation_thresholds` (metric -> `MetricThreshold`) are checked against them: see
    `validate_evaluation_results`. Only `env_manager="local"` (this Python environment) is supported.

    >>> result = tracekit.models.evaluate(info.model_uri, test_df, targets="label", model_type="classifier")
    >>> result.metrics["accuracy_score"], result.tables["eval_results_table"].head()
    """
    if env_manager != "local":
        raise TracekitException.invalid_parameter_value(
            f"env_manager={env_manager!r} is not supported: tracekit evaluates models in the current Python "
            f"environment (env_manager='local').")
    if model_type is not None and not isinstance(model_type, str):
        raise TracekitException.invalid_parameter_value(f"model_type must be a string, got {model_type!r}.")
    metrics = list(extra_metrics or [])
    if custom_metrics:
        warnings.warn("evaluate(custom_metrics=...) is deprecated; use extra_metrics=.", FutureWarning, stacklevel=2)
        metrics.extend(custom_metrics)
    names = _evaluator_names(evaluators)
    chosen = _chosen_evaluators(names, model_type, evaluator_config, metrics)
    candidate = _resolve_model(model, model_config, inference_params, "model")
    baseline = _resolve_model(baseline_model, baseline_config, inference_params, "baseline_model")
    given_dataset = data
    data, targets, predictions = _unwrap_tracked_dataset(data, targets, predictions, candidate is not None)
    dataset = build_dataset(data, targets=targets, predictions=predictions, feature_names=feature_names,
                            has_model=candidate is not None, path=dataset_path)
    input_dataset = _input_dataset(given_dataset, dataset, targets, predictions if candidate is None else None,
                                   dataset_path)
    linked_model_id = model_id if model_id is not None else _known_model_id(getattr(candidate, "model_id", None))

    from tracekit.tracking import state
    from tracekit.tracking.inputs import log_input
    from tracekit.tracking.runs import end_run, start_run

    started = state.active_run_id() is None
    run_id = start_run().info.run_id if started else state.active_run_id()
    assert run_id is not None
    try:
        log_input(input_dataset, context=EVALUATION_CONTEXT)
        _tag_dataset(run_id, dataset, linked_model_id)
        result = EvaluationResult(run_id=run_id)
        for name, evaluator, config in chosen:
            produced = evaluator.evaluate(model=candidate, model_type=model_type, dataset=dataset, run_id=run_id,
                                          evaluator_config=config, extra_metrics=metrics,
                                          custom_artifacts=custom_artifacts, baseline_model=baseline,
                                          predictions=predictions, model_id=linked_model_id,
                                          input_dataset=input_dataset)
            if not isinstance(produced, EvaluationResult):
                raise TracekitException.invalid_parameter_value(
                    f"The evaluator {name!r} returned {type(produced).__name__}, not an EvaluationResult.")
            _merge(result, produced)
    except BaseException:
        if started:
            end_run("FAILED")
        raise
    if started:
        end_run()
    if validation_thresholds is not None:
        from tracekit.models.evaluation.thresholds import validate_evaluation_results

        validate_evaluation_results(validation_thresholds, result)
    return result


def _merge(into: EvaluationResult, produced: EvaluationResult) -> None:
    into.metrics.update(produced.metrics)
    into.artifacts.update(produced.artifacts)
    into.tables.update(produced.tables)
    if produced.baseline_model_metrics is not None:
        into.baseline_model_metrics = {**(into.baseline_model_metrics or {}), **produced.baseline_model_metrics}


def _unwrap_tracked_dataset(data: Any, targets: Any, predictions: str | None,
                            has_model: bool) -> tuple[Any, Any, str | None]:
    """A `tracekit.data` PandasDataset as its DataFrame, with its targets (and, without a model, predictions)
    columns used unless given."""
    from tracekit.data import PandasDataset

    if not isinstance(data, PandasDataset):
        return data, targets, predictions
    if predictions is None and not has_model:
        predictions = data.predictions
    return data.df, (targets if targets is not None else data.targets), predictions


def _input_dataset(data: Any, dataset: EvaluationDataset, targets: Any, predictions: str | None,
                   path: str | None) -> Any:
    """The `tracekit.data` dataset logged as the run's input and linked to the metrics: the one given, else one
    describing the evaluation frame (the DataFrame given, or the features and targets of an array); its name and
    digest are the ones the `mlflow.datasets` tag records."""
    import pandas as pd

    from tracekit.data import PandasDataset, from_pandas

    if isinstance(data, PandasDataset):
        tracked = data
    elif isinstance(data, pd.DataFrame):
        tracked = from_pandas(data, source=path, targets=targets if isinstance(targets, str) else None,
                              predictions=predictions)
    else:
        tracked = from_pandas(dataset.data, source=path, targets="target" if dataset.targets is not None else None)
    dataset.name, dataset.digest = tracked.name, tracked.digest
    return tracked


def _known_model_id(model_id: str | None) -> str | None:
    """`model_id` of a loaded model if the tracking store knows that logged model; None (with a warning) when the
    model was logged to another store, so its metrics are logged unlinked rather than refused."""
    if model_id is None:
        return None
    from tracekit.store.backend import get_backend

    try:
        get_backend().tracking.get_logged_model(str(model_id))
    except ResourceNotFoundError:
        logger.warning("evaluate: the model's logged model %s is not in this tracking store, so the metrics are not "
                       "linked to it (pass model_id= to link them to another).", model_id)
        return None
    return str(model_id)


def _tag_dataset(run_id: str, dataset: EvaluationDataset, model_id: str | None) -> None:
    """Add this dataset to the run's `mlflow.datasets` tag (a JSON list, each entry once; the oldest entries are
    dropped when the list would not fit in a tag value)."""
    from tracekit.store.backend import get_backend
    from tracekit.store.column_limits import TAG_VALUE_LENGTH

    store = get_backend().tracking
    existing = store.get_run(run_id).data.tags.get(DATASETS_TAG)
    try:
        entries = json.loads(existing) if existing else []
    except ValueError:
        entries = []
    entry = dataset.lineage(model_id)
    if entry not in entries:
        entries.append(entry)
    text = json.dumps(entries)
    while len(text) > TAG_VALUE_LENGTH and len(entries) > 1:
        entries.pop(0)
        text = json.dumps(entries)
    store.log_batch(run_id, tags={DATASETS_TAG: text})
