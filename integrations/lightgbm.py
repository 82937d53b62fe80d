"""Autolog for LightGBM: `lightgbm.train` and the scikit-learn-API `fit` (LGBMClassifier, LGBMRegressor, ...) log a
training run.

>>> tracekit.lightgbm.autolog()
>>> booster = lightgbm.train(params, train_set, valid_sets=[valid_set], valid_names=["valid"])

Logged: the params (and `num_boost_round`), each eval metric of each validation set per iteration as
`<set>-<metric>` at step = iteration (0-based), after early stopping `best_iteration` and `stopped_iteration` (as
LightGBM counts them, from 1) and `best_<set>-<metric>`, `feature_importance_split.json` and
`feature_importance_gain.json`, the training data as a run input (context "train") and the model (the Booster, or
the estimator for `fit`) as the logged model "model" in LightGBM's text format. `lightgbm.cv` logs its params (with
`num_boost_round` and `nfold`) and per round `<set>-<metric>-mean` / `-std` (LightGBM's "-stdv"), and no model.
See `_gbm_autolog` for how runs and failures are handled.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from tracekit.integrations._gbm_autolog import GbmAutolog, Session
from tracekit.integrations._patching import Library, PatchTarget
from tracekit.integrations._training_runs import library_autolog

MINIMUM_VERSION = (4, 0)
#: The newest minor version tested; `disable_for_unsupported_versions=True` keeps autolog off for newer ones.
NEWEST_TESTED_VERSION = (4, 7)
IMPORTANCE_TYPES = ("split", "gain")
# LightGBM runs callbacks by their `order`: after log_evaluation (10), before record_evaluation (20) and
# early_stopping (30), which ends training by raising, so the last iteration is still seen.
_CALLBACK_ORDER = 15


class LightGBMAutolog(GbmAutolog):
    """LightGBM's hooks for the shared gradient-boosting autolog."""

    name = "lightgbm"
    newest_tested = NEWEST_TESTED_VERSION
    cv_options = ("stratified", "shuffle", "metrics", "seed", "eval_train_metric")

    def __init__(self) -> None:
        super().__init__(Library("lightgbm", "lightgbm", "lightgbm", MINIMUM_VERSION))

    def train_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        import lightgbm.engine

        self.signatures["train"] = inspect.signature(lightgbm.engine.train)
        return [PatchTarget(module, None, "train", wrapper)
                for module in ("lightgbm", "lightgbm.engine", "lightgbm.sklearn")]

    def estimator_classes(self) -> list[type]:
        import lightgbm.sklearn

        return [value for value in vars(lightgbm.sklearn).values()
                if isinstance(value, type) and issubclass(value, lightgbm.sklearn.LGBMModel)]

    def add_callback(self, arguments: dict[str, Any], session: Session) -> dict[str, Any]:
        return {**arguments, "callbacks": [*(arguments.get("callbacks") or []), _MetricCallback(self, session)]}

    def train_params(self, arguments: dict[str, Any]) -> dict[str, Any]:
        logged = dict(arguments.get("params") or {})
        logged["num_boost_round"] = arguments.get("num_boost_round", self.default("train", "num_boost_round"))
        return logged

    def train_data(self, arguments: dict[str, Any]) -> tuple[Any, Any]:
        import numpy as np
        import pandas as pd

        train_set = arguments.get("train_set")
        features = getattr(train_set, "data", None)
        if not isinstance(features, (np.ndarray, pd.DataFrame)):
            return None, None  # a file path, a sparse matrix, or already freed by an earlier construct()
        labels = getattr(train_set, "label", None)
        if labels is not None and not isinstance(labels, (np.ndarray, pd.Series)):
            labels = np.asarray(labels)
        return features, labels

    def early_stopping_metrics(self, booster: Any, session: Session) -> dict[str, float]:
        if not booster.best_iteration:
            return {}  # 0: no early stopping
        # The returned booster is cut at the best iteration: where training stopped is what the callback saw last.
        last = session.last_iteration
        stopped = {"best_iteration": float(booster.best_iteration),
                   "stopped_iteration": float(last + 1 if last is not None else booster.current_iteration())}
        for data_name, by_metric in booster.best_score.items():
            for metric_name, value in by_metric.items():
                stopped[f"best_{data_name}-{metric_name}"] = float(value)
        return stopped

    def feature_importance(self, booster: Any) -> dict[str, dict[str, float]]:
        names = booster.feature_name()
        return {importance_type: dict(zip(names, booster.feature_importance(importance_type=importance_type)
                                          .tolist(), strict=True))
                for importance_type in self.settings.importance_types}


    def cv_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        import lightgbm.engine

        self.signatures["cv"] = inspect.signature(lightgbm.engine.cv)
        return [PatchTarget(module, None, "cv", wrapper) for module in ("lightgbm", "lightgbm.engine")]

    def cv_history(self, result: Any) -> dict[str, list[float]]:
        # keys "<set> <metric>-mean" / "-stdv"; `return_cvbooster=True` adds the fold boosters under "cvbooster"
        history = {}
        for key, values in result.items():
            if not isinstance(values, list) or not key.endswith(("-mean", "-stdv")):
                continue
            name = key.replace(" ", "-", 1).removesuffix("-stdv")
            history[name if key.endswith("-mean") else f"{name}-std"] = [float(value) for value in values]
        return history

    def flavor(self) -> Any:
        from tracekit.models import lightgbm_flavor

        return lightgbm_flavor

    def predictions(self, model: Any, example: Any) -> Any:
        return model.predict(example)


