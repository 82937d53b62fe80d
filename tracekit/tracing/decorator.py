"""`@trace`: one span per call of a function, coroutine, generator or async generator.

The hot path is kept short on purpose: one flag check when tracing is disabled; otherwise a span start, one JSON
encoding each for inputs and outputs, and a span end. The wrapper itself is `tracing.wrapping`'s, shared with the
autolog integrations; this module decides the span's name and type and binds the arguments to parameter names.
Everything tracekit does around the call is guarded, so a failure in tracekit logs once and the user's function runs
and returns as if undecorated.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from tracekit.tracing.safety import report_internal_error
from tracekit.tracing.spans import start_child_of_current
from tracekit.tracing.wrapping import TracedCall, wrap

F = TypeVar("F", bound=Callable[..., Any])

_SKIPPED_FIRST_PARAMETERS = ("self", "cls")


class _InputBinder:
    """Maps a call's arguments to parameter names, with defaults applied, faster than `Signature.bind`."""

    __slots__ = ("_signature", "_names", "_defaults", "_simple", "_skip_first", "_var_keyword")

    def __init__(self, func: Callable[..., Any]) -> None:
        try:
            self._signature: inspect.Signature | None = inspect.signature(func)
        except (TypeError, ValueError):  # builtins without a signature
            self._signature = None
            self._names: tuple[str, ...] = ()
            self._defaults: dict[str, Any] = {}
            self._simple = False
            self._skip_first = False
            self._var_keyword = None
            return
        parameters = list(self._signature.parameters.values())
        self._names = tuple(p.name for p in parameters)
        self._defaults = {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
        self._simple = all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
        self._skip_first = bool(parameters) and parameters[0].name in _SKIPPED_FIRST_PARAMETERS
        self._var_keyword = next((p.name for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD), None)

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs by parameter name; `self`/`cls` left out; arguments that don't fit are kept as args/kwargs."""
        inputs = self._bind_simple(args, kwargs) if self._simple else None
        if inputs is None:
            inputs = self._bind_general(args, kwargs)
        if self._skip_first and inputs:
            inputs.pop(self._names[0], None)
        return inputs

    def _bind_simple(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
        names = self._names
        if len(args) > len(names):
            return None
        inputs = dict(zip(names, args, strict=False))
        if kwargs:
            for key, value in kwargs.items():
                if key in inputs or key not in names:
                    return None
                inputs[key] = value
        if len(inputs) < len(names):
            for name in names:
                if name not in inputs:
                    if name not in self._defaults:
                        return None
                    inputs[name] = self._defaults[name]
            if kwargs:  # keep the parameters' order
                inputs = {name: inputs[name] for name in names}
        return inputs

    def _bind_general(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        if self._signature is not None:
            try:
                bound = self._signature.bind(*args, **kwargs)
            except TypeError:
                pass  # the call itself will raise the user's TypeError
            else:
                bound.apply_defaults()
                inputs = dict(bound.arguments)
                if self._var_keyword is not None:
                    inputs.update(inputs.pop(self._var_keyword, None) or {})
                return inputs
        return {"args": list(args), "kwargs": dict(kwargs)}


class _SpanSpec:
    """What every call of one decorated function shares: span name, type, static attributes, input binder."""

    __slots__ = ("name", "span_type", "attributes", "binder")

    def __init__(self, func: Callable[..., Any], name: str | None, span_type: str,
                 attributes: Mapping[str, Any] | None) -> None:
        self.name = name or getattr(func, "__name__", None) or type(func).__name__
        self.span_type = getattr(span_type, "value", span_type)
        self.attributes = dict(attributes) if attributes else None
        self.binder = _InputBinder(func)

    def begin(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> TracedCall | None:
        """Start the call's span and record its inputs; None (and one log line) if tracekit itself fails."""
        try:
            span = start_child_of_current(self.name, self.span_type, self.attributes)
        except Exception:  # noqa: BLE001
            report_internal_error("starting a span for a traced function")
            return None
        if span.recording:
            try:
                span.set_inputs(self.binder.bind(args, kwargs))
            except Exception:  # noqa: BLE001 - the span still ends with its call, so the trace is not left behind
                report_internal_error("recording the inputs of a traced function")
        return TracedCall(span)


def _wrap(func: Callable[..., Any], name: str | None, span_type: str,
          attributes: Mapping[str, Any] | None) -> Callable[..., Any]:
    if isinstance(func, (staticmethod, classmethod)):
        return type(func)(_wrap(func.__func__, name, span_type, attributes))
    if not callable(func):
        raise TypeError(f"tracekit.trace expects a function, method or other callable, but got "
                        f"{type(func).__name__} {func!r}.")
    return wrap(func, _SpanSpec(func, name, span_type, attributes).begin)


@overload
def trace(func: F, *, name: str | None = None, span_type: str = "UNKNOWN",
          attributes: Mapping[str, Any] | None = None) -> F: ...


@overload
def trace(func: None = None, *, name: str | None = None, span_type: str = "UNKNOWN",
          attributes: Mapping[str, Any] | None = None) -> Callable[[F], F]: ...


def trace(func: Callable[..., Any] | None = None, *, name: str | None = None, span_type: str = "UNKNOWN",
          attributes: Mapping[str, Any] | None = None) -> Any:
    """Record a span for every call of `func`: its arguments by name as inputs, its return value as outputs.

    Works on functions, methods (`self`/`cls` are left out of the inputs), staticmethods, classmethods, `async def`
    functions, generators and async generators (the span covers the whole iteration; its outputs are the items
    yielded). An exception sets the span's status to ERROR, records an `exception` event and propagates unchanged.

    >>> @tracekit.trace
    ... def add(a, b=1):
    ...     return a + b
    >>> @tracekit.trace(name="retrieve", span_type=tracekit.SpanType.RETRIEVER, attributes={"k": 5})
    ... def search(query): ...
    >>> traced_factorial = tracekit.trace(math.factorial)   # a function you don't own
    """
    if func is None:
        return lambda f: _wrap(f, name, span_type, attributes)
    return _wrap(func, name, span_type, attributes)
