"""Checks of what users pass to the registry: model names, version numbers, aliases and stages. Each failure is a
TracekitException naming the value, what is valid and what to do, raised before anything is stored."""

from __future__ import annotations

import re
from typing import Any

from tracekit.registry.entities import ModelVersionStage
from tracekit.store.column_limits import KEY_LENGTH, NAME_LENGTH
from tracekit.validation import invalid

# "/" and "@" separate a name from its version or alias in `models:/<name>/<version>` and `models:/<name>@<alias>`.
_NAME_FORBIDDEN = re.compile(r"[/@\x00-\x1f]")
_ALIAS_RE = re.compile(r"[A-Za-z0-9_\-]+")
# Aliases that `models:/<name>@<alias>` could not tell from a version: `latest`, `v3`, `3`.
_VERSION_LIKE_ALIAS = re.compile(r"(?i:latest|v?\d+)")


def check_model_name(name: Any) -> str:
    """A registered model name: 1 to NAME_LENGTH characters, without `/`, `@` or control characters."""
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"Registered model name must be a non-empty string, got {name!r}.")
    if len(name) > NAME_LENGTH:
        raise invalid(f"Registered model name must be at most {NAME_LENGTH} characters long, got {len(name)}.")
    bad = _NAME_FORBIDDEN.search(name)
    if bad is not None:
        raise invalid(f"Registered model name {name!r} contains {bad.group()!r}, which model URIs "
                      f"(models:/<name>/<version>, models:/<name>@<alias>) use as a separator; choose a name "
                      f"without '/', '@' or control characters.")
    return name


def check_version(version: Any, name: str | None = None) -> int:
    """A version number (an int, or its text as in a URI): a positive integer."""
    where = f" of registered model {name!r}" if name else ""
    if isinstance(version, bool):
        number = None
    elif isinstance(version, int):
        number = version
    elif isinstance(version, str) and version.strip().isdigit():
        number = int(version)
    else:
        number = None
    if number is None or number < 1 or number > 2**31 - 1:
        raise invalid(f"Invalid version {version!r}{where}: versions are positive integers (1, 2, ...).")
    return number


def check_alias(alias: Any) -> str:
    """An alias: letters, digits, `_` and `-`, at most KEY_LENGTH long, and not one that reads as a version."""
    if not isinstance(alias, str) or not _ALIAS_RE.fullmatch(alias) or len(alias) > KEY_LENGTH:
        raise invalid(f"Invalid alias {alias!r}: use 1 to {KEY_LENGTH} letters, digits, '_' or '-' "
                      f"(e.g. 'champion').")
    if _VERSION_LIKE_ALIAS.fullmatch(alias):
        raise invalid(f"Invalid alias {alias!r}: it reads as a version in models:/<name>@{alias} ('latest', "
                      f"'v3' and '3' are reserved). Choose a word such as 'champion' or 'challenger'.")
    return alias


def check_stage(stage: Any) -> str:
    """A stage name in any case ("production") as its canonical spelling ("Production")."""
    by_lower = {known.lower(): known for known in ModelVersionStage.ALL}
    canonical = by_lower.get(stage.strip().lower()) if isinstance(stage, str) else None
    if canonical is None:
        raise invalid(f"Invalid stage {stage!r}: valid stages are {', '.join(ModelVersionStage.ALL)} (any case).")
    return canonical
