"""Autolog for XGBoost: `xgboost.train` and the scikit-learn-API `fit` (XGBClassifier, XGBRegressor, ...) log a
training run.

>>> tracekit.xgboost.autolog()
>>> booster = xgboost.train(params, dtrain, num_boost_round=50, evals=[(dvalid, "valid")])

Logged: the params (and `num_boost_round`, `early_stopping_rounds`, `maximize` when given), each eval metric of each
eval set per iteration as `<set>-<metric>` at step = iteration, `best_iteration` / `best_score` /
`stopped_iteration` after early stopping, `feature_importance_<type>.json` per importance type, the training data
as a run input (context "train") and the model (the Booster, or the estimator for `fit`) as the logged model "model"
in XGBoost's own format. `xgboost.cv` logs its params (with `num_boost_round` and `nfold`) and per round
`<set>-<metric>-mean` / `-std`, and no model. See `_gbm_autolog` for how runs and failures are handled.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

from tracekit.integrations._gbm_autolog import GbmAutolog, Session
from tracekit.integrations._patching import Library, PatchTarget
from tracekit.integrations._training_runs import library_autolog

logger = logging.getLogger(__name__)

MINIMUM_VERSION = (2, 0)
#: The newest minor version tested; `disable_for_unsupported_versions=True` keeps autolog off for newer ones.
NEWEST_TESTED_VERSION = (3, 2)
IMPORTANCE_TYPES = ("weight", "gain", "cover", "total_gain", "total_cover")
#: A DMatrix is densified for the dataset and input example only up to this many cells (80 MB of float64).
MAX_DENSE_CELLS = 10_000_000


class XGBoostAutolog(GbmAutolog):
    """XGBoost's hooks for the shared gradient-boosting autolog."""

    name = "xgboost"
    newest_tested = NEWEST_TESTED_VERSION
    cv_options = ("stratified", "metrics", "maximize", "early_stopping_rounds", "seed", "shuffle")

    def __init__(self) -> None:
        super().__init__(Library("xgboost", "xgboost", "xgboost", MINIMUM_VERSION))

    def train_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        import xgboost.training

        self.signatures["train"] = inspect.signature(xgboost.training.train)
        # The name in each module that calls it: xgboost.train, xgboost.training.train, and the estimators' fit.
        return [PatchTarget(module, None, "train", wrapper)
                for module in ("xgboost", "xgboost.training", "xgboost.sklearn")]

    def estimator_classes(self) -> list[type]:
        import xgboost.sklearn

        return [value for value in vars(xgboost.sklearn).values()
                if isinstance(value, type) and issubclass(value, xgboost.sklearn.XGBModel)]

    def add_callback(self, arguments: dict[str, Any], session: Session) -> dict[str, Any]:
        # First, so that it sees the iteration an EarlyStopping callback of the user's ends training on (xgboost
        # stops calling callbacks once one asks to stop).
        return {**arguments, "callbacks": [_callback(self, session), *(arguments.get("callbacks") or [])]}

    def train_params(self, arguments: dict[str, Any]) -> dict[str, Any]:
        params = arguments.get("params") or {}
        logged = dict(params.items() if isinstance(params, Mapping) else params)
        logged["num_boost_round"] = arguments.get("num_boost_round", self.default("train", "num_boost_round"))
        for name in ("early_stopping_rounds", "maximize"):
            if arguments.get(name) is not None:
                logged[name] = arguments[name]
        return logged

    def train_data(self, arguments: dict[str, Any]) -> tuple[Any, Any]:
        import xgboost

        dtrain = arguments.get("dtrain")
        if type(dtrain) is not xgboost.DMatrix or dtrain.num_row() * dtrain.num_col() > MAX_DENSE_CELLS:
            return None, None  # a QuantileDMatrix or DataIter keeps no data to read back; a huge one is skipped
        try:
            # As doubles: XGBoost keeps float32, and a double signature also takes float32 and integer input.
            features = dtrain.get_data().toarray().astype("float64")
        except xgboost.core.XGBoostError as error:
            logger.debug("tracekit xgboost autolog: the training DMatrix cannot be read back: %s", error)
            return None, None
        names = dtrain.feature_names
        if names:
            import pandas as pd

            features = pd.DataFrame(features, columns=list(names))
        labels = dtrain.get_label()
        return features, labels if labels.size else None

    def early_stopping_metrics(self, booster: Any, session: Session) -> dict[str, float]:
        best_iteration = booster.attr("best_iteration")
        if best_iteration is None:
            return {}
        stopped = {"best_iteration": float(best_iteration),
                   "stopped_iteration": float(booster.num_boosted_rounds() - 1)}
        best_score = booster.attr("best_score")
        if best_score is not None:
            stopped["best_score"] = float(best_score)
        return stopped

    def feature_importance(self, booster: Any) -> dict[str, dict[str, float]]:
        return {importance_type: booster.get_score(importance_type=importance_type)
                for importance_type in self.settings.importance_types}


    def cv_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        import xgboost.training

        self.signatures["cv"] = inspect.signature(xgboost.training.cv)
        return [PatchTarget(module, None, "cv", wrapper) for module in ("xgboost", "xgboost.training")]

    def cv_history(self, result: Any) -> dict[str, list[float]]:
        # a DataFrame (as_pandas=True) or a dict of lists, keyed `<set>-<metric>-mean` / `-std` already
        columns = result.items() if isinstance(result, Mapping) else ((key, result[key]) for key in result.columns)
        return {str(key): [float(value) for value in values] for key, values in columns}

    def flavor(self) -> Any:
        from tracekit.models import xgboost_flavor

        return xgboost_flavor

    def predictions(self, model: Any, example: Any) -> Any:
        from tracekit.models.xgboost_flavor import XGBoostPredictor

        return XGBoostPredictor(model).predict(example)


