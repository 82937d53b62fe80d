"""The LightGBM flavor: a `Booster` or a scikit-learn-API estimator (`LGBMClassifier`, `LGBMRegressor`, ...) saved as
LightGBM's text model (`Booster.save_model`), never pickled. An estimator also keeps `estimator.json`: its params and
the plain fitted attributes `predict` needs (feature counts, objective, classes), as JSON. The MLmodel file records
the model's class; loading resolves it only among LightGBM's own (see `library_classes`) and reads the files with
LightGBM's and the JSON parser, so a model directory cannot make loading run code.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.gbm_flavor import GbmPredictor, downloaded_flavor, finish_model_dir, pyfunc_flavor
from tracekit.models.library_classes import library_class_path, resolve_library_class
from tracekit.models.model import Model, ModelInfo, path_in_model_dir
from tracekit.models.model_saving import new_model_dir
from tracekit.models.signature import ModelSignature

FLAVOR_NAME = "lightgbm"
LOADER_MODULE = "tracekit.lightgbm"
PACKAGE = "lightgbm"
MODEL_FILE = "model.lgb"
ESTIMATOR_FILE = "estimator.json"
# Fitted attributes rebuilt from other saved data (the booster, the classes) or not needed to predict.
_REBUILT_ATTRIBUTES = frozenset({"_Booster", "_le", "_classes", "_class_map", "_evals_result"})
_ATTRIBUTE_NAME = re.compile(r"^_?[a-z][a-z0-9_]*$")


def _bases() -> tuple[type, ...]:
    import lightgbm

    return (lightgbm.Booster, lightgbm.LGBMModel)


def save_model(lgb_model: Any, path: str | os.PathLike[str], conda_env: dict[str, Any] | str | None = None,
               code_paths: Sequence[str] | None = None, mlflow_model: Model | None = None,
               signature: ModelSignature | None = None, input_example: Any = None,
               pip_requirements: str | Sequence[str] | None = None,
               extra_pip_requirements: str | Sequence[str] | None = None,
               metadata: dict[str, Any] | None = None) -> Model:
    """Save a LightGBM `Booster` or fitted scikit-learn-API estimator as a model directory at `path` (new or
    empty). Without a signature, one is inferred from `input_example` and the model's predictions on it.

    >>> tracekit.lightgbm.save_model(booster, "churn_model", input_example=train_frame.head(3))
    """
    import lightgbm

    model_class = library_class_path(lgb_model, PACKAGE, _bases())
    state = None if isinstance(lgb_model, lightgbm.Booster) else _estimator_state(lgb_model)
    model_dir = new_model_dir(path)
    booster = lgb_model if state is None else lgb_model.booster_
    booster.save_model(os.path.join(model_dir, MODEL_FILE))
    fields = {"lgb_version": lightgbm.__version__, "model_class": model_class, "data": MODEL_FILE}
    if state is not None:
        with open(os.path.join(model_dir, ESTIMATOR_FILE), "w", encoding="utf-8") as file:
            json.dump(state, file)
        fields["estimator_state"] = ESTIMATOR_FILE
    return finish_model_dir(
        model_dir, FLAVOR_NAME, LOADER_MODULE, MODEL_FILE, fields, LightGBMPredictor(lgb_model).predict,
        mlflow_model=mlflow_model, code_paths=code_paths, signature=signature, input_example=input_example,
        pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements, conda_env=conda_env,
        metadata=metadata)


def log_model(lgb_model: Any, name: str | None = None, conda_env: dict[str, Any] | str | None = None,
              code_paths: Sequence[str] | None = None, registered_model_name: str | None = None,
              signature: ModelSignature | None = None, input_example: Any = None,
              pip_requirements: str | Sequence[str] | None = None,
              extra_pip_requirements: str | Sequence[str] | None = None, metadata: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None, tags: dict[str, Any] | None = None,
              model_type: str | None = None, artifact_path: str | None = None) -> ModelInfo:
    """Log a LightGBM model as a logged model `name` of the active run (if any); its ModelInfo, whose `model_uri`
    (`models:/<model_id>`) loads it back. `artifact_path` is the older name of `name`.

    >>> info = tracekit.lightgbm.log_model(booster, name="churn", input_example=train_frame.head(3))
    """
    from tracekit.models import lightgbm_flavor
    from tracekit.models.model_logging import log_model as log_with_flavor

    return log_with_flavor(
        name if name is not None else artifact_path, lightgbm_flavor, registered_model_name=registered_model_name,
        metadata=metadata, params=params, tags=tags, model_type=model_type, lgb_model=lgb_model,
        conda_env=conda_env, code_paths=code_paths, signature=signature, input_example=input_example,
        pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements)


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The LightGBM model saved at `model_uri`: a `Booster`, or the fitted scikit-learn-API estimator it was saved
    from.

    >>> booster = tracekit.lightgbm.load_model(info.model_uri)
    """
    return _load_native(*downloaded_flavor(model_uri, dst_path, FLAVOR_NAME))


