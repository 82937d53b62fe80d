"""Finding and loading plugins: entry points of installed distributions, read on first use and cached.

Two shapes of group:
- named groups (a URI scheme, an auth provider's or exporter's name): `load_named(group, name)` loads the one entry
  point with that name; two distributions claiming the name is an error naming both;
- provider groups (run context, request headers): `load_all(group)` loads every entry point; one that fails to
  import is logged once, with its distribution and the error, and skipped, so a broken plugin never stops a run
  or a request.

tracekit's own stores, repositories and providers are entries of the same groups (`tracekit.plugins.built_ins`),
listed before the installed ones; an installed entry point with a built-in's name replaces it. A loaded class is
checked against its contract (the base classes' abstract methods) before it is used, and an error names the
methods it lacks.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.plugins.built_ins import BUILT_IN_DISTRIBUTION, BUILT_IN_ENTRY_POINTS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedPlugin:
    """One loaded entry point: its name, its `module:attr` value, the distribution declaring it and the object."""

    name: str
    value: str
    distribution: str
    obj: Any


_loaded_groups: dict[str, list[LoadedPlugin]] = {}
_instances: dict[str, list[Any]] = {}
_reported_failures: set[tuple[str, str, str]] = set()
_failed_providers: set[str] = set()
_warned_deprecations: set[tuple[str, str]] = set()
_listed: dict[str, tuple[tuple[tuple[str, int | None], ...], list[EntryPoint]]] = {}
_lock = threading.Lock()


def is_built_in(entry_point: EntryPoint) -> bool:
    """Whether `entry_point` is one of tracekit's own (`tracekit.plugins.built_ins`), not an installed plugin's."""
    return (getattr(entry_point, "dist", None) is None
            and BUILT_IN_ENTRY_POINTS.get(entry_point.group, {}).get(entry_point.name) == entry_point.value)


def distribution_name(entry_point: EntryPoint) -> str:
    """The name of the distribution that declares `entry_point` ("an unknown distribution" when it has none)."""
    dist = getattr(entry_point, "dist", None)
    if dist is not None:
        return str(dist.name)
    return BUILT_IN_DISTRIBUTION if is_built_in(entry_point) else "an unknown distribution"


def _path_state() -> tuple[tuple[str, int | None], ...]:
    """sys.path with each folder's modification time: installing or removing a distribution changes it."""
    state: list[tuple[str, int | None]] = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            state.append((entry, None))
    return tuple(state)


def _installed_entry_points(group: str) -> list[EntryPoint]:
    """The installed distributions' entry points of `group`, listed again only when sys.path or one of its folders
    changed (reading every distribution's metadata costs tens of milliseconds; a URI check runs it often)."""
    state = _path_state()
    cached = _listed.get(group)
    if cached is not None and cached[0] == state:
        return cached[1]
    listed = _list_entry_points(group)
    with _lock:
        _listed[group] = (state, listed)
    return listed


def _list_entry_points(group: str) -> list[EntryPoint]:
    try:
        found = entry_points(group=group)
    except Exception:  # noqa: BLE001 - one distribution's broken metadata must not break every lookup
        logger.warning("Could not list the entry points of group %s.", group, exc_info=True)
        return []
    unique: dict[tuple[str, str, str], EntryPoint] = {}
    for entry_point in found:
        unique.setdefault((entry_point.name, entry_point.value, distribution_name(entry_point)), entry_point)
    return list(unique.values())


