"""`tracekit.xgboost`: MLflow's `mlflow.xgboost` for tracekit; `autolog()` logs every `xgboost.train` and
scikit-learn-API `fit` as a training run. Save, log and load XGBoost models (a `Booster` or an `XGBClassifier`,
`XGBRegressor`, ...) in XGBoost's own UBJSON or JSON format, never pickled; they load back as themselves
(`load_model`) or as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `xgboost` extra (`pip install "tracekit[xgboost]"`).

>>> info = tracekit.xgboost.log_model(booster, name="churn", input_example=train_frame.head(3))
>>> tracekit.xgboost.load_model(info.model_uri).predict(xgboost.DMatrix(test_frame))
"""

from tracekit.autologging import integration_attributes
from tracekit.models.xgboost_flavor import (
    FLAVOR_NAME,
    SUPPORTED_MODEL_FORMATS,
    _load_pyfunc,
    load_model,
    log_model,
    save_model,
)

__all__ = ["FLAVOR_NAME", "SUPPORTED_MODEL_FORMATS", "_load_pyfunc", "autolog", "load_model", "log_model",
           "save_model"]


__getattr__ = integration_attributes("xgboost")  # `autolog`, imported on first use
