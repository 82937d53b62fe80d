"""Merging copies of one trace in memory: spans that arrive in several parts (OTLP ingest sends spans as they end;
services each export their part of a distributed trace) are added to what is stored instead of replacing it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

from tracekit.entities.token_usage import record_token_usage
from tracekit.entities.trace import Trace, TraceData, span_order, top_span


def merge_trace(stored: Trace, incoming: Trace) -> Trace:
    """`stored` with the spans of `incoming` added (a span id present in both takes the incoming copy) and the
    tags and metadata of both (incoming wins on equal keys). The trace-level fields (experiment, times, state,
    previews, client request id) come from whichever copy holds the merged trace's top span, since each copy's
    fields were derived from its own top span."""
    by_id = {span.span_id: span for span in stored.data.spans}
    incoming_ids = {span.span_id for span in incoming.data.spans}
    by_id.update((span.span_id, span) for span in incoming.data.spans)
    spans = list(by_id.values())
    head = top_span(spans)
    owner = incoming if head is None or head.span_id in incoming_ids or not stored.data.spans else stored
    base = owner.info
    info = replace(
        base,
        trace_id=incoming.info.trace_id,
        client_request_id=base.client_request_id or stored.info.client_request_id,
        trace_metadata={**stored.info.trace_metadata, **incoming.info.trace_metadata},
        tags={**stored.info.tags, **incoming.info.tags},
        assessments=list(stored.info.assessments) + [a for a in incoming.info.assessments
                                                     if a not in stored.info.assessments],
    )
    record_token_usage(info.trace_metadata, spans)  # each copy summed its own spans only
    return Trace(info=info, data=TraceData(spans=spans))


def is_fragment(trace: Trace) -> bool:
    """Whether `trace` is one process's part of a distributed trace: none of its spans is parentless, because its
    local root's parent is a span of the calling process."""
    return bool(trace.data.spans) and all(span.parent_id is not None for span in trace.data.spans)


def stretched_window(request_time: int, duration: int | None, first_ns: int | None,
                     last_ns: int | None) -> tuple[int, int | None]:
    """(request_time, execution_duration) in ms, stretched to cover spans from `first_ns` to `last_ns` that lie
    outside it. Rounding is allowed for, so a trace's own spans never change its window."""
    start = request_time
    if first_ns is not None and first_ns < request_time * 1_000_000:
        start = first_ns // 1_000_000
    if duration is None:
        return start, None
    end = request_time + duration
    # The root's true end lies before (request_time + duration + 2) ms: both were rounded down.
    if last_ns is not None and last_ns >= (end + 2) * 1_000_000:
        end = -(-last_ns // 1_000_000)
    return start, end - start


def merge_copies(copies: Sequence[Trace]) -> Trace:
    """One trace from several copies or parts of the same trace id, merged as the store merges them: whole
    copies on top of fragments (a fragment never overrides a whole copy), spans by span id, tags and metadata by
    key, the window stretched over every span."""
    if len(copies) == 1:
        return copies[0]
    ordered = sorted(copies, key=lambda copy: not is_fragment(copy))  # fragments first, whole copies on top
    merged = functools.reduce(merge_trace, ordered)
    spans = sorted(merged.data.spans, key=span_order)
    ends = [span.end_time_ns for span in spans if span.end_time_ns is not None]
    base = merged.info
    start, duration = stretched_window(base.request_time, base.execution_duration,
                                       min(span.start_time_ns for span in spans), max(ends, default=None))
    return Trace(info=replace(base, request_time=start, execution_duration=duration), data=TraceData(spans=spans))