class LightGBMPredictor(GbmPredictor):
    """The python_function form of a LightGBM model: `predict(data, params=None)` calls the model's predict."""


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> LightGBMPredictor:
    """The python_function loader: `path` is the text model (the flavor's model_path)."""
    return LightGBMPredictor(_load_native(*pyfunc_flavor(path, FLAVOR_NAME)))


def _json_value(name: str, value: Any) -> Any:
    """`value` as plain JSON data (numpy scalars and arrays converted); TracekitException if it is not data."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_json_value(name, item) for item in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_json_value(name, item) for item in value]
    if isinstance(value, dict):
        return {str(_json_value(name, key)): _json_value(name, item) for key, item in value.items()}
    raise TracekitException.invalid_parameter_value(
        f"The LightGBM estimator's {name!r} is a {type(value).__name__}, which LightGBM's native format cannot "
        f"hold (a custom objective or metric function?). Log its booster_ instead, with tracekit.lightgbm.log_model("
        f"model.booster_, ...).")


def _estimator_state(estimator: Any) -> dict[str, Any]:
    if not getattr(estimator, "fitted_", False):
        raise TracekitException.invalid_parameter_value(
            f"The {type(estimator).__name__} is not fitted: fit it before saving it.")
    params = {name: _json_value(name, value) for name, value in estimator.get_params(deep=False).items()}
    fitted = {name: _json_value(name, value) for name, value in vars(estimator).items()
              if name not in params and name not in _REBUILT_ATTRIBUTES and _ATTRIBUTE_NAME.match(name)
              and not callable(value)}
    state: dict[str, Any] = {"params": params, "fitted": fitted}
    classes = getattr(estimator, "_classes", None)
    if classes is not None:
        import numpy as np

        classes = np.asarray(classes)
        state["classes"] = {"dtype": classes.dtype.str, "values": _json_value("classes_", classes)}
    return state


def _load_native(model_dir: str, flavor: dict[str, Any], where: str) -> Any:
    import lightgbm

    name = flavor.get("data")
    model_file = path_in_model_dir(model_dir, str(name))
    if not os.path.isfile(model_file):
        raise TracekitException.invalid_parameter_value(f"{where}: the lightgbm data {name!r} is not a file.")
    klass = resolve_library_class(flavor.get("model_class", "lightgbm.basic.Booster"), PACKAGE, _bases(), where)
    try:
        booster = lightgbm.Booster(model_file=model_file)
    except lightgbm.basic.LightGBMError as error:
        raise TracekitException.invalid_parameter_value(
            f"{where}: {name!r} is not a readable LightGBM text model: {error}") from error
    if issubclass(klass, lightgbm.Booster):
        return booster
    state_name = flavor.get("estimator_state")
    if not isinstance(state_name, str):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the {klass.__name__} has no estimator_state file named in its lightgbm flavor.")
    with open(path_in_model_dir(model_dir, state_name), encoding="utf-8") as file:
        state = json.load(file)
    return _rebuilt_estimator(klass, booster, state, where)


def _rebuilt_estimator(klass: type, booster: Any, state: Any, where: str) -> Any:
    """A fitted `klass` from its booster and saved state: params through the constructor, the plain fitted
    attributes set back, the label encoder refitted on the saved classes."""
    if not (isinstance(state, dict) and isinstance(state.get("params"), dict)
            and isinstance(state.get("fitted"), dict)):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the estimator state is not a JSON object with 'params' and 'fitted' objects.")
    try:
        estimator = klass(**state["params"])
    except TypeError as error:
        raise TracekitException.invalid_parameter_value(
            f"{where}: the saved params do not fit {klass.__name__}: {error}") from error
    for name, value in state["fitted"].items():
        if not isinstance(name, str) or not _ATTRIBUTE_NAME.match(name) or name in _REBUILT_ATTRIBUTES:
            raise TracekitException.invalid_parameter_value(
                f"{where}: the estimator state names the attribute {name!r}, which is not a fitted attribute.")
        setattr(estimator, name, value)
    estimator._Booster = booster
    classes = state.get("classes")
    if classes is not None:
        _set_classes(estimator, classes, where)
    return estimator


def _set_classes(estimator: Any, classes: Any, where: str) -> None:
    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    try:
        dtype = np.dtype(classes["dtype"])
        if dtype.kind not in "biufUSO":
            raise TypeError(f"dtype {dtype} is not a label type")
        values = np.asarray(classes["values"], dtype=dtype)
    except (TypeError, KeyError, ValueError) as error:
        raise TracekitException.invalid_parameter_value(
            f"{where}: the estimator state's classes are not a list of labels with their dtype ({error}).") from error
    encoder = LabelEncoder().fit(values)
    estimator._le = encoder
    estimator._classes = encoder.classes_
    estimator._class_map = dict(zip(encoder.classes_, encoder.transform(encoder.classes_), strict=True))
