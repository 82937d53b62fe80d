"""The class of a model saved in its library's native format, recorded by name in the MLmodel file and resolved back
only among that library's own classes, so a tampered MLmodel cannot make loading import or call anything else.

>>> library_class_path(XGBClassifier(), "xgboost", (xgboost.Booster, xgboost.XGBModel))
'xgboost.sklearn.XGBClassifier'
"""

from __future__ import annotations

import importlib
import logging
import re
from typing import Any

from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def library_class_path(model: Any, package: str, bases: tuple[type, ...]) -> str:
    """`module.Class` of the nearest class of `model` that `package` defines and that derives from one of `bases`.
    A subclass from your own code is saved as that library class (with a warning): its own methods are not
    kept, since loading never imports code from outside the library."""
    for klass in type(model).__mro__:
        if _in_package(klass.__module__, package) and issubclass(klass, bases):
            if klass is not type(model):
                logger.warning("%s.%s is saved as its %s base class %s.%s: methods it adds are not saved.",
                               type(model).__module__, type(model).__qualname__, package, klass.__module__,
                               klass.__qualname__)
            return f"{klass.__module__}.{klass.__qualname__}"
    raise TracekitException.invalid_parameter_value(
        f"A {type(model).__module__}.{type(model).__qualname__} is not a {package} model: expected an instance of "
        f"{', '.join(f'{base.__module__}.{base.__qualname__}' for base in bases)}.")


def resolve_library_class(path: Any, package: str, bases: tuple[type, ...], where: str) -> type:
    """The class named `path` (as `library_class_path` wrote it), if `package` defines it and it derives from one
    of `bases`; TracekitException naming `where` (the MLmodel file) otherwise, before anything outside `package` is
    imported."""
    if not isinstance(path, str) or not _DOTTED_NAME.match(path):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the model class {path!r} is not a dotted class name such as '{package}.sklearn.Model'.")
    module_name, _, class_name = path.rpartition(".")
    if not _in_package(module_name, package):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the model class {path!r} is not one of {package}'s; refusing to load it (only {package} "
            f"classes are loaded from a {package} model).")
    try:
        klass = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise TracekitException.invalid_parameter_value(
            f"{where}: the model class {path!r} does not exist in the installed {package} ({error}).") from error
    if not isinstance(klass, type) or not issubclass(klass, bases):
        raise TracekitException.invalid_parameter_value(
            f"{where}: {path!r} is not a {package} model class; refusing to load it.")
    return klass
