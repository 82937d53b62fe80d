"""`tracekit.lightgbm`: MLflow's `mlflow.lightgbm` for tracekit; `autolog()` logs every `lightgbm.train` and
scikit-learn-API `fit` as a training run. Save, log and load LightGBM models (a `Booster` or an `LGBMClassifier`,
`LGBMRegressor`, ...) as LightGBM's text model (plus the estimator's params and fitted attributes as JSON), never
pickled; they load back as themselves (`load_model`) or as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `lightgbm` extra (`pip install "tracekit[lightgbm]"`).

>>> info = tracekit.lightgbm.log_model(classifier, name="churn", input_example=train_frame.head(3))
>>> tracekit.lightgbm.load_model(info.model_uri).predict(test_frame)
"""

from collections.abc import Mapping
from typing import Any

from tracekit.models.lightgbm_flavor import FLAVOR_NAME, _load_pyfunc, load_model, log_model, save_model


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

    >>> tracekit.lightgbm.autolog(log_input_examples=True)
    >>> lightgbm.train(params, train_set, valid_sets=[valid_set], valid_names=["valid"])
    """
    from tracekit.autologging import cancel_pending
    from tracekit.integrations import lightgbm as integration

    cancel_pending("lightgbm")

    integration.autolog(
        log_input_examples=log_input_examples, log_model_signatures=log_model_signatures, log_models=log_models,
        log_datasets=log_datasets, disable=disable, exclusive=exclusive,
        disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
        registered_model_name=registered_model_name, extra_tags=extra_tags)


__all__ = ["FLAVOR_NAME", "_load_pyfunc", "autolog", "load_model", "log_model", "save_model"]
