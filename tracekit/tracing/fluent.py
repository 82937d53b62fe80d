"""The context-bound tracing API: `start_span`, the current span and trace, `get_trace`, `add_trace`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Literal

from tracekit import serialization
from tracekit.entities import Span, Trace, TraceState
from tracekit.entities.ids import format_span_id, parse_trace_id
from tracekit.exceptions import TracekitException
from tracekit.tracing.context import current_span, reset_current, set_current
from tracekit.tracing.live_span import LiveSpan, NoOpSpan
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.safety import report_internal_error
from tracekit.tracing.spans import start_child_of_current, start_live_span

logger = logging.getLogger(__name__)

_NOOP_SPAN = NoOpSpan()


class start_span:  # noqa: N801 - a context manager class used like a function, as in MLflow
    """Start a span as the current span for the `with` block; it ends when the block exits.

    Used at the top level it starts a new trace (its root span); inside another span it becomes that span's
    child. An exception leaving the block sets the status to ERROR, records an `exception` event and propagates.

    >>> with tracekit.start_span("predict", span_type=tracekit.SpanType.CHAIN) as span:
    ...     span.set_inputs({"question": question})
    ...     answer = model(question)
    ...     span.set_outputs(answer)
    """

    __slots__ = ("_name", "_span_type", "_attributes", "_span", "_token")

    def __init__(self, name: str = "span", span_type: str | None = "UNKNOWN",
                 attributes: Mapping[str, Any] | None = None) -> None:
        self._name = name
        self._span_type = span_type or "UNKNOWN"
        self._attributes = attributes
        self._span: LiveSpan | None = None
        self._token = None

    def __enter__(self) -> LiveSpan:
        if not RUNTIME.enabled:
            return _NOOP_SPAN  # type: ignore[return-value]
        try:
            self._span = start_child_of_current(self._name, self._span_type, self._attributes)
        except Exception:  # noqa: BLE001
            report_internal_error("starting a span")
            return _NOOP_SPAN  # type: ignore[return-value]
        self._token = set_current(self._span)
        return self._span

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        span = self._span
        if span is None:
            return False
        reset_current(self._token)
        try:
            if exc is not None:
                span.record_exception(exc)
            span.end()
        except Exception:  # noqa: BLE001
            report_internal_error("ending a span")
        return False


def get_current_active_span() -> LiveSpan | None:
    """The span current in this context (from `@trace` or `start_span`), or None."""
    return current_span.get()


def get_active_trace_id() -> str | None:
    """The id of the trace the current span belongs to, or None outside a trace (or in one sampling dropped)."""
    span = current_span.get()
    return None if span is None or not span.recording else span.trace_id


def update_current_trace(tags: Mapping[str, Any] | None = None, metadata: Mapping[str, Any] | None = None,
                         client_request_id: str | None = None) -> None:
    """Add tags and metadata to the trace being recorded; raises `TracekitException` outside a trace.

    >>> @tracekit.trace
    ... def handle(request):
    ...     tracekit.update_current_trace(tags={"user": request.user}, client_request_id=request.id)
    """
    span = current_span.get()
    if span is None:
        if not RUNTIME.enabled:
            return
        raise TracekitException.invalid_state(
            "update_current_trace() was called outside a trace: call it inside a function "
            "decorated with @tracekit.trace or inside a `with tracekit.start_span(...)` block.")
    if not span.recording:
        return  # the trace was sampled out: nothing of it is kept
    if not _update_running_trace(span, tags and serialization.safe_str_map(tags),
                                 metadata and serialization.safe_str_map(metadata),
                                 None if client_request_id is None else serialization.safe_str(client_request_id)):
        raise TracekitException.invalid_state(f"Trace {span.trace_id} is no longer being recorded; use "
                                              "TracekitClient().set_trace_tag() to tag a finished trace.")


def add_checked_trace_tags(span: LiveSpan, tags: Mapping[str, str]) -> None:
    """Add `tags`, already made `{str: str}` safe to store by `serialization.safe_str_map`, to the running trace of
    `span` (a recording span): for a caller tagging every trace alike (the scoring server), which checks its tags
    once instead of on every trace as `update_current_trace` must."""
    # False: the buffer already pushed the trace out, counted and logged
    _update_running_trace(span, tags)


def _update_running_trace(span: LiveSpan, tags: Mapping[str, str] | None, metadata: Mapping[str, str] | None = None,
                          client_request_id: str | None = None) -> bool:
    """Add tags and metadata, already safe to store, to the running trace of the recording `span`; False when the
    trace is no longer in the buffer."""
    entry = RUNTIME.buffer.get(span.otel_span.get_span_context().trace_id)  # the buffer's key, with no round trip
    if entry is None:
        return False
    if tags:
        entry.tags.update(tags)
    if metadata:
        entry.metadata.update(metadata)
    if client_request_id is not None:
        entry.client_request_id = client_request_id
    return True


def get_trace(trace_id: str) -> Trace | None:
    """The trace with that id: from memory while it is running, else from where traces are exported (after
    delivering anything still queued, so a trace is found as soon as its root span has ended); None if unknown."""
    from tracekit.tracing.reader import TraceReader

    return TraceReader().get_trace(trace_id)


def get_last_active_trace_id() -> str | None:
    """The id of the last trace that completed in this process, or None."""
    last = RUNTIME.last_trace
    if last is None:
        return None
    return last.info.trace_id if isinstance(last, Trace) else last.trace_id


def get_last_active_trace() -> Trace | None:
    """A copy of the last trace that completed in this process, or None; editing it changes nothing stored."""
    last = RUNTIME.last_trace
    if last is None:
        return None
    return Trace.from_dict(last.to_dict()) if isinstance(last, Trace) else last.build_trace()


def flush_trace_async_logging(terminate: bool = False, timeout: float | None = None) -> None:
    """Wait until every completed trace was delivered (or spilled); `terminate=True` also stops the worker."""
    if terminate:
        RUNTIME.queue.shutdown(timeout or 30.0)
    elif not RUNTIME.queue.flush(timeout):
        logger.warning("flush_trace_async_logging timed out after %s s with %d trace(s) pending",
                       timeout, RUNTIME.queue.pending())


def add_trace(trace: Trace | dict[str, Any], target: LiveSpan | None = None) -> None:
    """Merge a completed trace (say, returned by another service) under `target`, the current span, or, with
    neither, a new root span named "Remote Trace <trace id>". The spans get new ids in the receiving trace.

    >>> with tracekit.start_span("call_service"):
    ...     response = requests.post(url, json=payload).json()
    ...     tracekit.add_trace(response["trace"])
    """
    if not RUNTIME.enabled:
        return
    if isinstance(trace, dict):
        try:
            trace = Trace.from_dict(trace)
        except (KeyError, TypeError, ValueError) as exc:
            raise TracekitException.invalid_parameter_value(
                f"add_trace() could not read the trace dict: missing or invalid {exc}.") from None
    if not isinstance(trace, Trace):
        raise TracekitException.invalid_parameter_value(
            f"add_trace() expects a Trace or its dict form, got {type(trace).__name__}.")
    unfinished = [span.name for span in trace.data.spans if span.end_time_ns is None]
    if trace.info.state == TraceState.IN_PROGRESS or unfinished:
        raise TracekitException.invalid_parameter_value(
            f"add_trace() takes completed traces only; trace {trace.info.trace_id} has "
            f"unfinished spans {unfinished[:5]}.")
    if not trace.data.spans:
        raise TracekitException.invalid_parameter_value(f"add_trace(): trace {trace.info.trace_id} has no spans.")
    parent = target if target is not None else current_span.get()
    if parent is not None and not parent.recording:
        return  # merging into a trace that sampling dropped: dropped with it
    if parent is not None:
        _merge_under(trace, parent)
        return
    root = trace.data.root_span or trace.data.spans[0]
    holder = start_live_span(f"Remote Trace <{trace.info.trace_id}>", "UNKNOWN", None, None,
                             start_time_ns=root.start_time_ns)
    if not holder.recording:
        return
    _merge_under(trace, holder)
    holder.end(end_time_ns=root.end_time_ns)


def _merge_under(trace: Trace, parent: LiveSpan) -> None:
    new_ids = {span.span_id: format_span_id(RUNTIME.provider.id_generator.generate_span_id())
               for span in trace.data.spans}
    merged = []
    for span in trace.data.spans:
        data = span.to_dict()
        data["trace_id"] = parent.trace_id
        data["span_id"] = new_ids[span.span_id]
        data["parent_id"] = new_ids.get(span.parent_id) if span.parent_id in new_ids else parent.span_id
        merged.append(Span.from_dict(data))
    if not RUNTIME.buffer.add_spans(parse_trace_id(parent.trace_id), merged):
        raise TracekitException.invalid_state(
            f"add_trace(): the target span's trace {parent.trace_id} has already ended; "
            "merge into a span that is still running.")