def _callback(integration: XGBoostAutolog, session: Session) -> Any:
    import xgboost

    class MetricCallback(xgboost.callback.TrainingCallback):
        """Hands each iteration's last eval results (`<set>-<metric>`) to autolog."""

        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, dict[str, list[Any]]]) -> bool:
            metrics = {}
            for data_name, by_metric in evals_log.items():
                for metric_name, values in by_metric.items():
                    if values:
                        last = values[-1]
                        metrics[f"{data_name}-{metric_name}"] = last[0] if isinstance(last, tuple) else last
            integration.record_iteration(session, metrics, epoch)
            return False

    return MetricCallback()


_AUTOLOG = XGBoostAutolog()


@library_autolog("xgboost")
def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            registered_model_name: str | None = None, model_format: str = "ubj",
            importance_types: list[str] | tuple[str, ...] | None = None,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Log every `xgboost.train` and scikit-learn-API `fit` (XGBClassifier, XGBRegressor, ...) as a training run:
    params, every eval set's metrics per iteration (`<set>-<metric>`, step = iteration), `best_iteration`,
    `best_score` and `stopped_iteration` after early stopping, `feature_importance_<type>.json` for each of
    `importance_types` (default ["weight"]; also "gain", "cover", "total_gain", "total_cover"), the training data as
    a run input (context "train") and the model as the logged model "model" in `model_format` ("ubj" or "json"),
    with a signature, with `log_input_examples=True` the first rows as input example, and registered as
    `registered_model_name` if given. A run is started (and ended) when none is active; with `exclusive=True`
    nothing is logged into a run you started. `disable=True` removes the patches; `silent=True` keeps tracekit's
    logs and warnings out of the way; `disable_for_unsupported_versions=True` stays off for XGBoost versions newer
    than the ones tested; `extra_tags` go on the runs autolog starts. `xgboost.cv` logs a run too: its params (with
    `num_boost_round` and `nfold`) and each eval metric's mean and std over the folds per round
    (`<set>-<metric>-mean` / `-std`, step = round), no model.

    >>> tracekit.xgboost.autolog(importance_types=["weight", "gain"])
    >>> xgboost.train({"objective": "binary:logistic"}, dtrain, evals=[(dvalid, "valid")])
    """
    _AUTOLOG.autolog(True, log_input_examples=log_input_examples, log_model_signatures=log_model_signatures,
                     log_models=log_models, log_datasets=log_datasets, disable=disable, exclusive=exclusive,
                     disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
                     registered_model_name=registered_model_name, extra_tags=extra_tags,
                     model_format=_checked_model_format(model_format),
                     importance_types=_checked_importance_types(importance_types))


def _checked_model_format(model_format: str) -> str:
    from tracekit.models.xgboost_flavor import SUPPORTED_MODEL_FORMATS
    from tracekit.validation import check_choice

    check_choice("model_format", model_format, SUPPORTED_MODEL_FORMATS, "xgboost autolog: ")
    return model_format


def _checked_importance_types(importance_types: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    from tracekit.exceptions import TracekitException

    if importance_types is None:
        return ("weight",)
    if isinstance(importance_types, str) or not all(kind in IMPORTANCE_TYPES for kind in importance_types):
        raise TracekitException.invalid_parameter_value(
            f"xgboost autolog: importance_types must be a list of {list(IMPORTANCE_TYPES)}, got "
            f"{importance_types!r}.")
    return tuple(importance_types)


def autolog_from_global(disable: bool, silent: bool, log_traces: bool, extra_tags: Mapping[str, Any] | None,
                        **options: Any) -> None:
    """`tracekit.autolog()`'s call: the options apply unless `tracekit.xgboost.autolog(...)` set them."""
    _AUTOLOG.autolog_from_global(disable, silent, log_traces, extra_tags, importance_types=("weight",),
                                 model_format="ubj", **options)


def is_enabled() -> bool:
    """Whether XGBoost training is being autologged."""
    return _AUTOLOG.patches.active
