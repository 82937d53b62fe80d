"""The PyTorch flavor: a `torch.nn.Module` (a Lightning `LightningModule` too) saved as its weights, with the
`pytorch` and `python_function` flavors, so it loads back as a module in eval mode or as a pyfunc model.

The default format, `state_dict`, writes the weights with `torch.save(model.state_dict())` and records how to build
the module again: its class's import path and the keyword arguments of its constructor (`init_kwargs`, or a
LightningModule's `hparams`). Loading imports that class (which must be a `torch.nn.Module` subclass, from an
installed package or from the model's `code_paths`), constructs it and reads the weights with
`torch.load(weights_only=True)`, which refuses any pickle that would run code.

`serialization_format="pickle"` saves the whole module with `torch.save(model)` instead. Reading it back unpickles,
which can run any code the file's author chose: it has to be asked for again when loading (`allow_pickle=True`, or
`model_config={"allow_pickle": True}` for `tracekit.pyfunc.load_model`). Use it only for models you trust.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.model import MLMODEL_FILE, Model, ModelInfo, path_in_model_dir, read_mlmodel_file
from tracekit.models.model_saving import add_pyfunc_flavor, copy_code_paths, new_model_dir, write_model_metadata
from tracekit.models.signature import ModelSignature
from tracekit.validation import check_choice

FLAVOR_NAME = "pytorch"
LOADER_MODULE = "tracekit.pytorch"
DATA_DIR = "data"
STATE_DICT_FILE = "state_dict.pt"
INIT_KWARGS_FILE = "init_kwargs.json"
PICKLED_MODEL_FILE = "model.pth"
SERIALIZATION_FORMAT_STATE_DICT = "state_dict"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SUPPORTED_SERIALIZATION_FORMATS = (SERIALIZATION_FORMAT_STATE_DICT, SERIALIZATION_FORMAT_PICKLE)


def save_model(pytorch_model: Any, path: str | os.PathLike[str], init_kwargs: Mapping[str, Any] | None = None,
               serialization_format: str = SERIALIZATION_FORMAT_STATE_DICT,
               conda_env: dict[str, Any] | str | None = None, code_paths: Sequence[str] | None = None,
               mlflow_model: Model | None = None, signature: ModelSignature | None = None, input_example: Any = None,
               pip_requirements: str | Sequence[str] | None = None,
               extra_pip_requirements: str | Sequence[str] | None = None,
               metadata: dict[str, Any] | None = None) -> Model:
    """Save a `torch.nn.Module` as a model directory at `path` (new or empty).

    With the default `serialization_format="state_dict"` the module's class must be importable when the model is
    loaded (from an installed package, or from a file or folder given in `code_paths`), and `init_kwargs` (JSON
    values) must rebuild it; a LightningModule that called `save_hyperparameters()` needs none, its `hparams` are
    used, and so does a class whose constructor takes no required argument. `serialization_format="pickle"`
    pickles the whole module (loading it again needs `allow_pickle=True`: unsafe for untrusted models).
    Without a signature, one is inferred from `input_example` and the module's output on it.

    >>> tracekit.pytorch.save_model(net, "regressor", init_kwargs={"hidden": 8}, input_example=features[:3])
    """
    import torch

    if not isinstance(pytorch_model, torch.nn.Module):
        raise TracekitException.invalid_parameter_value(
            f"tracekit.pytorch.save_model() takes a torch.nn.Module, got {type(pytorch_model).__name__}.")
    check_choice("serialization_format", serialization_format, SUPPORTED_SERIALIZATION_FORMATS)
    if serialization_format == SERIALIZATION_FORMAT_STATE_DICT:
        class_path, kwargs = _rebuild_recipe(pytorch_model, init_kwargs, code_paths)
    elif init_kwargs is not None:
        raise TracekitException.invalid_parameter_value(
            "init_kwargs is for serialization_format='state_dict'; a pickled module needs none.")
    model_dir = new_model_dir(path)
    data_dir = os.path.join(model_dir, DATA_DIR)
    os.makedirs(data_dir)
    flavor: dict[str, Any] = {"pytorch_version": str(torch.__version__), "serialization_format": serialization_format,
                              "data": DATA_DIR}
    if serialization_format == SERIALIZATION_FORMAT_STATE_DICT:
        torch.save(pytorch_model.state_dict(), os.path.join(data_dir, STATE_DICT_FILE))
        with open(os.path.join(data_dir, INIT_KWARGS_FILE), "w", encoding="utf-8") as file:
            json.dump(kwargs, file)
        flavor.update(model_class=class_path, state_dict=STATE_DICT_FILE, init_kwargs=INIT_KWARGS_FILE)
    else:
        torch.save(pytorch_model, os.path.join(data_dir, PICKLED_MODEL_FILE))
        flavor.update(model_class=_class_path(type(pytorch_model)), pickled_model=PICKLED_MODEL_FILE)
    model = mlflow_model if mlflow_model is not None else Model()
    code = copy_code_paths(model_dir, code_paths)
    modules = {"torch", "numpy", type(pytorch_model).__module__} | _lightning_modules(pytorch_model)
    env = write_model_metadata(model_dir, model, signature=signature, input_example=input_example, modules=modules,
                               pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                               conda_env=conda_env, metadata=metadata,
                               predict_for_signature=TorchPredictor(pytorch_model).predict)
    add_pyfunc_flavor(model, LOADER_MODULE, env, code, model_path=DATA_DIR)
    model.add_flavor(FLAVOR_NAME, **flavor, **({"code": code} if code else {}))
    model.save(model_dir)
    return model


def log_model(pytorch_model: Any, name: str | None = None, init_kwargs: Mapping[str, Any] | None = None,
              serialization_format: str = SERIALIZATION_FORMAT_STATE_DICT,
              conda_env: dict[str, Any] | str | None = None, code_paths: Sequence[str] | None = None,
              registered_model_name: str | None = None, signature: ModelSignature | None = None,
              input_example: Any = None, pip_requirements: str | Sequence[str] | None = None,
              extra_pip_requirements: str | Sequence[str] | None = None, metadata: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None, tags: dict[str, Any] | None = None,
              model_type: str | None = None, artifact_path: str | None = None) -> ModelInfo:
    """Log a `torch.nn.Module` as a logged model `name` of the active run (if any), saved as `save_model` does;
    its ModelInfo, whose `model_uri` (`models:/<model_id>`) loads it back. `artifact_path` is the older name of
    `name`.

    >>> info = tracekit.pytorch.log_model(net, name="regressor", input_example=features[:3])
    """
    from tracekit.models import pytorch_flavor
    from tracekit.models.model_logging import log_model as log_with_flavor

    return log_with_flavor(
        name if name is not None else artifact_path, pytorch_flavor, registered_model_name=registered_model_name,
        metadata=metadata, params=params, tags=tags, model_type=model_type, pytorch_model=pytorch_model,
        init_kwargs=init_kwargs, serialization_format=serialization_format, conda_env=conda_env,
        code_paths=code_paths, signature=signature, input_example=input_example, pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements)


def load_model(model_uri: str, dst_path: str | None = None, allow_pickle: bool = False,
               map_location: Any = "cpu") -> Any:
    """The `torch.nn.Module` saved at `model_uri`, in eval mode, its weights on `map_location` (CPU by default).
    A model saved with `serialization_format="pickle"` loads only with `allow_pickle=True` (unpickling runs the
    file's code: only for models you trust).

    >>> net = tracekit.pytorch.load_model(info.model_uri)
    """
    from tracekit.models.model_uris import download_model

    local = download_model(model_uri, dst_path)
    mlmodel_path = os.path.join(local, MLMODEL_FILE)
    flavor = read_mlmodel_file(mlmodel_path).flavors.get(FLAVOR_NAME)
    if flavor is None:
        raise TracekitException.invalid_parameter_value(
            f"The model at {model_uri!r} has no pytorch flavor in {mlmodel_path!r}; load it with "
            f"tracekit.pyfunc.load_model.")
    return _load_module(local, flavor, allow_pickle, map_location)


class TorchPredictor:
    """The python_function form of a PyTorch model: `predict(data)` turns a DataFrame, array, list or tensor into
    a tensor (floating point data in the module's own dtype, on its device) and runs the module in eval mode
    under `torch.no_grad()`; a DataFrame comes back as a DataFrame, anything else as a numpy array."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """The module's output for `data` (params are not used)."""
        import torch

        self.model.eval()
        with torch.no_grad():
            output = self.model(_as_tensor(data, self.model))
        return _as_result(output, data)


def _load_pyfunc(path: str, model_config: Mapping[str, Any] | None = None) -> TorchPredictor:
    """The python_function loader: `path` is the model's data folder. `model_config={"allow_pickle": True}`
    loads a pickled module (unsafe for untrusted models)."""
    model_dir = os.path.dirname(os.path.abspath(path))
    flavor = read_mlmodel_file(os.path.join(model_dir, MLMODEL_FILE)).flavors.get(FLAVOR_NAME)
    if flavor is None:
        raise TracekitException.invalid_parameter_value(f"The model in {model_dir!r} has no pytorch flavor.")
    allow_pickle = bool((model_config or {}).get("allow_pickle", False))
    return TorchPredictor(_load_module(model_dir, flavor, allow_pickle, "cpu"))


def _load_module(model_dir: str, flavor: Mapping[str, Any], allow_pickle: bool, map_location: Any) -> Any:
    import torch

    code = flavor.get("code")
    if code:
        code_dir = path_in_model_dir(model_dir, str(code))
        if code_dir not in sys.path:
            sys.path.insert(0, code_dir)
    data_dir = path_in_model_dir(model_dir, str(flavor.get("data", DATA_DIR)))
    serialization_format = flavor.get("serialization_format", SERIALIZATION_FORMAT_STATE_DICT)
    if serialization_format == SERIALIZATION_FORMAT_PICKLE:
        if not allow_pickle:
            raise TracekitException.invalid_parameter_value(
                f"The PyTorch model in {model_dir!r} is a pickled module: loading it would run whatever code the "
                f"file holds. Pass allow_pickle=True (tracekit.pyfunc.load_model: model_config={{'allow_pickle': "
                f"True}}) only if you trust where it came from.")
        pickled = path_in_model_dir(data_dir, str(flavor.get("pickled_model", PICKLED_MODEL_FILE)))
        module = torch.load(pickled, weights_only=False, map_location=map_location)  # the user opted in
        return module.eval()
    if serialization_format != SERIALIZATION_FORMAT_STATE_DICT:
        raise TracekitException.invalid_parameter_value(
            f"The PyTorch model in {model_dir!r} has an unknown serialization_format {serialization_format!r} "
            f"(expected one of {list(SUPPORTED_SERIALIZATION_FORMATS)}).")
    module_class = _import_module_class(str(flavor.get("model_class", "")), model_dir)
    kwargs_path = path_in_model_dir(data_dir, str(flavor.get("init_kwargs", INIT_KWARGS_FILE)))
    with open(kwargs_path, encoding="utf-8") as file:
        kwargs = json.load(file)
    if not isinstance(kwargs, dict):
        raise TracekitException.invalid_parameter_value(
            f"{kwargs_path!r} must hold a JSON object of constructor arguments, got {type(kwargs).__name__}.")
    weights_path = path_in_model_dir(data_dir, str(flavor.get("state_dict", STATE_DICT_FILE)))
    try:
        state_dict = torch.load(weights_path, weights_only=True, map_location=map_location)
    except Exception as error:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, ... for bad files
        raise TracekitException.invalid_parameter_value(
            f"{weights_path!r} is not a plain PyTorch state_dict that can be read safely (weights_only=True): "
            f"{type(error).__name__}: {str(error)[:300]}") from error
    module = module_class(**kwargs)
    module.load_state_dict(state_dict)
    return module.eval()


def _import_module_class(class_path: str, model_dir: str) -> Any:
    import torch

    module_name, _, qualname = class_path.partition(":")
    if not module_name or not qualname:
        raise TracekitException.invalid_parameter_value(
            f"The PyTorch model in {model_dir!r} names its class as {class_path!r}; expected 'module:ClassName'.")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as error:
        raise TracekitException.invalid_parameter_value(
            f"The PyTorch model in {model_dir!r} needs the class {class_path!r}, which cannot be imported ({error}). "
            f"Install the package that defines it, or save the model with code_paths= naming its source file.") \
            from error
    if not (inspect.isclass(found) and issubclass(found, torch.nn.Module)):
        raise TracekitException.invalid_parameter_value(
            f"The PyTorch model in {model_dir!r} names {class_path!r} as its class, which is not a torch.nn.Module "
            f"subclass; refusing to call it.")
    return found


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _rebuild_recipe(model: Any, init_kwargs: Mapping[str, Any] | None,
                    code_paths: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """The class path and constructor arguments that rebuild `model`, checked now rather than at load time."""
    cls = type(model)
    name = cls.__name__
    if cls.__module__ == "__main__" or "<locals>" in cls.__qualname__:
        raise TracekitException.invalid_parameter_value(
            f"The class {name} is defined in {'__main__' if cls.__module__ == '__main__' else 'a function'}, so it "
            f"cannot be imported when the model is loaded. Move it to a module (and pass that file in code_paths= "
            f"if it is not installed), or save with serialization_format='pickle' (unsafe for untrusted models).")
    if not code_paths:
        try:
            importlib.import_module(cls.__module__)
        except ImportError as error:  # pragma: no cover - the class came from somewhere
            raise TracekitException.invalid_parameter_value(
                f"The module {cls.__module__!r} of {name} cannot be imported ({error}).") from error
    if init_kwargs is None:
        hparams = getattr(model, "hparams", None)
        init_kwargs = dict(hparams) if isinstance(hparams, Mapping) else {}
    if not isinstance(init_kwargs, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"init_kwargs must be a dict of {name}'s constructor arguments, got {type(init_kwargs).__name__}.")
    kwargs = dict(init_kwargs)
    try:
        inspect.signature(cls).bind(**kwargs)
    except TypeError as error:
        raise TracekitException.invalid_parameter_value(
            f"{name} cannot be rebuilt from init_kwargs {sorted(kwargs)}: {error}. Pass init_kwargs= with its "
            f"constructor arguments (a LightningModule can call self.save_hyperparameters()).") from error
    except ValueError:  # no signature to check (a builtin): construction will tell
        pass
    try:
        json.dumps(kwargs, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TracekitException.invalid_parameter_value(
            f"init_kwargs of {name} must be JSON values (numbers, strings, booleans, lists, dicts): {error}. Build "
            f"other objects inside the constructor, or save with serialization_format='pickle'.") from error
    return _class_path(cls), kwargs


def _lightning_modules(model: Any) -> set[str]:
    top_modules = {klass.__module__.split(".")[0] for klass in type(model).__mro__}
    return top_modules & {"lightning", "pytorch_lightning"}


def _as_tensor(data: Any, model: Any) -> Any:
    import numpy as np
    import torch

    reference = next((parameter for parameter in model.parameters() if parameter.is_floating_point()), None)
    if isinstance(data, torch.Tensor):
        tensor = data
    else:
        values = data.to_numpy() if hasattr(data, "to_numpy") else np.asarray(data)
        if values.dtype == object:
            raise TracekitException.invalid_parameter_value(
                "A PyTorch model predicts on numbers: the input holds non-numeric values (dtype object).")
        tensor = torch.from_numpy(np.ascontiguousarray(values))
    if reference is not None:
        dtype = reference.dtype if tensor.is_floating_point() else tensor.dtype
        tensor = tensor.to(device=reference.device, dtype=dtype)
    return tensor


def _as_result(output: Any, data: Any) -> Any:
    import torch

    if isinstance(output, (tuple, list)):
        return type(output)(_as_result(item, data) for item in output)
    if isinstance(output, dict):
        return {key: _as_result(value, data) for key, value in output.items()}
    if not isinstance(output, torch.Tensor):
        return output
    values = output.detach().cpu().numpy()
    import pandas as pd

    if isinstance(data, pd.DataFrame) and values.ndim <= 2 and len(values) == len(data):
        return pd.DataFrame(values.reshape(len(values), -1), index=data.index)
    return values
