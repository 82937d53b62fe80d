"""The scikit-learn flavor: an estimator pickled (pickle or cloudpickle, recorded as `serialization_format`) with
the `sklearn` and `python_function` flavors, so it loads back as itself or as a pyfunc model.

Unpickling runs code chosen by whoever wrote the file: load only models you trust.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.environment import modules_of_object
from tracekit.models.model import MLMODEL_FILE, Model, ModelInfo, path_in_model_dir, read_mlmodel_file
from tracekit.models.model_saving import add_pyfunc_flavor, copy_code_paths, new_model_dir, write_model_metadata
from tracekit.models.signature import ModelSignature
from tracekit.validation import check_choice

FLAVOR_NAME = "sklearn"
LOADER_MODULE = "tracekit.sklearn"
MODEL_FILE = "model.pkl"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SERIALIZATION_FORMAT_CLOUDPICKLE = "cloudpickle"
SUPPORTED_SERIALIZATION_FORMATS = (SERIALIZATION_FORMAT_PICKLE, SERIALIZATION_FORMAT_CLOUDPICKLE)


def save_model(sk_model: Any, path: str | os.PathLike[str], conda_env: dict[str, Any] | str | None = None,
               code_paths: Sequence[str] | None = None, mlflow_model: Model | None = None,
               serialization_format: str = SERIALIZATION_FORMAT_CLOUDPICKLE, signature: ModelSignature | None = None,
               input_example: Any = None, pip_requirements: str | Sequence[str] | None = None,
               extra_pip_requirements: str | Sequence[str] | None = None, pyfunc_predict_fn: str = "predict",
               metadata: dict[str, Any] | None = None) -> Model:
    """Save a scikit-learn estimator as a model directory at `path` (new or empty). Without a signature, one is
    inferred from `input_example` and the estimator's predictions on it.

    >>> tracekit.sklearn.save_model(classifier, "iris_model", input_example=iris_train.head(3))
    """
    import sklearn

    check_choice("serialization_format", serialization_format, SUPPORTED_SERIALIZATION_FORMATS)
    predict = getattr(sk_model, pyfunc_predict_fn, None)
    if not callable(predict):
        raise TracekitException.invalid_parameter_value(
            f"The estimator {type(sk_model).__name__} has no method {pyfunc_predict_fn!r} (pyfunc_predict_fn).")
    model_dir = new_model_dir(path)
    _serialize(sk_model, os.path.join(model_dir, MODEL_FILE), serialization_format)
    model = mlflow_model if mlflow_model is not None else Model()
    code = copy_code_paths(model_dir, code_paths)
    modules = modules_of_object(sk_model) | {"sklearn"}
    if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
        modules.add("cloudpickle")
    env = write_model_metadata(model_dir, model, signature=signature, input_example=input_example, modules=modules,
                               pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                               conda_env=conda_env, metadata=metadata, predict_for_signature=predict)
    add_pyfunc_flavor(model, LOADER_MODULE, env, code, model_path=MODEL_FILE, predict_fn=pyfunc_predict_fn)
    model.add_flavor(FLAVOR_NAME, pickled_model=MODEL_FILE, sklearn_version=sklearn.__version__,
                     serialization_format=serialization_format, **({"code": code} if code else {}))
    model.save(model_dir)
    return model


def log_model(sk_model: Any, name: str | None = None, conda_env: dict[str, Any] | str | None = None,
              code_paths: Sequence[str] | None = None, serialization_format: str = SERIALIZATION_FORMAT_CLOUDPICKLE,
              registered_model_name: str | None = None, signature: ModelSignature | None = None,
              input_example: Any = None, pip_requirements: str | Sequence[str] | None = None,
              extra_pip_requirements: str | Sequence[str] | None = None, pyfunc_predict_fn: str = "predict",
              metadata: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
              tags: dict[str, Any] | None = None, model_type: str | None = None,
              artifact_path: str | None = None) -> ModelInfo:
    """Log a scikit-learn estimator as a logged model `name` of the active run (if any); its ModelInfo, whose
    `model_uri` (`models:/<model_id>`) loads it back. `artifact_path` is the older name of `name`.

    >>> info = tracekit.sklearn.log_model(classifier, name="iris_rf", input_example=iris_train.head(3))
    """
    from tracekit.models import sklearn_flavor
    from tracekit.models.model_logging import log_model as log_with_flavor

    return log_with_flavor(
        name if name is not None else artifact_path, sklearn_flavor, registered_model_name=registered_model_name,
        metadata=metadata, params=params, tags=tags, model_type=model_type, sk_model=sk_model, conda_env=conda_env,
        code_paths=code_paths, serialization_format=serialization_format, signature=signature,
        input_example=input_example, pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements, pyfunc_predict_fn=pyfunc_predict_fn)


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The scikit-learn estimator saved at `model_uri` (unpickled: load only models you trust).

    >>> classifier = tracekit.sklearn.load_model(info.model_uri)
    """
    from tracekit.models.model_uris import download_model

    local = download_model(model_uri, dst_path)
    mlmodel_path = os.path.join(local, MLMODEL_FILE)
    flavor = read_mlmodel_file(mlmodel_path).flavors.get(FLAVOR_NAME)
    if flavor is None:
        raise TracekitException.invalid_parameter_value(
            f"The model at {model_uri!r} has no sklearn flavor in {mlmodel_path!r}; load it with "
            f"tracekit.pyfunc.load_model.")
    return _deserialize(_model_file(local, str(flavor.get("pickled_model", MODEL_FILE))),
                        str(flavor.get("serialization_format", SERIALIZATION_FORMAT_CLOUDPICKLE)))


