"""`root_span_names`: the root span's name of traces searched without their spans (the explorer's table)."""

from __future__ import annotations


def test_root_span_names_come_from_the_stored_traces(store, make_trace):
    traces = [make_trace(name="answer"), make_trace(name="classify"), make_trace(name="x" * 300)]
    store.write_traces(traces)
    page = store.search_traces(["0"], include_spans=False)
    names = store.root_span_names([trace.info.trace_id for trace in page])
    assert names == {traces[0].info.trace_id: "answer", traces[1].info.trace_id: "classify",
                     traces[2].info.trace_id: "x" * 300}
    assert store.root_span_names(["tr-" + "f" * 32]) == {}
    assert store.root_span_names([]) == {}
