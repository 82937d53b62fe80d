"""Custom Python models: `PythonModel` (your predict, with `load_context` for its artifacts), saved either pickled
with cloudpickle or as code (models from code), and the loader the python_function flavor names for them."""

from __future__ import annotations

import inspect
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.code_models import check_model_code, load_model_from_code, read_model_config
from tracekit.models.environment import modules_of_code, modules_of_object
from tracekit.models.model import Model
from tracekit.models.model_saving import add_pyfunc_flavor, copy_code_paths, new_model_dir, write_model_metadata
from tracekit.models.signature import ModelSignature

LOADER_MODULE = "tracekit.models.python_model"
PICKLED_MODEL_FILE = "python_model.pkl"
ARTIFACTS_DIR = "artifacts"


class PythonModelContext:
    """What `load_context` and `predict` get: `artifacts` (name -> local path of each artifact saved with the
    model) and `model_config` (the dict given as `model_config`, or None)."""

    def __init__(self, artifacts: Mapping[str, str], model_config: Mapping[str, Any] | None) -> None:
        self.artifacts = dict(artifacts)
        self.model_config = None if model_config is None else dict(model_config)

    def __repr__(self) -> str:
        return f"PythonModelContext(artifacts={self.artifacts!r}, model_config={self.model_config!r})"


