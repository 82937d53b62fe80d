"""Deferred autolog: switch an integration on when its library is imported, not when `tracekit.autolog()` runs.

`defer(name, modules, switch_on)` remembers `switch_on` as the integration's pending call and registers, once per
integration, a wrapt post-import hook on each of `modules`. The first of them to be imported runs the pending call
then; a later `defer` for the same integration only replaces the call (so the options of the latest
`tracekit.autolog()` are the ones applied), and `cancel` forgets it (wrapt cannot unregister a hook, so the hook
stays registered and finds nothing to do). A failure in the call is reported and counted
(`tracekit.tracing.safety.internal_error_counts`) and never reaches the import that triggered it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from types import ModuleType

import wrapt

from tracekit.tracing.safety import report_internal_error

_lock = threading.Lock()
# integration -> the call that switches it on, run by the post-import hook
_pending: dict[str, Callable[[], object]] = {}
# integrations whose hooks are registered and have not fired yet
_hooked: set[str] = set()


def defer(name: str, modules: Iterable[str], switch_on: Callable[[], object]) -> None:
    """Run `switch_on` when the first of `modules` is imported (replacing any call already pending for `name`)."""
    with _lock:
        _pending[name] = switch_on
        if name in _hooked:
            return
        _hooked.add(name)
    hook = functools.partial(_on_import, name)
    for module in modules:
        wrapt.register_post_import_hook(hook, module)


def cancel(name: str) -> None:
    """Forget the call pending for `name`, if any: a later import of its library patches nothing."""
    with _lock:
        _pending.pop(name, None)


def is_pending(name: str) -> bool:
    """Whether `name` waits for its library to be imported to be switched on."""
    with _lock:
        return name in _pending


def _on_import(name: str, _module: ModuleType) -> None:
    with _lock:
        _hooked.discard(name)
        switch_on = _pending.pop(name, None)
    if switch_on is None:
        return  # cancelled, or already run by another of the integration's modules
    try:
        switch_on()
    except Exception:  # noqa: BLE001 - the user's import must succeed whatever happens while patching
        report_internal_error(f"autolog of {name} on import")

