"""`tracekit.pyfunc`: MLflow's `mlflow.pyfunc` for tracekit. Any model as a Python function: save or log custom
models (`PythonModel`, a callable, or a models-from-code file), and load any model with a python_function flavor
as a `PyFuncModel` whose `predict` enforces the signature and is traced, linked to the model.

>>> info = tracekit.pyfunc.log_model(name="add_n", python_model=AddN(n=5), input_example=pd.DataFrame({"x": [1]}))
>>> tracekit.pyfunc.load_model(info.model_uri).predict(pd.DataFrame({"x": [1, 2]}))
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.model import Model, ModelInfo
from tracekit.models.pyfunc_model import PyFuncModel, load_model
from tracekit.models.python_model import PythonModel, PythonModelContext, save_python_model
from tracekit.models.signature import ModelSignature

__all__ = ["PyFuncModel", "PythonModel", "PythonModelContext", "load_model", "log_model", "save_model"]


def save_model(path: str | os.PathLike[str], loader_module: str | None = None, data_path: str | None = None,
               code_paths: Sequence[str] | None = None, conda_env: dict[str, Any] | str | None = None,
               mlflow_model: Model | None = None, python_model: Any = None, artifacts: Mapping[str, str] | None = None,
               signature: ModelSignature | None = None, input_example: Any = None,
               pip_requirements: str | Sequence[str] | None = None,
               extra_pip_requirements: str | Sequence[str] | None = None, metadata: dict[str, Any] | None = None,
               model_config: str | Mapping[str, Any] | None = None) -> Model:
    """Save a model with the python_function flavor to the new directory `path`, in one of two ways:

    - `python_model`: a `PythonModel`, a callable, or the path of a models-from-code file (one calling
      `tracekit.models.set_model(...)`), with `artifacts` (name -> local path or URI, copied into the model and
      handed to `load_context` as `context.artifacts`) and `model_config` (a dict or YAML path, read by
      `ModelConfig` and `context.model_config`);
    - `loader_module` and `data_path`: your own module whose `_load_pyfunc(path)` returns an object with
      `predict(data, params=None)`, and the file or folder it loads.

    >>> tracekit.pyfunc.save_model("add_n_model", python_model=AddN(n=5))
    """
    if (python_model is None) == (loader_module is None):
        raise TracekitException.invalid_parameter_value(
            "save_model() takes either python_model= (a PythonModel, callable or models-from-code file) or "
            "loader_module= with data_path=, not both or neither.")
    if python_model is not None:
        return save_python_model(path, python_model, artifacts=artifacts, signature=signature,
                                 input_example=input_example, pip_requirements=pip_requirements,
                                 extra_pip_requirements=extra_pip_requirements, code_paths=code_paths,
                                 model_config=model_config, conda_env=conda_env, metadata=metadata,
                                 mlflow_model=mlflow_model)
    return _save_with_loader(path, str(loader_module), data_path, code_paths, conda_env, mlflow_model, signature,
                             input_example, pip_requirements, extra_pip_requirements, metadata)


def _save_with_loader(path: str | os.PathLike[str], loader_module: str, data_path: str | None,
                      code_paths: Sequence[str] | None, conda_env: dict[str, Any] | str | None,
                      mlflow_model: Model | None, signature: ModelSignature | None, input_example: Any,
                      pip_requirements: str | Sequence[str] | None,
                      extra_pip_requirements: str | Sequence[str] | None, metadata: dict[str, Any] | None) -> Model:
    from tracekit.models.model_saving import add_pyfunc_flavor, copy_code_paths, new_model_dir, write_model_metadata

    model_dir = new_model_dir(path)
    data = None
    if data_path is not None:
        source = os.path.abspath(data_path)
        data = os.path.basename(source.rstrip(os.sep))
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(model_dir, data))
        elif os.path.isfile(source):
            shutil.copy2(source, os.path.join(model_dir, data))
        else:
            raise TracekitException.invalid_parameter_value(f"data_path {data_path!r} does not exist.")
    model = mlflow_model if mlflow_model is not None else Model()
    code = copy_code_paths(model_dir, code_paths)
    env = write_model_metadata(model_dir, model, signature=signature, input_example=input_example,
                               modules={loader_module}, pip_requirements=pip_requirements,
                               extra_pip_requirements=extra_pip_requirements, conda_env=conda_env, metadata=metadata)
    add_pyfunc_flavor(model, loader_module, env, code, **({"data": data} if data else {}))
    model.save(model_dir)
    return model


def log_model(name: str | None = None, python_model: Any = None, artifacts: Mapping[str, str] | None = None,
              signature: ModelSignature | None = None, input_example: Any = None,
              pip_requirements: str | Sequence[str] | None = None,
              extra_pip_requirements: str | Sequence[str] | None = None, code_paths: Sequence[str] | None = None,
              registered_model_name: str | None = None, model_config: str | Mapping[str, Any] | None = None,
              metadata: dict[str, Any] | None = None, conda_env: dict[str, Any] | str | None = None,
              loader_module: str | None = None, data_path: str | None = None,
              params: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None,
              model_type: str | None = None, artifact_path: str | None = None) -> ModelInfo:
    """Log a python_function model (see `save_model` for its two forms) as a new logged model `name` in the
    current experiment, with the active run (if any) as its source and `params`/`tags` on the logged model. Returns
    its ModelInfo; `model_uri` (`models:/<model_id>`) loads it. `artifact_path` is the older name of `name`.
    `registered_model_name` registers it as the next version of that registered model.

    >>> with tracekit.start_run():
    ...     info = tracekit.pyfunc.log_model(name="agent", python_model="agent.py", model_config={"k": 3})
    """
    from tracekit.models.model_logging import log_model as log_with_flavor

    return log_with_flavor(
        name if name is not None else artifact_path, sys.modules[__name__],
        registered_model_name=registered_model_name, metadata=metadata, params=params, tags=tags,
        model_type=model_type, python_model=python_model, artifacts=artifacts, signature=signature,
        input_example=input_example, pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements, code_paths=code_paths, model_config=model_config,
        conda_env=conda_env, loader_module=loader_module, data_path=data_path)
