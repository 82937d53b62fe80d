"""The one wrapper body behind every traced call: `@trace` functions and the autolog integrations' patches.

`TracedCall` owns the span of one call from start to end: `with call:` around each stretch of the callee's own code
(the whole call of a function or coroutine, each step of a generator) makes the span current there and, if an
exception escapes, records it and ends the span; `call.returned(result)` records the outcome and ends it. The four
drivers below differ only in how they run the callee (call, await, send, asend); none of them touches the span.
Subclasses change what is recorded (the integrations' `CallRecorder` records a request, a response or a stream).

Everything tracekit does around the callee is guarded: a failure in tracekit is reported once and the callee runs
and returns as if unwrapped.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

from tracekit.tracing.context import reset_current, set_current
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.safety import report_internal_error


class TracedCall:
    """The span of one call. Drivers use it as `with call: result = func(...)` then `call.returned(result)`; for a
    generator they keep the items it yields in `call.items`, which are its outputs (also when it fails)."""

    __slots__ = ("span", "items", "_token")

    def __init__(self, span: LiveSpan) -> None:
        self.span = span
        #: What a generator yielded so far; None for a plain call.
        self.items: list[Any] | None = None
        self._token: Any = None

    def __enter__(self) -> None:
        self._token = set_current(self.span)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        reset_current(self._token)
        if exc is not None:
            self.failed(exc)

    def returned(self, result: Any) -> Any:
        """The callee returned `result` (a generator: finished or was closed, with `self.items`): record it and end
        the span. Returns what the caller gets: `result` itself here; a subclass may hand back a proxy."""
        try:
            try:
                self.span.set_outputs(result)
            finally:  # a failed capture must not leave the span, and its trace's buffer slot, open
                self.span.end()
        except Exception:  # noqa: BLE001
            report_internal_error("ending a span of a traced function")
        return result

    def failed(self, exc: BaseException) -> None:
        """The callee raised `exc` (which propagates unchanged): end the span as ERROR, with the items a generator
        yielded before it failed as outputs."""
        try:
            try:
                if self.items is not None:
                    self.span.set_outputs(self.items)
                self.span.record_exception(exc)
            finally:
                self.span.end()
        except Exception:  # noqa: BLE001
            report_internal_error("recording an exception of a traced function")


#: Starts the span for one call from the call's arguments: a `TracedCall`, or None to run the callee untraced
#: (tracekit failed to start the span; the begin function has reported it).
Begin = Callable[[tuple[Any, ...], dict[str, Any]], TracedCall | None]


def wrap(func: Callable[..., Any], begin: Begin) -> Callable[..., Any]:
    """`func` traced: a wrapper of the same kind (function, coroutine function, generator function or async
    generator function, so `inspect` sees it as such) that calls `begin(args, kwargs)` and drives `func` through
    the `TracedCall` it returns; with tracing disabled it only checks one flag and calls `func`."""
    if inspect.isasyncgenfunction(func):
        return _wrap_async_generator_function(func, begin)
    if inspect.iscoroutinefunction(func):
        return _wrap_coroutine_function(func, begin)
    if inspect.isgeneratorfunction(func):
        return _wrap_generator_function(func, begin)
    return _wrap_function(func, begin)


def _wrap_function(func: Callable[..., Any], begin: Begin) -> Callable[..., Any]:
    @functools.wraps(func)
    def traced(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs) if RUNTIME.enabled else None
        if call is None:
            return func(*args, **kwargs)
        with call:
            result = func(*args, **kwargs)
        return call.returned(result)

    return traced


def _wrap_coroutine_function(func: Callable[..., Any], begin: Begin) -> Callable[..., Any]:
    @functools.wraps(func)
    async def traced(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs) if RUNTIME.enabled else None
        if call is None:
            return await func(*args, **kwargs)
        with call:
            result = await func(*args, **kwargs)
        return call.returned(result)

    return traced


def _wrap_generator_function(func: Callable[..., Any], begin: Begin) -> Callable[..., Any]:
    # The span is current only while the generator's own code runs, never while the consumer's code does.
    @functools.wraps(func)
    def traced(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs) if RUNTIME.enabled else None
        if call is None:
            return (yield from func(*args, **kwargs))
        with call:
            generator = func(*args, **kwargs)
        items: list[Any] = []
        call.items = items
        to_send: Any = None
        to_throw: BaseException | None = None
        while True:
            with call:
                try:
                    item = generator.throw(to_throw) if to_throw is not None else generator.send(to_send)
                except StopIteration as stop:
                    value = stop.value
                    break
            items.append(item)
            to_throw = None
            try:
                to_send = yield item
            except GeneratorExit:
                # The consumer stopped early (break, close()): the iteration it saw is the span's output.
                try:
                    generator.close()
                finally:
                    call.returned(items)
                raise
            except BaseException as exc:  # noqa: BLE001 - thrown in by the consumer: passed on to the user's generator
                to_throw = exc
        call.returned(items)
        return value

    return traced


def _wrap_async_generator_function(func: Callable[..., Any], begin: Begin) -> Callable[..., Any]:
    @functools.wraps(func)
    async def traced(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs) if RUNTIME.enabled else None
        if call is None:
            async for item in func(*args, **kwargs):
                yield item
            return
        with call:
            generator = func(*args, **kwargs)
        items: list[Any] = []
        call.items = items
        to_send: Any = None
        to_throw: BaseException | None = None
        while True:
            with call:
                try:
                    if to_throw is not None:
                        item = await generator.athrow(to_throw)
                    else:
                        item = await generator.asend(to_send)
                except StopAsyncIteration:
                    break
            items.append(item)
            to_throw = None
            try:
                to_send = yield item
            except GeneratorExit:
                try:
                    await generator.aclose()
                finally:
                    call.returned(items)
                raise
            except BaseException as exc:  # noqa: BLE001 - thrown in by the consumer: passed on to the user's generator
                to_throw = exc
        call.returned(items)

    return traced
