"""How one patched library call becomes a span, with tracekit's own failures kept away from the caller.

An integration describes each kind of call with a `CallRecorder` subclass (what to record from the request, the
response and each stream chunk). `sync_wrapper` / `async_wrapper` turn it into a wrapt wrapper built on the same
wrapper body as `@trace` (`tracekit.tracing.wrapping`): it starts the span under the current span, calls the library
with the span current, records the result and ends the span; a streamed result is handed back wrapped in
`TracedStream` / `TracedAsyncStream`, which end the span when the stream is exhausted, fails or is closed.

Whatever the recorder raises is reported once (`report_internal_error`) and swallowed: the caller always gets the
library's own result or exception.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import wrapt

from tracekit.integrations._genai import FIRST_TOKEN_EVENT
from tracekit.integrations._patching import tag_trace
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.safety import report_internal_error
from tracekit.tracing.spans import start_child_of_current
from tracekit.tracing.wrapping import TracedCall, wrap

logger = logging.getLogger(__name__)

#: Wraps a streamed result so the call's span ends with the stream: (stream, recorder) -> proxy.
StreamProxy = Callable[[Any, "CallRecorder"], Any]


class CallRecorder(TracedCall):
    """Records one library call on its span. Subclasses set the class attributes and override the hooks;
    a hook may raise: the failure is reported once and the call goes on untouched."""

    integration = "integration"
    span_name = "call"
    span_type = "UNKNOWN"

    __slots__ = ("stream_proxy", "_first_token_seen", "_finished")

    def __init__(self, span: LiveSpan) -> None:
        super().__init__(span)
        #: What a streamed result is handed back in (`TracedStream` or `TracedAsyncStream`).
        self.stream_proxy: StreamProxy = TracedStream
        self._first_token_seen = False
        self._finished = False

    # --- hooks ------------------------------------------------------------------------------------------------
    @classmethod
    def span_identity(cls, instance: Any) -> tuple[str, str]:
        """(name, span type) of the call's span; by default the class attributes. Override to name the span after
        the object called (a framework's module or tool) rather than the method."""
        return cls.span_name, cls.span_type

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Record the request (inputs, model, parameters)."""

    def on_result(self, result: Any) -> None:
        """Record a complete (non-streamed) response."""

    def is_stream(self, result: Any) -> bool:
        """Whether `result` is a stream whose chunks arrive after the call returns."""
        return False

    def on_chunk(self, chunk: Any) -> bool:
        """Take one stream chunk; return True if it carried generated content (for the first-token event)."""
        return False

    def on_stream_end(self) -> None:
        """Record the response assembled from the chunks."""

    # --- lifecycle (not overridden) ---------------------------------------------------------------------------
    def _report(self, what: str) -> None:
        report_internal_error(f"{self.integration} autolog: {what}")

    def failed(self, exc: BaseException) -> None:
        """End the span as ERROR with the library's exception (which the caller re-raises)."""
        self._finished = True
        try:
            self.span.record_exception(exc)
            self.span.end()
        except Exception:  # noqa: BLE001
            self._report("ending a failed call's span")

    def returned(self, result: Any) -> Any:
        """Record `result` and end the span, or wrap a stream so the span ends with it; returns what the
        caller gets."""
        try:
            if self.is_stream(result):
                return self.stream_proxy(result, self)
        except Exception:  # noqa: BLE001
            self._report("wrapping a stream")
        else:
            try:
                self.on_result(result)
            except Exception:  # noqa: BLE001
                self._report("recording the response")
        self._end()
        return result

    def add_chunk(self, chunk: Any) -> None:
        """Feed one stream chunk to `on_chunk`; the first one with content adds the first-token event."""
        try:
            if self.on_chunk(chunk) and not self._first_token_seen:
                self._first_token_seen = True
                self.span.add_event(FIRST_TOKEN_EVENT)
        except Exception:  # noqa: BLE001
            self._report("reading a stream chunk")

    def finish_stream(self, exc: BaseException | None = None) -> None:
        """End a stream's span once: with the assembled response, and as ERROR if the stream failed."""
        if self._finished:
            return
        try:
            self.on_stream_end()
        except Exception:  # noqa: BLE001
            self._report("recording a streamed response")
        if exc is None:
            self._end()
        else:
            self.failed(exc)

    def _end(self) -> None:
        self._finished = True
        try:
            self.span.end()
        except Exception:  # noqa: BLE001
            self._report("ending a span")


def _call(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return wrapped(*args, **kwargs)


async def _call_async(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
    return await wrapped(*args, **kwargs)


def _begin(recorder_cls: type[CallRecorder], stream_proxy: StreamProxy,
           wrapt_args: tuple[Any, ...], _: dict[str, Any]) -> CallRecorder | None:
    """Start the span of one library call; wrapt passes (wrapped, instance, args, kwargs) as `wrapt_args`."""
    _wrapped, instance, args, kwargs = wrapt_args
    try:
        name, span_type = recorder_cls.span_identity(instance)
        span = start_child_of_current(name, span_type, None)
        tag_trace(recorder_cls.integration, span)
    except Exception:  # noqa: BLE001
        report_internal_error(f"{recorder_cls.integration} autolog: starting a span")
        return None
    recorder = recorder_cls(span)
    recorder.stream_proxy = stream_proxy
    try:
        recorder.on_start(instance, args, kwargs)
    except Exception:  # noqa: BLE001
        recorder._report("recording the request")
    return recorder


# The span is current while the library runs: spans it makes (its own OpenTelemetry spans, with the global provider
# joined) nest under the call's span.
def sync_wrapper(recorder_cls: type[CallRecorder]) -> Callable[..., Any]:
    """A wrapt wrapper tracing a synchronous method with `recorder_cls`."""
    return wrap(_call, functools.partial(_begin, recorder_cls, TracedStream))


def async_wrapper(recorder_cls: type[CallRecorder]) -> Callable[..., Any]:
    """A wrapt wrapper tracing a coroutine method with `recorder_cls`."""
    return wrap(_call_async, functools.partial(_begin, recorder_cls, TracedAsyncStream))


class TracedStream(wrapt.ObjectProxy):
    """A library's synchronous stream, unchanged for the caller, whose span ends when it is exhausted, fails,
    is closed, leaves its `with` block or is garbage collected."""

    def __init__(self, wrapped: Any, recorder: CallRecorder) -> None:
        super().__init__(wrapped)
        self._self_recorder = recorder

    def __iter__(self) -> TracedStream:
        return self

    def __next__(self) -> Any:
        try:
            chunk = self.__wrapped__.__next__()
        except StopIteration:
            self._self_recorder.finish_stream()
            raise
        except BaseException as exc:
            self._self_recorder.finish_stream(exc)
            raise
        self._self_recorder.add_chunk(chunk)
        return chunk

    def close(self) -> Any:
        try:
            return self.__wrapped__.close()
        finally:
            self._self_recorder.finish_stream()

    def __enter__(self) -> TracedStream:
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(*exc_info)
        finally:
            self._self_recorder.finish_stream()

    def __del__(self) -> None:
        recorder = getattr(self, "_self_recorder", None)
        if recorder is not None:
            recorder.finish_stream()


class TracedAsyncStream(wrapt.ObjectProxy):
    """The asynchronous counterpart of `TracedStream`."""

    def __init__(self, wrapped: Any, recorder: CallRecorder) -> None:
        super().__init__(wrapped)
        self._self_recorder = recorder

    def __aiter__(self) -> TracedAsyncStream:
        return self

    async def __anext__(self) -> Any:
        try:
            chunk = await self.__wrapped__.__anext__()
        except StopAsyncIteration:
            self._self_recorder.finish_stream()
            raise
        except BaseException as exc:
            self._self_recorder.finish_stream(exc)
            raise
        self._self_recorder.add_chunk(chunk)
        return chunk

    async def close(self) -> Any:
        try:
            return await self.__wrapped__.close()
        finally:
            self._self_recorder.finish_stream()

    async def __aenter__(self) -> TracedAsyncStream:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(*exc_info)
        finally:
            self._self_recorder.finish_stream()

    def __del__(self) -> None:
        recorder = getattr(self, "_self_recorder", None)
        if recorder is not None:
            recorder.finish_stream()
