"""`tracekit.xgboost`: MLflow's `mlflow.xgboost` for tracekit; `autolog()` logs every `xgboost.train` and
scikit-learn-API `fit` as a training run. Save, log and load XGBoost models (a `Booster` or an `XGBClassifier`,
`XGBRegressor`, ...) in XGBoost's own UBJSON or JSON format, never pickled; they load back as themselves
(`load_model`) or as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `xgboost` extra (`pip install "tracekit[xgboost]"`).

>>> info = tracekit.xgboost.log_model(booster, name="churn", input_example=train_frame.head(3))
>>> tracekit.xgboost.load_model(info.model_uri).predict(xgboost.DMatrix(test_frame))
"""

from collections.abc import Mapping
from typing import Any

from tracekit.models.xgboost_flavor import (
    FLAVOR_NAME,
    SUPPORTED_MODEL_FORMATS,
    _load_pyfunc,
    load_model,
    log_model,
    save_model,
)


def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            registered_model_name: str | None = None, model_format: str = "ubj",
            importance_types: list[str] | None = None, extra_tags: Mapping[str, Any] | None = None) -> None:
    """Log every `xgboost.train` and scikit-learn-API `fit` (XGBClassifier, XGBRegressor, ...) as a training run:
    params, every eval set's metrics per iteration (`<set>-<metric>`, step = iteration), `best_iteration`,
    `best_score` and `stopped_iteration` after early stopping, `feature_importance_<type>.json` for each of
    `importance_types` (default ["weight"]; also "gain", "cover", "total_gain", "total_cover"), the training data as
    a run input (context "train") and the model as the logged model "model" in `model_format` ("ubj" or "json"),
    with a signature, with `log_input_examples=True` the first rows as input example, and registered as
    `registered_model_name` if given. A run is started (and ended) when none is active; with `exclusive=True`
    nothing is logged into a run you started. `disable=True` removes the patches; `silent=True` keeps tracekit's
    logs and warnings out of the way; `disable_for_unsupported_versions=True` stays off for XGBoost versions newer
    than the ones tested; `extra_tags` go on the runs autolog starts.

    >>> tracekit.xgboost.autolog(importance_types=["weight", "gain"])
    >>> xgboost.train({"objective": "binary:logistic"}, dtrain, evals=[(dvalid, "valid")])
    """
    from tracekit.autologging import cancel_pending
    from tracekit.integrations import xgboost as integration

    cancel_pending("xgboost")

    integration.autolog(
        log_input_examples=log_input_examples, log_model_signatures=log_model_signatures, log_models=log_models,
        log_datasets=log_datasets, disable=disable, exclusive=exclusive,
        disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
        registered_model_name=registered_model_name, model_format=model_format, importance_types=importance_types,
        extra_tags=extra_tags)


__all__ = ["FLAVOR_NAME", "SUPPORTED_MODEL_FORMATS", "_load_pyfunc", "autolog", "load_model", "log_model",
           "save_model"]
