"""Models from code: a Python file that builds its model and hands it over with `set_model(model)`, configured
through `ModelConfig`. The file is saved as source (nothing is pickled) and run again when the model is loaded."""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import yaml

from tracekit.exceptions import TracekitException

_lock = threading.RLock()  # one model file runs at a time, so set_model and ModelConfig know which load they serve
_captured: list[Any] = []
_loading_config: dict[str, Any] | None = None
_loading = False


def set_model(model: Any) -> None:
    """Name the model a models-from-code file defines: a `tracekit.pyfunc.PythonModel` or a callable taking the
    model input.

    >>> # agent.py
    >>> class Agent(tracekit.pyfunc.PythonModel):
    ...     def predict(self, context, model_input, params=None): ...
    >>> tracekit.models.set_model(Agent())
    """
    from tracekit.models.python_model import PythonModel

    if not isinstance(model, PythonModel) and not callable(model):
        raise TracekitException.invalid_parameter_value(
            f"set_model() takes a tracekit.pyfunc.PythonModel or a callable, got {type(model).__name__}.")
    _captured.append(model)


def read_model_config(config: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A model config given as a dict or as the path of a YAML file, as a dict."""
    if isinstance(config, Mapping):
        return dict(config)
    path = os.fspath(config)
    try:
        with open(path, encoding="utf-8") as file:
            loaded = yaml.safe_load(file)
    except OSError as error:
        raise TracekitException.invalid_parameter_value(f"Model config {path!r} cannot be read: {error}.") from None
    except yaml.YAMLError as error:
        raise TracekitException.invalid_parameter_value(f"Model config {path!r} is not valid YAML: {error}") from None
    if not isinstance(loaded, dict):
        raise TracekitException.invalid_parameter_value(f"Model config {path!r} must hold a YAML mapping.")
    return loaded


class ModelConfig:
    """The configuration a models-from-code file reads: the `model_config` given to `log_model`/`save_model` when
    the model is loaded, else `development_config` (a dict or a YAML file) while developing. A model loaded without
    a saved `model_config` refuses to read one.

    >>> config = ModelConfig(development_config={"temperature": 0.2})
    >>> config.get("temperature")
    0.2
    """

    def __init__(self, *, development_config: str | os.PathLike[str] | Mapping[str, Any] | None = None) -> None:
        if _loading:
            if _loading_config is None:  # as the seed says: development_config is for developing only
                raise TracekitException.invalid_parameter_value(
                    "This model reads a ModelConfig but was saved without model_config=; development_config is not "
                    "used once a model is logged. Log it again with model_config=<dict or YAML path>.")
            self._config = dict(_loading_config)
        elif development_config is not None:
            self._config = read_model_config(development_config)
        else:
            raise TracekitException.invalid_parameter_value(
                "ModelConfig has no configuration: pass development_config= while developing, or model_config= to "
                "log_model/save_model (it is used when the model is loaded).")

    def get(self, key: str) -> Any:
        """The value of a top-level key; TracekitException naming the key and the keys there are."""
        if key not in self._config:
            raise TracekitException.invalid_parameter_value(
                f"Model config has no key {key!r}; it has {sorted(self._config)}.")
        return self._config[key]

    def to_dict(self) -> dict[str, Any]:
        """The whole configuration."""
        return dict(self._config)


def check_model_code(path: str) -> None:
    """Refuse a models-from-code file that does not exist, does not parse, or never calls `set_model`."""
    if not os.path.isfile(path):
        raise TracekitException.invalid_parameter_value(
            f"python_model {path!r} is not a file: a models-from-code path names a Python file that calls "
            f"tracekit.models.set_model(...).")
    with open(path, encoding="utf-8") as file:
        try:
            tree = ast.parse(file.read(), filename=path)
        except SyntaxError as error:
            raise TracekitException.invalid_parameter_value(f"Model code {path!r} does not parse: {error}") from None
    calls = {getattr(node.func, "attr", getattr(node.func, "id", None))
             for node in ast.walk(tree) if isinstance(node, ast.Call)}
    if "set_model" not in calls:
        raise TracekitException.invalid_parameter_value(
            f"Model code {path!r} never calls set_model(...): end it with tracekit.models.set_model(<your model>).")


def load_model_from_code(path: str, model_config: Mapping[str, Any] | None) -> Any:
    """Run the model file at `path` (with `model_config` as what ModelConfig reads) and return what it passed to
    `set_model`; TracekitException naming the file if it passed nothing."""
    global _loading_config, _loading
    with _lock:
        _captured.clear()
        _loading_config, _loading = (dict(model_config) if model_config is not None else None), True
        module_name = f"tracekit_model_code_{uuid.uuid4().hex}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise TracekitException.invalid_parameter_value(f"Model code {path!r} cannot be loaded as Python.")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module  # dataclasses and pickling look the module up by name
            spec.loader.exec_module(module)
            if not _captured:
                raise TracekitException.invalid_parameter_value(
                    f"Model code {path!r} ran without calling tracekit.models.set_model(...).")
            return _captured[-1]
        finally:
            _captured.clear()
            _loading_config, _loading = None, False
