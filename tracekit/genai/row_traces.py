"""The trace each evaluated row's scores are logged on: the trace of the row's `predict_fn` call (a root span around
it, whether or not predict_fn is traced itself), a trace recording the row's inputs and outputs when it came without
one, or the stored trace it came with."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tracekit.entities import SpanType, Trace
from tracekit.tracing.fluent import (
    get_active_trace_id,
    get_last_active_trace,
    get_trace,
    start_span,
    update_current_trace,
)
from tracekit.tracking import state

logger = logging.getLogger(__name__)

#: The name of the root span of a trace made for a row that came with neither a trace nor a predict_fn.
ROW_SPAN_NAME = "evaluation_row"


@dataclass
class RowTrace:
    """What running one row produced: its trace id (None when tracing is disabled), outputs, and the exception
    predict_fn raised, if it did."""

    trace_id: str | None
    outputs: Any = None
    error: BaseException | None = None


@contextmanager
def _linked_to_model(model_id: str | None) -> Iterator[None]:
    token = state.set_predicting_model_id(model_id) if model_id else None
    try:
        yield
    finally:
        if token is not None:
            state.reset_predicting_model_id(token)


def _tag_current_trace(tags: Mapping[str, str]) -> str | None:
    trace_id = get_active_trace_id()
    if trace_id is not None:
        update_current_trace(tags=tags)
    return trace_id


def predict_row(predict_fn: Callable[..., Any], inputs: dict[str, Any], tags: Mapping[str, str],
                model_id: str | None) -> RowTrace:
    """Call `predict_fn(**inputs)` under a new root span (named after predict_fn, linked to the active run and to
    `model_id`); an exception it raises is recorded on the span and returned, not raised."""
    name = getattr(predict_fn, "__name__", None) or type(predict_fn).__name__
    result = RowTrace(trace_id=None)
    with _linked_to_model(model_id):
        try:
            with start_span(name=name, span_type=SpanType.CHAIN) as span:
                span.set_inputs(inputs)
                result.trace_id = _tag_current_trace(tags)
                result.outputs = predict_fn(**inputs)
                span.set_outputs(result.outputs)
        except Exception as exc:  # noqa: BLE001 - one failing row is reported, the evaluation goes on
            result.error = exc
    return result


def record_row(inputs: Any, outputs: Any, tags: Mapping[str, str], model_id: str | None) -> RowTrace:
    """A new trace holding only the row's inputs and outputs, so that its scores have a trace to live on."""
    with _linked_to_model(model_id), start_span(name=ROW_SPAN_NAME, span_type=SpanType.CHAIN) as span:
        span.set_inputs(inputs)
        span.set_outputs(outputs)
        trace_id = _tag_current_trace(tags)
    return RowTrace(trace_id=trace_id, outputs=outputs)


def completed_trace(trace_id: str) -> Trace | None:
    """The trace that just completed in this process (from memory when it is the last one), else the stored one."""
    last = get_last_active_trace()
    if last is not None and last.info.trace_id == trace_id:
        return last
    return get_trace(trace_id)