class PythonModel(ABC):
    """Subclass it to make any Python code a model: `predict(context, model_input, params=None)` scores, and
    `load_context(context)` (optional) loads what `context.artifacts` names, once, when the model is loaded.

    >>> class AddN(tracekit.pyfunc.PythonModel):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def predict(self, context, model_input, params=None):
    ...         return model_input.apply(lambda column: column + self.n)
    """

    def load_context(self, context: PythonModelContext) -> None:
        """Load artifacts and set up state before the first predict (called by `load_model`)."""

    @abstractmethod
    def predict(self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """Score `model_input` (the signature already enforced) with the inference `params`."""


class _FunctionModel(PythonModel):
    """A plain callable saved as a model: it is called with the model input (and `params=` if it takes them)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def predict(self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        if params is not None and _accepts(self.function, "params"):
            return self.function(model_input, params=params)
        return self.function(model_input)


def _accepts(function: Callable[..., Any], name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def as_python_model(model: Any) -> PythonModel:
    """A PythonModel as is; a callable wrapped in one; TracekitException otherwise."""
    if isinstance(model, PythonModel):
        return model
    if callable(model):
        return _FunctionModel(model)
    raise TracekitException.invalid_parameter_value(
        f"python_model must be a tracekit.pyfunc.PythonModel, a callable, or the path of a models-from-code file; got "
        f"{type(model).__name__}.")


class PythonModelPredictor:
    """The loaded form of a custom model: calls its predict with the context (if it takes one) and the params."""

    def __init__(self, python_model: PythonModel, context: PythonModelContext) -> None:
        self.python_model = python_model
        self.context = context
        method = python_model.predict
        try:
            names = list(inspect.signature(method).parameters)
        except (TypeError, ValueError):
            names = ["context", "model_input", "params"]
        self._takes_context = bool(names) and names[0] == "context"
        self._takes_params = _accepts(method, "params")

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Score `data` with the model's own predict."""
        keyword = {"params": params} if self._takes_params else {}
        if self._takes_context:
            return self.python_model.predict(self.context, data, **keyword)
        return self.python_model.predict(data, **keyword)


def save_python_model(path: str | os.PathLike[str], python_model: Any, *, artifacts: Mapping[str, str] | None = None,
                      signature: ModelSignature | None = None, input_example: Any = None,
                      pip_requirements: str | Sequence[str] | None = None,
                      extra_pip_requirements: str | Sequence[str] | None = None,
                      code_paths: Sequence[str] | None = None, model_config: str | Mapping[str, Any] | None = None,
                      conda_env: dict[str, Any] | str | None = None, metadata: dict[str, Any] | None = None,
                      mlflow_model: Model | None = None) -> Model:
    """Write a custom model to the new directory `path` (see `tracekit.pyfunc.save_model`); its Model."""
    from_code = isinstance(python_model, (str, os.PathLike))
    if from_code:
        code_file = os.path.abspath(os.fspath(python_model))
        check_model_code(code_file)
    else:
        python_model = as_python_model(python_model)
    config = None if model_config is None else read_model_config(model_config)
    model_dir = new_model_dir(path)
    model = mlflow_model if mlflow_model is not None else Model()
    flavor: dict[str, Any] = {}
    if from_code:
        shutil.copy2(code_file, os.path.join(model_dir, os.path.basename(code_file)))
        flavor["model_code_path"] = os.path.basename(code_file)
        modules = modules_of_code(code_file)
    else:
        flavor.update(_pickle_python_model(python_model, model_dir))
        modules = modules_of_object(python_model) | {"cloudpickle"}
    if artifacts:
        flavor["artifacts"] = _copy_artifacts(model_dir, artifacts)
    if config is not None:
        flavor["model_config"] = config
    code = copy_code_paths(model_dir, code_paths)
    # A signature inferred from the input example covers inputs only: running a custom model's predict at save time
    # could call anything (an LLM, a paid service).
    env = write_model_metadata(model_dir, model, signature=signature, input_example=input_example, modules=modules,
                               pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                               conda_env=conda_env, metadata=metadata)
    add_pyfunc_flavor(model, LOADER_MODULE, env, code, **flavor)
    model.save(model_dir)
    return model


def _pickle_python_model(python_model: PythonModel, model_dir: str) -> dict[str, Any]:
    import cloudpickle

    try:
        with open(os.path.join(model_dir, PICKLED_MODEL_FILE), "wb") as file:
            cloudpickle.dump(python_model, file)
    except Exception as error:  # noqa: BLE001 - say which model could not be pickled, and what to do
        raise TracekitException.invalid_parameter_value(
            f"Cannot pickle the python_model ({type(python_model).__name__}): {error}. Keep unpicklable state "
            f"(clients, locks, open files) out of __init__ and create it in load_context, or log the model from "
            f"code.") from error
    return {"python_model": PICKLED_MODEL_FILE, "cloudpickle_version": cloudpickle.__version__}


def _copy_artifacts(model_dir: str, artifacts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    from tracekit.models.model_uris import download_model, local_path_of

    target = os.path.join(model_dir, ARTIFACTS_DIR)
    os.makedirs(target, exist_ok=True)
    saved = {}
    for name, uri in artifacts.items():
        if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
            raise TracekitException.invalid_parameter_value(f"artifacts: {name!r} is not a valid artifact name.")
        local = local_path_of(str(uri))
        if local is None:
            local = download_model(str(uri))  # any artifact URI: downloaded first
        if not os.path.exists(local):
            raise TracekitException.invalid_parameter_value(f"artifacts[{name!r}]: {uri!r} does not exist.")
        destination = os.path.join(target, name, os.path.basename(local.rstrip(os.sep)))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        if os.path.isdir(local):
            shutil.copytree(local, destination)
        else:
            shutil.copy2(local, destination)
        saved[name] = {"path": os.path.relpath(destination, model_dir).replace(os.sep, "/"), "uri": str(uri)}
    return saved


def _load_pyfunc(model_dir: str, model_config: Mapping[str, Any] | None = None) -> PythonModelPredictor:
    """The python_function loader of custom models: unpickle (or run the code of) the model, then load_context."""
    from tracekit.models.model import MLMODEL_FILE, path_in_model_dir, read_mlmodel_file
    from tracekit.models.model_saving import PYFUNC_FLAVOR

    flavor = read_mlmodel_file(os.path.join(model_dir, MLMODEL_FILE)).flavors[PYFUNC_FLAVOR]
    saved_config = flavor.get("model_config")
    config = {**(saved_config or {}), **(model_config or {})} if (saved_config or model_config) else None
    if flavor.get("model_code_path"):
        python_model = as_python_model(
            load_model_from_code(path_in_model_dir(model_dir, flavor["model_code_path"]), config))
    elif flavor.get("python_model"):
        import cloudpickle

        with open(path_in_model_dir(model_dir, flavor["python_model"]), "rb") as file:
            python_model = as_python_model(cloudpickle.load(file))  # the user's trust decision: see the README
    else:
        raise TracekitException.invalid_parameter_value(
            f"The python_function flavor in {os.path.join(model_dir, MLMODEL_FILE)!r} names neither python_model nor "
            f"model_code_path.")
    saved_artifacts = flavor.get("artifacts") or {}
    artifacts = {name: path_in_model_dir(model_dir, entry["path"]) for name, entry in saved_artifacts.items()}
    context = PythonModelContext(artifacts, config)
    python_model.load_context(context)
    return PythonModelPredictor(python_model, context)
