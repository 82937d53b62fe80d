"""`tracekit.lightgbm`: MLflow's `mlflow.lightgbm` for tracekit; `autolog()` logs every `lightgbm.train` and
scikit-learn-API `fit` as a training run. Save, log and load LightGBM models (a `Booster` or an `LGBMClassifier`,
`LGBMRegressor`, ...) as LightGBM's text model (plus the estimator's params and fitted attributes as JSON), never
pickled; they load back as themselves (`load_model`) or as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `lightgbm` extra (`pip install "tracekit[lightgbm]"`).

>>> info = tracekit.lightgbm.log_model(classifier, name="churn", input_example=train_frame.head(3))
>>> tracekit.lightgbm.load_model(info.model_uri).predict(test_frame)
"""

from tracekit.autologging import integration_attributes
from tracekit.models.lightgbm_flavor import FLAVOR_NAME, _load_pyfunc, load_model, log_model, save_model

__all__ = ["FLAVOR_NAME", "_load_pyfunc", "autolog", "load_model", "log_model", "save_model"]


__getattr__ = integration_attributes("lightgbm")  # `autolog`, imported on first use
