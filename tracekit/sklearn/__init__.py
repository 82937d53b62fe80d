"""`tracekit.sklearn`: MLflow's `mlflow.sklearn` for tracekit; `autolog()` logs every `fit` as a training run.
Save, log and load scikit-learn estimators (pickle or cloudpickle); they load back as estimators (`load_model`) or
as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `sklearn` extra (`pip install "tracekit[sklearn]"`). Loading unpickles: load only models you trust.

>>> info = tracekit.sklearn.log_model(classifier, name="iris_rf", input_example=iris_train.head(3))
>>> tracekit.sklearn.load_model(info.model_uri).predict(iris_test)
"""

from collections.abc import Mapping
from typing import Any

from tracekit.models.sklearn_flavor import (
    FLAVOR_NAME,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
    SERIALIZATION_FORMAT_PICKLE,
    SUPPORTED_SERIALIZATION_FORMATS,
    _load_pyfunc,
    load_model,
    log_model,
    save_model,
)


def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            max_tuning_runs: int | None = 5, log_post_training_metrics: bool = True,
            serialization_format: str = SERIALIZATION_FORMAT_CLOUDPICKLE, registered_model_name: str | None = None,
            pos_label: Any = None, extra_tags: Mapping[str, Any] | None = None) -> None:
    """Log every scikit-learn `fit` (and `fit_transform` / `fit_predict`) as a training run: params, `training_*`
    metrics, tags `estimator_name` / `estimator_class`, the training dataset (input, context "train") and the
    fitted model as the logged model "model" (with a signature, and with `log_input_examples=True` the first rows
    as input example). A run is started (and ended) when none is active; with `exclusive=True` nothing is logged
    into a run you started. `GridSearchCV` / `RandomizedSearchCV` also log `best_*` params, `best_cv_score`, the
    "best_estimator" model, `cv_results.csv` and the best `max_tuning_runs` candidates (all if None) as child runs.
    With `log_post_training_metrics`, `model.score(X_test, y_test)` logs `<Class>_score_X_test` into the model's
    run. `disable=True` removes the patches; `silent=True` keeps tracekit's logs and warnings out of the way;
    `disable_for_unsupported_versions=True` stays off for scikit-learn versions newer than the ones tested.

    >>> tracekit.sklearn.autolog(log_input_examples=True)
    >>> LogisticRegression().fit(X_train, y_train)
    """
    from tracekit.autologging import cancel_pending
    from tracekit.integrations import sklearn as integration

    cancel_pending("sklearn")

    integration.autolog(
        log_input_examples=log_input_examples, log_model_signatures=log_model_signatures, log_models=log_models,
        log_datasets=log_datasets, disable=disable, exclusive=exclusive,
        disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
        max_tuning_runs=max_tuning_runs, log_post_training_metrics=log_post_training_metrics,
        serialization_format=serialization_format, registered_model_name=registered_model_name,
        pos_label=pos_label, extra_tags=extra_tags)


__all__ = ["FLAVOR_NAME", "autolog", "SERIALIZATION_FORMAT_CLOUDPICKLE", "SERIALIZATION_FORMAT_PICKLE",
           "SUPPORTED_SERIALIZATION_FORMATS", "_load_pyfunc", "load_model", "log_model", "save_model"]
