"""Which tracekit span is current, per thread and per asyncio task, and how to carry it into another thread.

tracekit keeps its own context variable instead of OpenTelemetry's current-span slot, so an application's own
OpenTelemetry spans and tracekit's never adopt each other by accident (see `tracekit.configure` for joining them).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tracekit.tracing.live_span import LiveSpan

R = TypeVar("R")

current_span: contextvars.ContextVar[LiveSpan | None] = contextvars.ContextVar("tracekit_current_span",
                                                                               default=None)


def with_current_context(func: Callable[..., R]) -> Callable[..., R]:
    """Wrap `func` so that, run in another thread, its spans become children of the span current now.

    Call it where the work is handed off, not inside the thread:

    >>> with tracekit.start_span("fan_out"):
    ...     futures = [pool.submit(tracekit.tracing.with_current_context(work), item) for item in items]
    ...     results = [f.result() for f in futures]

    The parent span should stay open until the thread's spans end (wait for the futures inside it); spans that end
    after their trace was exported are counted in `tracekit.tracing.stats().late_spans` and logged.
    """
    context = contextvars.copy_context()

    @functools.wraps(func)
    def run_in_context(*args: Any, **kwargs: Any) -> R:
        # A fresh copy per call: the same wrapped function may run in several threads at once.
        return context.copy().run(func, *args, **kwargs)

    return run_in_context
