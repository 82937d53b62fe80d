"""The "which of this batch's traces are stored" check of `write_traces`, on every database: a batch mixing stored
and new traces, over more ids than one `IN (...)` chunk, stores each new trace once and merges into each stored one
(its tags added, its window stretched over the spans stored before), never duplicating a row."""

from __future__ import annotations

from sqlalchemy import func, select
from trace_builders import make_span

from tracekit.entities import Trace, TraceData
from tracekit.store.sql.schema import spans, trace_info, trace_tags
from tracekit.store.sql.traces import ID_CHUNK_SIZE


def with_late_span(trace: Trace) -> Trace:
    """`trace` plus a span ending 900 ms after its start (later than its root)."""
    start = trace.info.request_time * 1_000_000
    late = make_span(trace.info.trace_id, f"{trace.info.request_time:08x}2fffffff", trace.data.spans[-1].span_id,
                     "late", start_ns=start + 1_000, end_ns=start + 900_000_000)
    return Trace(info=trace.info, data=TraceData(spans=[*trace.data.spans, late]))


def count(store, table) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)))


def test_a_batch_of_stored_and_new_traces_over_several_chunks_stores_each_once(store, make_trace):
    numbers = range(ID_CHUNK_SIZE * 2 + 7)
    first = [with_late_span(make_trace(number=10_000 + n)) for n in numbers if n % 2 == 0]
    store.write_traces(first)
    # the stored ones come back with one more tag and a later end, the others are new
    batch = [make_trace(number=10_000 + n, tags={"pass": "second"}) for n in numbers]
    store.write_traces(batch)
    store.write_traces(batch)  # a retried batch
    assert count(store, trace_info) == len(numbers)
    assert count(store, spans) == 3 * len(numbers) + len(first)
    assert count(store, trace_tags) == sum(len(trace.info.tags) for trace in batch)
    for index in (0, 1, ID_CHUNK_SIZE, ID_CHUNK_SIZE + 1, len(batch) - 1):
        stored = store.get_trace(batch[index].info.trace_id)
        assert stored.info.tags["pass"] == "second"
        was_stored = index % 2 == 0
        # the new copy's info says 100 ms; a trace found stored is stretched over its late span
        assert stored.info.execution_duration == (900 if was_stored else 100)
        assert len(stored.data.spans) == (4 if was_stored else 3)


def test_a_batch_of_one_stored_trace_is_merged(store, make_trace):
    trace = make_trace(number=50_000)
    store.write_traces([trace])
    store.write_traces([make_trace(number=50_000, tags={"pass": "second"})])
    assert store.get_trace(trace.info.trace_id).info.tags["pass"] == "second"
    assert count(store, trace_info) == 1
