"""What scikit-learn autolog writes for one fitted estimator: params, training metrics, tags, the training dataset
as a run input and the fitted model as a logged model; for a hyperparameter search also the best params and score,
the best estimator, the top candidates as child runs and `cv_results.csv`.

Each step runs on its own (`_step`): a step that fails is reported once (`report_internal_error`) and counted, and
the others still run. Nothing here raises to the user's `fit`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracekit.integrations._sklearn_metrics import training_metrics
from tracekit.integrations._training_runs import EstimatorSettings, logging_step
from tracekit.store.column_limits import PARAM_VALUE_LENGTH

logger = logging.getLogger(__name__)

#: Params are written in batches of this many (a deep Pipeline has hundreds).
_PARAM_BATCH = 100
#: Rows of the training data kept as the input example.
INPUT_EXAMPLE_ROWS = 5


@dataclass
class Settings(EstimatorSettings):
    """The options `tracekit.sklearn.autolog()` was called with."""

    max_tuning_runs: int | None = 5
    log_post_training_metrics: bool = True
    serialization_format: str = "cloudpickle"
    pos_label: Any = None


def _step(what: str, action: Callable[[], Any]) -> Any:
    return logging_step("sklearn", what, action)


def estimator_params(estimator: Any) -> dict[str, str]:
    """`get_params(deep=True)` as strings, each cut to the stored param value length."""
    return {str(key): str(value)[:PARAM_VALUE_LENGTH] for key, value in estimator.get_params(deep=True).items()}


def estimator_tags(estimator: Any) -> dict[str, str]:
    """The run tags naming the estimator: `estimator_name` and `estimator_class`."""
    cls = type(estimator)
    return {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__qualname__}"}


def log_params_in_batches(params: Mapping[str, str], run_id: str) -> None:
    """Log `params` into the run `run_id`, _PARAM_BATCH at a time."""
    import tracekit

    items = list(params.items())
    for start in range(0, len(items), _PARAM_BATCH):
        tracekit.log_params(dict(items[start:start + _PARAM_BATCH]), synchronous=True, run_id=run_id)


def log_fitted(settings: Settings, estimator: Any, features: Any, labels: Any, sample_weight: Any,
               run_id: str) -> None:
    """Everything autolog records for `estimator` just fitted on (`features`, `labels`) into the run `run_id`."""
    import tracekit
    from tracekit.tracking import state

    _step("logging the estimator's tags", lambda: tracekit.set_tags(estimator_tags(estimator), synchronous=True))
    _step("logging the estimator's params", lambda: log_params_in_batches(estimator_params(estimator), run_id))
    metrics = _step("computing training metrics",
                    lambda: training_metrics(estimator, features, labels, sample_weight, settings.pos_label))
    dataset = _step("describing the training dataset", lambda: training_dataset(features, labels)) \
        if settings.log_datasets else None
    if dataset is not None:
        _step("logging the training dataset", lambda: tracekit.log_input(dataset, context="train"))
    model_id = None
    if settings.log_models:
        info = _step("logging the fitted model", lambda: _log_model(settings, estimator, features, "model"))
        model_id = getattr(info, "model_id", None)
    if metrics:
        _step("logging training metrics", lambda: tracekit.log_metrics(
            metrics, synchronous=True, run_id=run_id, model_id=model_id or state.active_model_id(),
            dataset=dataset))
    if _is_search(estimator):
        _log_search(settings, estimator, features, run_id)


def _is_search(estimator: Any) -> bool:
    from sklearn.model_selection._search import BaseSearchCV

    return isinstance(estimator, BaseSearchCV) and hasattr(estimator, "cv_results_")


def training_dataset(features: Any, labels: Any) -> Any:
    """The training data as a `tracekit.data` dataset (a DataFrame's features, or numpy features and labels);
    None for other types."""
    import numpy as np

    from tracekit import data

    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with the models layer
        pd = None
    if pd is not None and isinstance(features, pd.DataFrame):
        # The features alone: joining the labels would copy the whole training set.
        return data.from_pandas(features)
    if isinstance(features, np.ndarray):
        targets = np.asarray(labels) if labels is not None else None
        return data.from_numpy(features, targets=targets)
    return None  # sparse matrices and lists: not described


def input_example_rows(features: Any) -> Any:
    """The first INPUT_EXAMPLE_ROWS rows of the training data, or None if it has no rows to slice."""
    if hasattr(features, "iloc"):
        return features.iloc[:INPUT_EXAMPLE_ROWS]
    if hasattr(features, "shape"):
        return features[:INPUT_EXAMPLE_ROWS]
    return None


def _log_model(settings: Settings, estimator: Any, features: Any, name: str) -> Any:
    from tracekit.models import infer_signature
    from tracekit.models.sklearn_flavor import log_model

    example = input_example_rows(features)
    signature = None
    if settings.log_model_signatures and example is not None:
        signature = _step("inferring the model signature",
                          lambda: infer_signature(example, _signature_output(estimator.predict(example))))
    return log_model(
        estimator, name=name, serialization_format=settings.serialization_format,
        registered_model_name=settings.registered_model_name if name == "model" else None,
        signature=signature, input_example=example if settings.log_input_examples else None)


def _signature_output(predicted: Any) -> Any:
    """Predictions as the signature sees them: an array of Python objects (string class labels) as a Series,
    since a tensor cannot hold objects."""
    if getattr(getattr(predicted, "dtype", None), "kind", "") == "O" and getattr(predicted, "ndim", 0) == 1:
        import pandas as pd

        return pd.Series(predicted)
    return predicted


def _log_search(settings: Settings, search: Any, features: Any, run_id: str) -> None:
    import tracekit

    if hasattr(search, "best_params_"):
        _step("logging the best params", lambda: log_params_in_batches(
            {f"best_{key}": str(value)[:PARAM_VALUE_LENGTH] for key, value in search.best_params_.items()},
            run_id))
    if hasattr(search, "best_score_"):
        _step("logging the best cv score", lambda: tracekit.log_metric(
            "best_cv_score", float(search.best_score_), synchronous=True, run_id=run_id))
    if settings.log_models and hasattr(search, "best_estimator_"):
        _step("logging the best estimator",
              lambda: _log_model(settings, search.best_estimator_, features, "best_estimator"))
    _step("logging cv_results.csv", lambda: _log_cv_results(search, run_id))
    _step("logging the tuning child runs", lambda: _log_candidates(settings, search, run_id))


def _log_cv_results(search: Any, run_id: str) -> None:
    import pandas as pd

    import tracekit

    tracekit.log_text(pd.DataFrame(search.cv_results_).to_csv(index=False), "cv_results.csv", run_id=run_id)


def _log_candidates(settings: Settings, search: Any, parent_run_id: str) -> None:
    """The best `max_tuning_runs` candidates (all if None) as child runs of the search's run."""
    import numpy as np

    import tracekit

    results = search.cv_results_
    ranks = results.get("rank_test_score")
    if ranks is None:  # several scorers: rank by the one refit used
        refit = search.refit if isinstance(search.refit, str) else None
        ranks = results.get(f"rank_test_{refit}") if refit else None
    count = len(results["params"])
    order = list(np.argsort(np.asarray(ranks), kind="stable")) if ranks is not None else list(range(count))
    if settings.max_tuning_runs is not None:
        order = order[:settings.max_tuning_runs]
    parent_name = tracekit.get_run(parent_run_id).info.run_name
    metric_columns = [key for key in results
                      if key.startswith(("mean_", "std_", "rank_")) and not key.startswith("param_")]
    for position, index in enumerate(order, start=1):
        params = {str(key): str(value)[:PARAM_VALUE_LENGTH] for key, value in results["params"][index].items()}
        metrics = {}
        for column in metric_columns:
            value = results[column][index]
            if isinstance(value, (int, float, np.number)) and not np.ma.is_masked(value):
                metrics[column] = float(value)
        with tracekit.start_run(run_name=f"{parent_name}-candidate-{position}", nested=True,
                                parent_run_id=parent_run_id, tags=settings.extra_tags or None) as child:
            log_params_in_batches(params, child.info.run_id)
            tracekit.log_metrics(metrics, synchronous=True, run_id=child.info.run_id)
