"""Which tracekit span is current, per thread and per asyncio task, and how to carry it into another thread.

tracekit keeps its own context variable instead of OpenTelemetry's current-span slot, so an application's own
OpenTelemetry spans and tracekit's never adopt each other by accident. With `tracekit.configure(
use_global_tracer_provider=True)` the two are joined: making a tracekit span current also makes it OpenTelemetry's
current span (so instrumentation packages start their spans under it), and new tracekit spans take OpenTelemetry's
current span, which may be an instrumentation span, as their parent.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api

if TYPE_CHECKING:
    from tracekit.tracing.live_span import LiveSpan

R = TypeVar("R")

current_span: contextvars.ContextVar[LiveSpan | None] = contextvars.ContextVar("tracekit_current_span",
                                                                               default=None)
#: Inside `continue_trace(headers)`: the caller's span (from another process) that new root spans hang under.
remote_parent: contextvars.ContextVar[otel_context.Context | None] = contextvars.ContextVar(
    "tracekit_remote_parent", default=None)

#: True while tracekit shares OpenTelemetry's current-span context (see the module docstring).
otel_joined = False


def use_otel_context(joined: bool) -> None:
    """Share (True) or keep apart from (False) OpenTelemetry's current-span context from now on."""
    global otel_joined
    otel_joined = joined


def set_current(span: LiveSpan) -> Any:
    """Make `span` current; returns the token `reset_current` takes."""
    token = current_span.set(span)
    if otel_joined:
        return token, otel_context.attach(trace_api.set_span_in_context(span.otel_span))
    return token


def reset_current(token: Any) -> None:
    """Undo the `set_current` that returned `token`."""
    if type(token) is tuple:  # set while joined to OpenTelemetry's context (even if no longer joined now)
        span_token, otel_token = token
        otel_context.detach(otel_token)
        current_span.reset(span_token)
    else:
        current_span.reset(token)


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