def group_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of `group`: tracekit's built-in ones, then the installed distributions' (each once, a
    distribution seen twice on sys.path listed once); an installed one replaces a built-in of the same name."""
    installed = _installed_entry_points(group)
    taken = {entry_point.name.lower() for entry_point in installed}
    built_in = [EntryPoint(name, value, group) for name, value in BUILT_IN_ENTRY_POINTS.get(group, {}).items()
                if name.lower() not in taken]
    return [*built_in, *installed]


def missing_methods(cls: type, *contracts: type) -> list[str]:
    """The abstract methods of `contracts` that `cls` does not implement (absent, not callable, or still
    abstract), sorted; an empty list when `cls` keeps every contract."""
    missing = set()
    for contract in contracts:
        for name in getattr(contract, "__abstractmethods__", ()):
            attribute = getattr(cls, name, None)
            if attribute is None or not callable(attribute) or getattr(attribute, "__isabstractmethod__", False):
                missing.add(name)
    return sorted(missing)


def contract_text(*contracts: type) -> str:
    """How an error names contracts: `tracekit.plugins.TraceStore and tracekit.plugins.TrackingStore`."""
    return " and ".join(f"tracekit.plugins.{contract.__name__}" for contract in contracts)


def check_contract(what: str, cls: type, *contracts: type) -> None:
    """Raise TracekitException naming the methods `cls` lacks of `contracts`; `what` names the plugin in the
    message (e.g. "The tracekit.tracking_store plugin 'memo' (memo:Store, from memo-store)")."""
    missing = missing_methods(cls, *contracts)
    if missing:
        raise TracekitException.invalid_parameter_value(
            f"{what} does not implement {contract_text(*contracts)}: {cls.__module__}.{cls.__qualname__} is missing "
            f"{', '.join(missing)}. Implement them (the README's Plugins section gives each group's contract).")


def _describe(group: str, entry_point: EntryPoint) -> str:
    return (f"The {group} plugin {entry_point.name!r} ({entry_point.value}, from "
            f"{distribution_name(entry_point)})")


def report_failure_once(group: str, entry_point: EntryPoint, error: BaseException) -> None:
    """Log that `entry_point` of `group` failed, the first time only."""
    key = (group, entry_point.name, entry_point.value)
    with _lock:
        if key in _reported_failures:
            return
        _reported_failures.add(key)
    logger.error("The %s plugin %r (%s, from %s) failed to load and is skipped: %s: %s", group, entry_point.name,
                 entry_point.value, distribution_name(entry_point), type(error).__name__, error)


def load_all(group: str) -> list[LoadedPlugin]:
    """Every entry point of `group` loaded (cached after the first call); failures are logged once and skipped."""
    cached = _loaded_groups.get(group)
    if cached is not None:
        return cached
    loaded = []
    for entry_point in group_entry_points(group):
        try:
            obj = entry_point.load()
        except Exception as error:  # noqa: BLE001 - a broken plugin is reported, never raised into the user's code
            report_failure_once(group, entry_point, error)
            continue
        loaded.append(LoadedPlugin(entry_point.name, entry_point.value, distribution_name(entry_point), obj))
    with _lock:
        return _loaded_groups.setdefault(group, loaded)


def load_instances(group: str, base: type) -> list[Any]:
    """One instance of each class in `group` (built with no arguments, cached); an entry point that fails to
    import or build, or that is not a subclass of `base`, is logged once and skipped."""
    cached = _instances.get(group)
    if cached is not None:
        return cached
    instances = []
    entry_points_by_value = {(ep.name, ep.value): ep for ep in group_entry_points(group)}
    for plugin in load_all(group):
        entry_point = entry_points_by_value[(plugin.name, plugin.value)]
        try:
            if not (isinstance(plugin.obj, type) and issubclass(plugin.obj, base)):
                raise TypeError(f"{plugin.value} is not a subclass of {contract_text(base)}")
            check_contract(_describe(group, entry_point), plugin.obj, base)
            instances.append(plugin.obj())
        except Exception as error:  # noqa: BLE001 - reported, never raised into the user's code
            report_failure_once(group, entry_point, error)
    with _lock:
        return _instances.setdefault(group, instances)


def merge_provided(providers: Iterable[Any], kind: str, provide: Callable[[Any], Any]) -> dict[str, str]:
    """The dicts `provide(provider)` returns for each provider whose `in_context()` is True, merged (later ones win
    on a shared key). A provider that raises or returns something other than a dict is logged once (as a `kind`)
    and skipped."""
    merged: dict[str, str] = {}
    for provider in providers:
        try:
            if not provider.in_context():
                continue
            provided = provide(provider)
            if not isinstance(provided, dict):
                raise TypeError(f"it returned {type(provided).__name__}, not a dict")
        except Exception as error:  # noqa: BLE001 - the user's run or request goes on whatever a provider does
            name = f"{type(provider).__module__}.{type(provider).__qualname__}"
            with _lock:
                first = name not in _failed_providers
                _failed_providers.add(name)
            if first:
                logger.error("The %s %s failed and is skipped: %s: %s", kind, name, type(error).__name__, error)
            continue
        merged.update({str(key): str(value) for key, value in provided.items()})
    return merged


def duplicate_name_error(group: str, name: str, claimants: list[tuple[str, str]]) -> TracekitException:
    """The error for several plugins claiming `name` in `group`; `claimants` are (distribution, value) pairs."""
    listed = " and ".join(f"{value} (distribution {dist})" for dist, value in claimants)
    return TracekitException.invalid_parameter_value(
        f"Two plugins claim the name {name!r} in the entry-point group {group!r}: {listed}. Uninstall one of them.")


def load_named(group: str, name: str, contracts: tuple[type, ...] = ()) -> Any | None:
    """The object the entry point named `name` (case-insensitive) in `group` refers to, or None if none does.

    TracekitException if two distributions claim the name, if the plugin fails to import (naming its distribution
    and the error): the user asked for this plugin, so it cannot be skipped; or if it is a class lacking methods of
    `contracts` (naming them). A plain function is checked by its caller, on what it returns."""
    matching = [ep for ep in group_entry_points(group) if ep.name.lower() == name.lower()]
    if not matching:
        return None
    if len(matching) > 1:
        raise duplicate_name_error(group, name, [(distribution_name(ep), ep.value) for ep in matching])
    entry_point = matching[0]
    try:
        loaded = entry_point.load()
    except Exception as error:
        report_failure_once(group, entry_point, error)
        raise TracekitException.invalid_parameter_value(
            f"{_describe(group, entry_point)} failed to load: {type(error).__name__}: {error}. Reinstall or fix that "
            f"distribution.") from error
    if contracts and isinstance(loaded, type):
        check_contract(_describe(group, entry_point), loaded, *contracts)
    return loaded


def named_entry_point(group: str, name: str) -> EntryPoint | None:
    """The entry point named `name` (case-insensitive) in `group`, not loaded; None if none is (or several are:
    `load_named` says which)."""
    matching = [ep for ep in group_entry_points(group) if ep.name.lower() == name.lower()]
    return matching[0] if len(matching) == 1 else None


def warn_deprecated_group(group: str, name: str, replacement: str) -> None:
    """Warn (a FutureWarning, once per process) that the plugin `name` of `group` uses a deprecated group, naming
    its distribution and the group `replacement` to declare it in instead."""
    with _lock:
        if (group, name) in _warned_deprecations:
            return
        _warned_deprecations.add((group, name))
    entry_point = named_entry_point(group, name)
    distribution = distribution_name(entry_point) if entry_point is not None else "an unknown distribution"
    warnings.warn(
        f"The distribution {distribution!r} declares {name!r} in the entry-point group {group!r}, which is deprecated "
        f"and will be removed in the next tracekit release. Declare it in {replacement!r} instead (see the README's "
        f"Plugins section for that group's contract).", FutureWarning, stacklevel=3)


def installed_names(group: str) -> list[str]:
    """The entry-point names in `group`, built-in and installed, sorted."""
    return sorted({ep.name for ep in group_entry_points(group)})


def reset_plugin_cache() -> None:
    """Forget loaded groups and reported failures (after installing a distribution at run time, and in tests)."""
    with _lock:
        _loaded_groups.clear()
        _instances.clear()
        _failed_providers.clear()
        _reported_failures.clear()
        _warned_deprecations.clear()
        _listed.clear()
