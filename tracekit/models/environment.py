"""A saved model's environment: `requirements.txt`, `python_env.yaml` and `conda.yaml`, and the pip requirements
inferred from what a model object or model code imports (never from the network: the installed distributions'
metadata maps modules to packages and pins their versions)."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import io
import logging
import os
import pickle
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_ENV_FILE = "conda.yaml"

_TRACEKIT_DISTRIBUTION = "tracekit"


def _installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def _providers() -> Mapping[str, list[str]]:
    """Top-level module -> distributions providing it (read once: scanning every installed package is slow)."""
    return importlib.metadata.packages_distributions()


def requirements_for_modules(modules: Iterable[str]) -> list[str]:
    """Pinned requirements (`name==version`) of the installed distributions providing `modules` (top-level
    names); standard-library and unknown modules are skipped, tracekit is always included."""
    providers = _providers()
    distributions = {_TRACEKIT_DISTRIBUTION}
    for module in modules:
        top = module.split(".")[0]
        if not top or top in sys.stdlib_module_names or top == "__main__":
            continue
        distributions.update(providers.get(top, ()))
    pinned = []
    for distribution in sorted(distributions, key=str.lower):
        version = _installed_version(distribution)
        pinned.append(f"{distribution}=={version}" if version else distribution)
    return pinned


class _ModuleRecorder(pickle.Pickler):
    """A pickler that writes nothing anywhere and notes the module of every object it would serialize."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.modules: set[str] = set()

    def persistent_id(self, obj: Any) -> None:
        kind = obj if isinstance(obj, type) else type(obj)
        self.modules.add(getattr(kind, "__module__", None) or "")
        module = getattr(obj, "__module__", None)
        if isinstance(module, str):
            self.modules.add(module)
        return None


def modules_of_object(obj: Any) -> set[str]:
    """The modules of every class and function reachable from `obj` (what unpickling it would import)."""
    recorder = _ModuleRecorder()
    try:
        recorder.dump(obj)
    except Exception:  # noqa: BLE001 - an object plain pickle cannot walk: fall back on its own class
        logger.debug("Could not walk %r for its modules; using its class only.", type(obj), exc_info=True)
        recorder.modules.add(type(obj).__module__)
    return recorder.modules


def modules_of_code(path: str) -> set[str]:
    """The modules a Python file imports (absolute imports at any level of the file)."""
    with open(path, encoding="utf-8") as file:
        tree = ast.parse(file.read(), filename=path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def read_requirements(requirements: str | Sequence[str] | None, what: str) -> list[str] | None:
    """A requirements list given as a list of strings or as the path of a requirements file."""
    if requirements is None:
        return None
    if isinstance(requirements, str):
        if not os.path.isfile(requirements):
            raise TracekitException.invalid_parameter_value(
                f"{what} must be a list of requirement strings or the path of a requirements file; {requirements!r} "
                f"is not a file.")
        with open(requirements, encoding="utf-8") as file:
            lines = file.read().splitlines()
        return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    if not all(isinstance(line, str) for line in requirements):
        raise TracekitException.invalid_parameter_value(f"{what} must hold strings, got {list(requirements)!r}.")
    return list(requirements)


def resolve_requirements(inferred: Iterable[str], pip_requirements: str | Sequence[str] | None,
                         extra_pip_requirements: str | Sequence[str] | None) -> list[str]:
    """The requirements a model is saved with: `pip_requirements` if given (replacing the inferred ones), else the
    inferred ones, plus `extra_pip_requirements`."""
    if pip_requirements is not None and extra_pip_requirements is not None:
        raise TracekitException.invalid_parameter_value(
            "Give pip_requirements (the whole list) or extra_pip_requirements (added to the inferred ones), not both.")
    chosen = read_requirements(pip_requirements, "pip_requirements")
    base = chosen if chosen is not None else list(inferred)
    extra = read_requirements(extra_pip_requirements, "extra_pip_requirements") or []
    return list(dict.fromkeys([*base, *extra]))


def write_environment(model_dir: str, requirements: Sequence[str], conda_env: dict[str, Any] | str | None = None) -> \
        dict[str, str]:
    """Write the three environment files; the `env` entry of the python_function flavor."""
    python_version = platform.python_version()
    if conda_env is not None:
        conda = _read_conda_env(conda_env)
        pip_part = next((item["pip"] for item in conda.get("dependencies", [])
                         if isinstance(item, dict) and "pip" in item), None)
        if pip_part is None:
            pip_part = conda.get("pip")  # the seed's flat form: a top-level "pip" list
        if pip_part:
            requirements = [str(line) for line in pip_part]
    else:
        conda = {"name": "tracekit-env", "channels": ["conda-forge"],
                 "dependencies": [f"python={python_version}", "pip", {"pip": list(requirements)}]}
    with open(os.path.join(model_dir, CONDA_ENV_FILE), "w", encoding="utf-8") as file:
        yaml.safe_dump(conda, file, sort_keys=False)
    with open(os.path.join(model_dir, REQUIREMENTS_FILE), "w", encoding="utf-8") as file:
        file.write("".join(f"{line}\n" for line in requirements))
    pip_version = _installed_version("pip")
    python_env = {"python": python_version,
                  "build_dependencies": [f"pip=={pip_version}" if pip_version else "pip", "setuptools", "wheel"],
                  "dependencies": [f"-r {REQUIREMENTS_FILE}"]}
    with open(os.path.join(model_dir, PYTHON_ENV_FILE), "w", encoding="utf-8") as file:
        yaml.safe_dump(python_env, file, sort_keys=False)
    return {"conda": CONDA_ENV_FILE, "virtualenv": PYTHON_ENV_FILE}


def _read_conda_env(conda_env: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(conda_env, dict):
        return conda_env
    try:
        with open(conda_env, encoding="utf-8") as file:
            loaded = yaml.safe_load(file)
    except OSError as error:
        raise TracekitException.invalid_parameter_value(f"conda_env {conda_env!r} cannot be read: {error}.") from None
    if not isinstance(loaded, dict):
        raise TracekitException.invalid_parameter_value(f"conda_env {conda_env!r} is not a YAML mapping.")
    return loaded
