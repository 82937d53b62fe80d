"""The XGBoost flavor: a `Booster` or a scikit-learn-API estimator (`XGBClassifier`, `XGBRegressor`, ...) saved with
XGBoost's own `save_model` in UBJSON (`ubj`, the default) or JSON, never pickled. The MLmodel file records the
format and the model's class; loading resolves that class only among XGBoost's own (see `library_classes`) and reads
the file with XGBoost's parser, so a model directory cannot make loading run code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.gbm_flavor import GbmPredictor, downloaded_flavor, finish_model_dir, pyfunc_flavor
from tracekit.models.library_classes import library_class_path, resolve_library_class
from tracekit.models.model import Model, ModelInfo, path_in_model_dir
from tracekit.models.model_saving import new_model_dir
from tracekit.models.signature import ModelSignature

FLAVOR_NAME = "xgboost"
LOADER_MODULE = "tracekit.xgboost"
PACKAGE = "xgboost"
SUPPORTED_MODEL_FORMATS = ("ubj", "json")
DEFAULT_MODEL_FORMAT = "ubj"


def _bases() -> tuple[type, ...]:
    import xgboost

    return (xgboost.Booster, xgboost.XGBModel)


def save_model(xgb_model: Any, path: str | os.PathLike[str], conda_env: dict[str, Any] | str | None = None,
               code_paths: Sequence[str] | None = None, mlflow_model: Model | None = None,
               signature: ModelSignature | None = None, input_example: Any = None,
               pip_requirements: str | Sequence[str] | None = None,
               extra_pip_requirements: str | Sequence[str] | None = None, model_format: str = DEFAULT_MODEL_FORMAT,
               metadata: dict[str, Any] | None = None) -> Model:
    """Save an XGBoost `Booster` or scikit-learn-API estimator as a model directory at `path` (new or empty), in
    XGBoost's `model_format` ("ubj" or "json"). Without a signature, one is inferred from `input_example` and the
    model's predictions on it.

    >>> tracekit.xgboost.save_model(booster, "churn_model", input_example=train_frame.head(3))
    """
    import xgboost

    if model_format not in SUPPORTED_MODEL_FORMATS:
        raise TracekitException.invalid_parameter_value(
            f"model_format {model_format!r} is not supported: use one of {list(SUPPORTED_MODEL_FORMATS)} "
            f"(XGBoost's own formats; models are never pickled).")
    model_class = library_class_path(xgb_model, PACKAGE, _bases())
    model_dir = new_model_dir(path)
    model_file = f"model.{model_format}"
    xgb_model.save_model(os.path.join(model_dir, model_file))
    return finish_model_dir(
        model_dir, FLAVOR_NAME, LOADER_MODULE, model_file,
        {"xgb_version": xgboost.__version__, "data": model_file, "model_class": model_class,
         "model_format": model_format}, XGBoostPredictor(xgb_model).predict, mlflow_model=mlflow_model,
        code_paths=code_paths, signature=signature, input_example=input_example, pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements, conda_env=conda_env, metadata=metadata)


def log_model(xgb_model: Any, name: str | None = None, conda_env: dict[str, Any] | str | None = None,
              code_paths: Sequence[str] | None = None, registered_model_name: str | None = None,
              signature: ModelSignature | None = None, input_example: Any = None,
              pip_requirements: str | Sequence[str] | None = None,
              extra_pip_requirements: str | Sequence[str] | None = None, model_format: str = DEFAULT_MODEL_FORMAT,
              metadata: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
              tags: dict[str, Any] | None = None, model_type: str | None = None,
              artifact_path: str | None = None) -> ModelInfo:
    """Log an XGBoost model as a logged model `name` of the active run (if any); its ModelInfo, whose `model_uri`
    (`models:/<model_id>`) loads it back. `artifact_path` is the older name of `name`.

    >>> info = tracekit.xgboost.log_model(booster, name="churn", input_example=train_frame.head(3))
    """
    from tracekit.models import xgboost_flavor
    from tracekit.models.model_logging import log_model as log_with_flavor

    return log_with_flavor(
        name if name is not None else artifact_path, xgboost_flavor, registered_model_name=registered_model_name,
        metadata=metadata, params=params, tags=tags, model_type=model_type, xgb_model=xgb_model,
        conda_env=conda_env, code_paths=code_paths, signature=signature, input_example=input_example,
        pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements, model_format=model_format)


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The XGBoost model saved at `model_uri`: a `Booster`, or the scikit-learn-API estimator it was saved from.

    >>> booster = tracekit.xgboost.load_model(info.model_uri)
    """
    return _load_native(*downloaded_flavor(model_uri, dst_path, FLAVOR_NAME))


class XGBoostPredictor(GbmPredictor):
    """The python_function form of an XGBoost model: a Booster predicts on a DMatrix made from the data, an
    estimator with its own `predict`."""

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """The model's predictions for `data` (a DataFrame or array); params are not used."""
        import xgboost

        if isinstance(self.model, xgboost.Booster):
            return self.model.predict(xgboost.DMatrix(data))
        return self.model.predict(data)


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> XGBoostPredictor:
    """The python_function loader: `path` is the model file (the flavor's model_path)."""
    return XGBoostPredictor(_load_native(*pyfunc_flavor(path, FLAVOR_NAME)))


def _load_native(model_dir: str, flavor: dict[str, Any], where: str) -> Any:
    model_format = flavor.get("model_format")
    if model_format not in SUPPORTED_MODEL_FORMATS:
        raise TracekitException.invalid_parameter_value(
            f"{where}: model_format {model_format!r} is not one of {list(SUPPORTED_MODEL_FORMATS)}; refusing to "
            f"load it (XGBoost models are read only in XGBoost's own formats).")
    name = flavor.get("data")
    if not isinstance(name, str) or not name.endswith(f".{model_format}"):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the xgboost data file {name!r} does not end in .{model_format} (its model_format).")
    model_file = path_in_model_dir(model_dir, name)
    if not os.path.isfile(model_file):
        raise TracekitException.invalid_parameter_value(f"{where}: the xgboost data {name!r} is not a file.")
    klass = resolve_library_class(flavor.get("model_class", "xgboost.core.Booster"), PACKAGE, _bases(), where)
    import xgboost

    model = klass()
    try:
        model.load_model(model_file)
    except (xgboost.core.XGBoostError, UnicodeDecodeError) as error:  # XGBoost fails to decode some of its errors
        raise TracekitException.invalid_parameter_value(
            f"{where}: {name!r} is not a readable XGBoost {model_format} model: {error}") from error
    return model
