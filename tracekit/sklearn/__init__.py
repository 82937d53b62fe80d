"""`tracekit.sklearn`: MLflow's `mlflow.sklearn` for tracekit; `autolog()` logs every `fit` as a training run.
Save, log and load scikit-learn estimators (pickle or cloudpickle); they load back as estimators (`load_model`) or
as pyfunc models (`tracekit.pyfunc.load_model`).
Needs the `sklearn` extra (`pip install "tracekit[sklearn]"`). Loading unpickles: load only models you trust.

>>> info = tracekit.sklearn.log_model(classifier, name="iris_rf", input_example=iris_train.head(3))
>>> tracekit.sklearn.load_model(info.model_uri).predict(iris_test)
"""

from tracekit.autologging import integration_attributes
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

__all__ = ["FLAVOR_NAME", "autolog", "SERIALIZATION_FORMAT_CLOUDPICKLE", "SERIALIZATION_FORMAT_PICKLE",
           "SUPPORTED_SERIALIZATION_FORMATS", "_load_pyfunc", "load_model", "log_model", "save_model"]


__getattr__ = integration_attributes("sklearn")  # `autolog`, imported on first use
