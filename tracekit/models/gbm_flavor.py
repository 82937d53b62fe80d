"""What the gradient-boosting flavors (XGBoost, LightGBM) share: writing the model directory around the library's
own model file, finding the flavor in an MLmodel file when loading, and the python_function predictor."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.model import MLMODEL_FILE, Model, path_in_model_dir, read_mlmodel_file
from tracekit.models.model_saving import add_pyfunc_flavor, copy_code_paths, write_model_metadata
from tracekit.models.signature import ModelSignature


def finish_model_dir(model_dir: str, flavor_name: str, loader_module: str, model_file: str,
                     flavor_fields: dict[str, Any], predict: Callable[[Any], Any], *, mlflow_model: Model | None,
                     code_paths: Sequence[str] | None, signature: ModelSignature | None, input_example: Any,
                     pip_requirements: str | Sequence[str] | None,
                     extra_pip_requirements: str | Sequence[str] | None, conda_env: dict[str, Any] | str | None,
                     metadata: dict[str, Any] | None) -> Model:
    """With the library's `model_file` already saved in `model_dir`: the code paths, the example, signature and
    environment files, and the MLmodel file with the python_function flavor and `flavor_name`'s `flavor_fields`
    (the package `flavor_name` is the one required)."""
    model = mlflow_model if mlflow_model is not None else Model()
    code = copy_code_paths(model_dir, code_paths)
    env = write_model_metadata(model_dir, model, signature=signature, input_example=input_example,
                               modules={flavor_name}, pip_requirements=pip_requirements,
                               extra_pip_requirements=extra_pip_requirements, conda_env=conda_env, metadata=metadata,
                               predict_for_signature=predict)
    add_pyfunc_flavor(model, loader_module, env, code, model_path=model_file)
    model.add_flavor(flavor_name, **flavor_fields, **({"code": code} if code else {}))
    model.save(model_dir)
    return model


def downloaded_flavor(model_uri: str, dst_path: str | None, flavor_name: str) -> tuple[str, dict[str, Any], str]:
    """The model at `model_uri` downloaded: (its local folder, its `flavor_name` flavor, its MLmodel file's path);
    TracekitException if it has no such flavor."""
    from tracekit.models.model_uris import download_model

    local = download_model(model_uri, dst_path)
    mlmodel_path = os.path.join(local, MLMODEL_FILE)
    flavor = read_mlmodel_file(mlmodel_path).flavors.get(flavor_name)
    if flavor is None:
        raise TracekitException.invalid_parameter_value(
            f"The model at {model_uri!r} has no {flavor_name} flavor in {mlmodel_path!r}; load it with "
            f"tracekit.pyfunc.load_model.")
    return local, flavor, mlmodel_path


def pyfunc_flavor(path: str, flavor_name: str) -> tuple[str, dict[str, Any], str]:
    """For the python_function loader given the model file `path`: (the model folder, its `flavor_name` flavor, its
    MLmodel file's path); TracekitException if there is no such flavor or its data is not `path`."""
    model_dir = os.path.dirname(path)
    mlmodel_path = os.path.join(model_dir, MLMODEL_FILE)
    flavor = read_mlmodel_file(mlmodel_path).flavors.get(flavor_name)
    if flavor is None:
        raise TracekitException.invalid_parameter_value(f"{mlmodel_path!r} has no {flavor_name} flavor.")
    if path_in_model_dir(model_dir, str(flavor.get("data"))) != os.path.realpath(path):
        raise TracekitException.invalid_parameter_value(
            f"{mlmodel_path!r}: the python_function model_path and the {flavor_name} data name different files.")
    return model_dir, flavor, mlmodel_path


class GbmPredictor:
    """The python_function form of a gradient-boosting model: `predict(data, params=None)` calls the model's
    predict."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """The model's predictions for `data` (a DataFrame or array); params are not used."""
        return self.model.predict(data)
