"""Patching for the autolog integrations: wrapt wrappers that can be removed again, and library version checks.

Each integration owns one `PatchSet`. `apply` wraps methods with `wrapt.wrap_function_wrapper` and keeps the
originals; `remove` puts them back. A wrapper that something else has since wrapped over cannot be taken out
without removing that other patch too, so it stays in place and passes calls straight through instead.

`switch_autolog` is the body every integration's `autolog()` shares: it turns the patches on or off and carries the
common options, `silent` (no log records or warnings from tracekit while it sets up) and `extra_tags` (trace tags for
the traces the integration's calls start).
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.metadata
import importlib.util
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import wrapt

from tracekit import serialization
from tracekit.entities.ids import parse_trace_id
from tracekit.exceptions import TracekitException
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.runtime import RUNTIME

logger = logging.getLogger(__name__)

_silent: contextvars.ContextVar[bool] = contextvars.ContextVar("tracekit_autolog_silent", default=False)
# integration name -> the tags its autolog() was given, added to every trace one of its calls starts
_extra_tags: dict[str, dict[str, str]] = {}

#: wrapt's wrapper signature: (wrapped, instance, args, kwargs) -> result.
Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


@dataclass
class PatchTarget:
    """One function to wrap: `attribute` of the class `owner` found in `module` (an importable dotted name), or
    with `owner` None, the module-level function `attribute` (used through the module's globals). `owner` may also
    be the class itself (for classes found at run time, such as a library's subclasses); `module` then only names
    it in log records."""

    module: str
    owner: str | type | None
    attribute: str
    wrapper: Wrapper


@dataclass
class _AppliedPatch:
    parent: Any
    attribute: str
    original: Any
    defined_here: bool
    installed: Any


class PatchSet:
    """The patches of one integration, applied and removed together; both operations are idempotent."""

    def __init__(self, integration: str, needs_tracing: bool = True) -> None:
        self.integration = integration
        #: Whether the patches record only while tracing is enabled (GenAI calls make traces; a training run
        #: logged by an ML framework integration does not depend on tracing).
        self.needs_tracing = needs_tracing
        self._applied: list[_AppliedPatch] = []
        self._active = False

    @property
    def active(self) -> bool:
        """Whether the patches are applied and recording."""
        return self._active

    def apply(self, targets: Iterable[PatchTarget]) -> int:
        """Wrap every target that exists in the installed library version; returns how many were wrapped."""
        if self._active:
            return len(self._applied)
        self._wrap(targets)
        self._active = True
        return len(self._applied)

    def extend(self, targets: Iterable[PatchTarget]) -> None:
        """Wrap more targets while the patches are on (classes a library defines after `apply`); removed with
        the rest. Does nothing while the patches are off."""
        if self._active:
            self._wrap(targets)

    def _wrap(self, targets: Iterable[PatchTarget]) -> None:
        for target in targets:
            try:
                owner: Any = target.owner
                if not isinstance(owner, type):
                    name = owner
                    owner = importlib.import_module(target.module)
                    if name is not None:
                        owner = getattr(owner, name)
                parent, attribute, original = wrapt.resolve_path(owner, target.attribute)
            except (ImportError, AttributeError):  # wrapt 2 raises subclasses of these
                _log(logging.DEBUG, "tracekit %s autolog: %s.%s.%s not found in this version; not traced",
                     self.integration, target.module, target.owner, target.attribute)
                continue
            defined_here = target.attribute in vars(owner)
            installed = wrapt.wrap_function_wrapper(owner, target.attribute, self._guard(target.wrapper))
            self._applied.append(_AppliedPatch(parent, attribute, original, defined_here, installed))

    def remove(self) -> None:
        """Restore the original methods (or, where another patch sits on top of ours, stop recording)."""
        self._active = False
        for patch in reversed(self._applied):
            if vars(patch.parent).get(patch.attribute) is not patch.installed:
                continue  # someone wrapped over us: leave both in place, our guard now passes calls through
            if patch.defined_here:
                setattr(patch.parent, patch.attribute, patch.original)
            else:
                delattr(patch.parent, patch.attribute)
        self._applied.clear()

    def _guard(self, wrapper: Wrapper) -> Wrapper:
        def guarded(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
            if not self._active or (self.needs_tracing and not RUNTIME.enabled):
                return wrapped(*args, **kwargs)
            return wrapper(wrapped, instance, args, kwargs)

        return guarded


def _version_tuple(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split(".")[:3]:
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
    return tuple(numbers)


# Distributions installing the same module under another name: XGBoost's CPU-only wheel (a few MB instead of the
# CUDA build's hundreds).
_SAME_MODULE_DISTRIBUTIONS = {"xgboost": ("xgboost-cpu",)}


def installed_version(distribution: str) -> str | None:
    """The installed version of a distribution (or of one installing the same module), or None if none is
    installed."""
    for name in (distribution, *_SAME_MODULE_DISTRIBUTIONS.get(distribution, ())):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def is_installed(module: str, distribution: str) -> bool:
    """Whether the library is installed (quietly: no warning), without importing anything: for a dotted `module`
    only its top-level package is looked up (finding `lightning.pytorch` would import all of `lightning`)."""
    return (installed_version(distribution) is not None
            and importlib.util.find_spec(module.partition(".")[0]) is not None)


def check_library(integration: str, module: str, distribution: str, minimum: tuple[int, ...]) -> bool:
    """Whether `module` imports and `distribution` is at least `minimum`; if not, warn and say why."""
    version = installed_version(distribution)
    try:
        importlib.import_module(module)
    except ImportError:
        version = None
    if version is None:
        _log(logging.WARNING,
             "tracekit %s autolog is off: the %r package is not installed (pip install 'tracekit[%s]').",
             integration, distribution, integration)
        return False
    return _recent_enough(integration, distribution, version, minimum)


def version_supported(integration: str, distribution: str, minimum: tuple[int, ...], silent: bool) -> bool:
    """Whether the installed `distribution` is at least `minimum` (read from its metadata: nothing is imported);
    if not, warn (unless `silent`) and say why."""
    token = _silent.set(silent)
    try:
        return _recent_enough(integration, distribution, installed_version(distribution) or "0", minimum)
    finally:
        _silent.reset(token)


def _recent_enough(integration: str, distribution: str, version: str, minimum: tuple[int, ...]) -> bool:
    if _version_tuple(version) < minimum:
        required = ".".join(str(number) for number in minimum)
        _log(logging.WARNING, "tracekit %s autolog is off: %s %s is installed, %s>=%s is supported; upgrade it.",
             integration, distribution, version, distribution, required)
        return False
    return True


def check_extra_tags(extra_tags: Any) -> None:
    """Raise a `TracekitException` unless `extra_tags` is None or a mapping."""
    if extra_tags is not None and not isinstance(extra_tags, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"extra_tags must be a dict of tag names to values, got {type(extra_tags).__name__}: {extra_tags!r}.")


@contextmanager
def autolog_setup(integration: str, silent: bool, extra_tags: Mapping[str, Any] | None) -> Iterator[None]:
    """The body of an integration's `autolog()`: records its `extra_tags`, and with `silent` keeps tracekit's
    log records and any warning the library raises on import out of the way until setup is done."""
    check_extra_tags(extra_tags)
    _extra_tags[integration] = serialization.safe_str_map(extra_tags) if extra_tags else {}
    token = _silent.set(silent)
    try:
        with warnings.catch_warnings():
            if silent:
                warnings.simplefilter("ignore")
            yield
    finally:
        _silent.reset(token)


@dataclass(frozen=True)
class Library:
    """What an integration patches: its name, the module to import, the distribution and its minimum version."""

    integration: str
    module: str
    distribution: str
    minimum_version: tuple[int, ...]


def switch_autolog(patches: PatchSet, library: Library, targets: Callable[[], Iterable[PatchTarget]], *,
                   disable: bool, silent: bool, log_traces: bool, extra_tags: Mapping[str, Any] | None) -> None:
    """Turn an integration's patches off (`disable`, or `log_traces=False`) or on (`targets()` is called only when
    the library is installed and recent enough, and the patches are not on yet); see `autolog_setup`."""
    with autolog_setup(library.integration, silent, extra_tags):
        if disable or not log_traces:
            patches.remove()
            return
        if patches.active or not check_library(library.integration, library.module, library.distribution,
                                               library.minimum_version):
            return
        patches.apply(targets())


def tag_trace(integration: str, span: LiveSpan) -> None:
    """Add the integration's `extra_tags` to the trace `span` belongs to, if the span started that trace."""
    tags = _extra_tags.get(integration)
    if not tags or not span.recording or span.parent_id is not None:
        return
    entry = RUNTIME.buffer.get(parse_trace_id(span.trace_id))
    if entry is not None:
        entry.tags.update(tags)


def _log(level: int, message: str, *args: Any) -> None:
    if not _silent.get():
        logger.log(level, message, *args)
