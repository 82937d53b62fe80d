"""Merging two copies of one trace: spans that arrive in several parts (OTLP ingest sends spans as they end) are
added to what is stored instead of replacing it."""

from __future__ import annotations

from tracekit.entities import Span, Trace, TraceData, TraceInfo


def top_span(spans: list[Span]) -> Span | None:
    """The span that heads `spans`: the one without a parent, else the earliest one whose parent is not among
    them (a trace whose root has not arrived yet, or whose root lives in another service)."""
    ids = {span.span_id for span in spans}
    best: Span | None = None
    for span in spans:
        if span.parent_id is None:
            return span
        if span.parent_id not in ids and (best is None or span.start_time_ns < best.start_time_ns):
            best = span
    return best


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
    info = TraceInfo(
        trace_id=incoming.info.trace_id,
        experiment_id=base.experiment_id,
        request_time=base.request_time,
        execution_duration=base.execution_duration,
        state=base.state,
        request_preview=base.request_preview,
        response_preview=base.response_preview,
        client_request_id=base.client_request_id or stored.info.client_request_id,
        trace_metadata={**stored.info.trace_metadata, **incoming.info.trace_metadata},
        tags={**stored.info.tags, **incoming.info.tags},
        assessments=list(stored.info.assessments) + [a for a in incoming.info.assessments
                                                     if a not in stored.info.assessments],
    )
    return Trace(info=info, data=TraceData(spans=spans))
