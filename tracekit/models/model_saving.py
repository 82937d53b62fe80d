"""The steps every flavor's `save_model` shares: a new model directory, the input example and the signature, the
environment files, code paths, the python_function flavor entry and the MLmodel file."""

from __future__ import annotations

import logging
import os
import platform
import shutil
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.environment import requirements_for_modules, resolve_requirements, write_environment
from tracekit.models.input_example import save_input_example, split_example
from tracekit.models.model import Model
from tracekit.models.signature import ModelSignature, infer_signature

logger = logging.getLogger(__name__)

PYFUNC_FLAVOR = "python_function"
CODE_DIR = "code"


def new_model_dir(path: str | os.PathLike[str]) -> str:
    """The absolute path of a new, empty model directory at `path`; TracekitException if something is there."""
    target = os.path.abspath(os.fspath(path))
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise TracekitException.already_exists(
            f"Cannot save a model to {target!r}: it already exists and is not an empty directory. Choose a new path "
            f"or remove it first.")
    os.makedirs(target, exist_ok=True)
    return target


def copy_code_paths(model_dir: str, code_paths: Sequence[str] | None) -> str | None:
    """Copy each file or folder of `code_paths` into the model's `code/` folder (put on sys.path at load time);
    the folder's name relative to the model, or None."""
    if not code_paths:
        return None
    target = os.path.join(model_dir, CODE_DIR)
    os.makedirs(target, exist_ok=True)
    for code_path in code_paths:
        source = os.path.abspath(code_path)
        destination = os.path.join(target, os.path.basename(source.rstrip(os.sep)))
        if os.path.isdir(source):
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        elif os.path.isfile(source):
            shutil.copy2(source, destination)
        else:
            raise TracekitException.invalid_parameter_value(f"code_paths: {code_path!r} does not exist.")
    return CODE_DIR


def add_pyfunc_flavor(model: Model, loader_module: str, env: dict[str, str], code: str | None = None,
                      **params: Any) -> None:
    """Add the python_function flavor: which module's `_load_pyfunc` loads the model, and its environment."""
    model.add_flavor(PYFUNC_FLAVOR, loader_module=loader_module, python_version=platform.python_version(), env=env,
                     **({"code": code} if code else {}), **params)


def write_model_metadata(model_dir: str, model: Model, *, signature: ModelSignature | None, input_example: Any,
                         modules: Iterable[str], pip_requirements: str | Sequence[str] | None,
                         extra_pip_requirements: str | Sequence[str] | None, conda_env: dict[str, Any] | str | None,
                         metadata: dict[str, Any] | None,
                         predict_for_signature: Callable[[Any], Any] | None = None) -> dict[str, str]:
    """Save the input example, settle the signature (inferred from the example when none is given), write the
    environment files; the `env` entry for the python_function flavor."""
    if signature is not None and not isinstance(signature, ModelSignature):
        raise TracekitException.invalid_parameter_value(
            f"signature must be a ModelSignature (see tracekit.models.infer_signature), got "
            f"{type(signature).__name__}.")
    if input_example is not None:
        model.saved_input_example_info = save_input_example(model_dir, input_example)
        if signature is None:
            signature = _signature_from_example(input_example, predict_for_signature)
    model.signature = signature
    if metadata is not None:
        model.metadata = metadata
    requirements = resolve_requirements(requirements_for_modules(modules), pip_requirements, extra_pip_requirements)
    return write_environment(model_dir, requirements, conda_env)


def _signature_from_example(input_example: Any, predict: Callable[[Any], Any] | None) -> ModelSignature | None:
    data, params = split_example(input_example)
    try:
        output = predict(data) if predict is not None else None
        return infer_signature(data, output, params)
    except Exception as error:  # noqa: BLE001 - a model without a signature is still a model
        logger.warning("Could not infer a signature from the input example (%s); the model is saved without one. "
                       "Pass signature= to set it.", error)
        return None