class _MetricCallback:
    """A LightGBM callback handing each iteration's eval results (`<set>-<metric>`) to autolog."""

    order = _CALLBACK_ORDER
    before_iteration = False

    def __init__(self, integration: LightGBMAutolog, session: Session) -> None:
        self.integration = integration
        self.session = session

    def __call__(self, env: Any) -> None:
        metrics = {f"{result[0]}-{result[1]}": result[2] for result in env.evaluation_result_list or ()}
        self.integration.record_iteration(self.session, metrics, env.iteration)


_AUTOLOG = LightGBMAutolog()


@library_autolog("lightgbm")
def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            registered_model_name: str | None = None, extra_tags: Mapping[str, Any] | None = None) -> None:
    """Log every `lightgbm.train` and scikit-learn-API `fit` (LGBMClassifier, LGBMRegressor, ...) as a training
    run: params, every validation set's metrics per iteration (`<set>-<metric>`, step = iteration from 0),
    `best_iteration`, `stopped_iteration` and `best_<set>-<metric>` after early stopping,
    `feature_importance_split.json` and `feature_importance_gain.json`, the training data as a run input (context
    "train") and the model as the logged model "model", with a signature, with `log_input_examples=True` the first
    rows as input example, and registered as `registered_model_name` if given. A run is started (and ended) when
    none is active; with `exclusive=True` nothing is logged into a run you started. `disable=True` removes the
    patches; `silent=True` keeps tracekit's logs and warnings out of the way; `disable_for_unsupported_versions=True`
    stays off for LightGBM versions newer than the ones tested; `extra_tags` go on the runs autolog starts.
    `lightgbm.cv` logs a run too: its params (with `num_boost_round` and `nfold`) and each metric's mean and std
    over the folds per round (`<set>-<metric>-mean` / `-std`, step = round), no model.

    >>> tracekit.lightgbm.autolog(log_input_examples=True)
    >>> lightgbm.train(params, train_set, valid_sets=[valid_set], valid_names=["valid"])
    """
    _AUTOLOG.autolog(True, log_input_examples=log_input_examples, log_model_signatures=log_model_signatures,
                     log_models=log_models, log_datasets=log_datasets, disable=disable, exclusive=exclusive,
                     disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
                     registered_model_name=registered_model_name, extra_tags=extra_tags,
                     importance_types=IMPORTANCE_TYPES)


def autolog_from_global(disable: bool, silent: bool, log_traces: bool, extra_tags: Mapping[str, Any] | None,
                        **options: Any) -> None:
    """`tracekit.autolog()`'s call: the options apply unless `tracekit.lightgbm.autolog(...)` set them."""
    _AUTOLOG.autolog_from_global(disable, silent, log_traces, extra_tags, importance_types=IMPORTANCE_TYPES,
                                 **options)


def is_enabled() -> bool:
    """Whether LightGBM training is being autologged."""
    return _AUTOLOG.patches.active
