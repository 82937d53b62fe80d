"""`merge_traces`: a trace's spans arriving in parts are added to the stored trace, on every database, also when
several writers merge parts of one trace at the same time."""

from __future__ import annotations

import threading

from trace_builders import build_trace

from tracekit.entities import Trace, TraceData, TraceInfo, TraceState
from tracekit.store.sql.traces import SqlTraceStore


def part(trace: Trace, span_ids: set[str], *, from_root: bool) -> Trace:
    """The trace as an ingest would build it from some of its spans only."""
    spans = [span for span in trace.data.spans if span.span_id in span_ids]
    info = TraceInfo.from_dict(trace.info.to_dict())
    if not from_root:
        info.state = TraceState.IN_PROGRESS
        info.tags, info.trace_metadata, info.experiment_id = {}, {}, "0"
    return Trace(info=info, data=TraceData(spans=spans))


def test_parts_in_any_order_make_the_whole_trace(store):
    trace = build_trace(tags={"env": "prod"}, experiment_id="5", extra_spans=3)
    root = trace.data.root_span.span_id
    children = [span.span_id for span in trace.data.spans if span.span_id != root]
    store.merge_traces([part(trace, set(children[:2]), from_root=False)])
    assert store.get_trace(trace.info.trace_id).info.state == TraceState.IN_PROGRESS
    store.merge_traces([part(trace, {root}, from_root=True)])
    store.merge_traces([part(trace, set(children[2:]), from_root=False)])
    assert store.get_trace(trace.info.trace_id).to_dict() == trace.to_dict()


def test_merge_keeps_tags_set_in_between(store):
    trace = build_trace()
    store.merge_traces([trace])
    store.set_trace_tag(trace.info.trace_id, "reviewed", "yes")
    store.merge_traces([trace])
    assert store.get_trace(trace.info.trace_id).info.tags == {"reviewed": "yes"}


def test_concurrent_merges_of_one_trace_lose_no_span(db_uri):
    trace = build_trace(extra_spans=15)
    parts = [part(trace, {span.span_id}, from_root=span.parent_id is None) for span in trace.data.spans]
    stores = [SqlTraceStore(db_uri) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    errors = []

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for trace_part in parts[index::len(stores)]:
                stores[index].merge_traces([trace_part])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert not errors
        assert stores[0].get_trace(trace.info.trace_id).to_dict() == trace.to_dict()
    finally:
        for opened in stores:
            opened.close()


def test_nul_characters_are_stored_on_every_database(store):
    trace = build_trace(tags={"k\x00": "v\x00"}, name="root\x00")
    store.write_traces([trace])
    stored = store.get_trace(trace.info.trace_id)
    assert stored.info.tags == {"k\ufffd": "v\ufffd"}
    assert stored.data.root_span.name == "root\x00"  # the span's own JSON keeps it exactly


def test_token_usage_of_a_trace_written_in_parts_covers_every_part(store):
    from tracekit import serialization
    from tracekit.constants import SpanAttributeKey
    from tracekit.entities.token_usage import record_token_usage

    trace = build_trace(extra_spans=2)
    root = trace.data.root_span.span_id
    children = [span.span_id for span in trace.data.spans if span.span_id != root]
    assert len(children) == 4
    for span, tokens in zip([s for s in trace.data.spans if s.span_id != root], (10, 20, 30, 40), strict=True):
        span.raw_attributes[SpanAttributeKey.CHAT_TOKEN_USAGE] = serialization.dumps(
            {"input_tokens": tokens, "output_tokens": 1})
    # the root's process wrote two children; another process (continue_trace) the other two, under the root
    root_copy, fragment = part(trace, {root, *children[:2]}, from_root=True), part(trace, set(children[2:]),
                                                                                   from_root=False)
    for copy in (root_copy, fragment):  # each process sums its own spans as its part completes
        record_token_usage(copy.info.trace_metadata, copy.data.spans)
    store.write_traces([fragment])
    store.write_traces([root_copy])
    assert store.get_trace(trace.info.trace_id).info.token_usage == {
        "input_tokens": 100, "output_tokens": 4, "total_tokens": 104}