class SklearnPredictor:
    """The python_function form of a scikit-learn model: `predict(data, params=None)` calls the estimator."""

    def __init__(self, model: Any, predict_fn: str = "predict") -> None:
        self.model = model
        self._predict = getattr(model, predict_fn)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """The estimator's predictions for `data` (params are not used by scikit-learn's predict)."""
        return self._predict(data)


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> SklearnPredictor:
    """The python_function loader: `path` is the pickled estimator (the flavor's model_path)."""
    model_dir = os.path.dirname(path)
    mlmodel = read_mlmodel_file(os.path.join(model_dir, MLMODEL_FILE))
    flavor = mlmodel.flavors.get(FLAVOR_NAME, {})
    pyfunc_flavor = mlmodel.flavors.get("python_function", {})
    model = _deserialize(_model_file(model_dir, os.path.basename(path)),
                         str(flavor.get("serialization_format", SERIALIZATION_FORMAT_CLOUDPICKLE)))
    return SklearnPredictor(model, str(pyfunc_flavor.get("predict_fn", "predict")))


def _model_file(model_dir: str, name: str) -> str:
    path = path_in_model_dir(model_dir, name)
    if not os.path.isfile(path):
        raise TracekitException.invalid_parameter_value(
            f"The sklearn model in {model_dir!r} names {name!r} as its pickled model, which is not a file.")
    return path


def _serialize(sk_model: Any, path: str, serialization_format: str) -> None:
    with open(path, "wb") as file:
        if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
            import cloudpickle

            cloudpickle.dump(sk_model, file)
        else:
            pickle.dump(sk_model, file, protocol=pickle.DEFAULT_PROTOCOL)


def _deserialize(path: str, serialization_format: str) -> Any:
    if serialization_format not in SUPPORTED_SERIALIZATION_FORMATS:
        raise TracekitException.invalid_parameter_value(
            f"{path!r}: unknown serialization_format {serialization_format!r} in its MLmodel (expected one of "
            f"{list(SUPPORTED_SERIALIZATION_FORMATS)}).")
    with open(path, "rb") as file:
        if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
            import cloudpickle

            return cloudpickle.load(file)
        return pickle.load(file)  # noqa: S301 - the user's trust decision (see the README)
