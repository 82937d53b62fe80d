"""The `spans` cells of a search DataFrame: each a read-only sequence of the readable span dicts, decoded from the
stored JSON when first read, once, and then behaving as the list it stands for."""

from __future__ import annotations

import copy
import json
import logging
import pickle

import pandas as pd
import pytest
from sqlalchemy import update
from trace_builders import build_trace, make_span

from tracekit import span_list
from tracekit.dataframes import TRACE_COLUMNS, traces_to_dataframe
from tracekit.entities.trace import span_order
from tracekit.exceptions import TracekitException
from tracekit.readable_spans import span_to_readable_dict
from tracekit.store.sql.schema import spans as spans_table
from tracekit.store.trace_records import TraceRecord


def stored_frame(store, traces, specs=None):
    store.write_traces(traces)
    return traces_to_dataframe(store.search_trace_records(["0"], max_results=None), specs)


def expected_spans(store, trace):
    return [span_to_readable_dict(span) for span in store.get_trace(trace.info.trace_id).data.spans]


def overwrite_span_text(store, span_id, text):
    with store.database.engine.begin() as connection:
        connection.execute(update(spans_table).where(spans_table.c.span_id == span_id).values(content=text))


def test_a_cell_equals_the_list_of_readable_span_dicts(store):
    trace = build_trace()
    cell = stored_frame(store, [trace])["spans"][0]
    expected = expected_spans(store, trace)
    assert cell == expected and expected == cell
    assert cell != expected[:2] and cell != expected[::-1]
    assert not (cell == tuple(expected))  # compares like a list: a tuple is never equal to it
    assert [span["name"] for span in cell] == ["retrieve", "llm", "root"]
    assert cell[-1]["inputs"] == trace.data.spans[-1].inputs and cell[0:2] == expected[0:2]


def test_a_cell_decodes_once_and_hands_out_the_same_dicts(store):
    cell = stored_frame(store, [build_trace()])["spans"][0]
    first = cell[0]
    assert cell[0] is first and next(iter(cell)) is first and cell.to_list()[0] is first


def test_to_list_and_list_give_new_real_lists(store):
    cell = stored_frame(store, [build_trace()])["spans"][0]
    as_list, again = cell.to_list(), list(cell)
    assert type(as_list) is list and type(again) is list and as_list == again == cell
    as_list.clear()
    assert len(cell) == 3 and cell.to_list() == again


def test_a_cell_shows_and_pickles_as_a_plain_list(store):
    trace = build_trace()
    frame = stored_frame(store, [trace])
    cell = frame["spans"][0]
    expected = expected_spans(store, trace)
    assert repr(cell) == repr(expected)
    for copied in (pickle.loads(pickle.dumps(cell)), copy.copy(cell)):
        assert type(copied) is list and copied == expected
    unpickled = pickle.loads(pickle.dumps(frame))
    assert type(unpickled["spans"][0]) is list and unpickled["spans"][0] == expected


def test_a_cell_is_read_only_and_unhashable(store):
    cell = stored_frame(store, [build_trace()])["spans"][0]
    with pytest.raises(TypeError):
        cell[0] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        hash(cell)


def test_a_malformed_span_text_surfaces_when_its_cell_is_read(store, caplog):
    broken, intact = build_trace(), build_trace()
    store.write_traces([broken, intact])
    llm = next(span for span in broken.data.spans if span.name == "llm")
    overwrite_span_text(store, llm.span_id, '{"name": "llm", "trace_id": ')
    with caplog.at_level(logging.WARNING):
        frame = traces_to_dataframe(store.search_trace_records(["0"], max_results=None), ["llm.outputs.text"])
    bad, good = (frame.set_index("trace_id").loc[trace.info.trace_id] for trace in (broken, intact))
    # The root's text alone gives the request and response; the rest of the frame is whole.
    assert bad["request"] == broken.data.spans[-1].inputs and bad["response"] == broken.data.spans[-1].outputs
    assert len(bad["spans"]) == 3 and bad["tags"] == broken.info.tags
    assert bad["llm.outputs.text"] is None and good["llm.outputs.text"] == "t"
    assert good["spans"] == expected_spans(store, intact)
    with pytest.raises(TracekitException, match=broken.info.trace_id):
        bad["spans"][0]
    with pytest.raises(TracekitException, match=broken.info.trace_id):
        list(bad["spans"])


def test_cells_read_in_order_out_of_order_or_past_a_malformed_one_give_each_its_own_spans(store):
    # Reading in order decodes the next cells in runs; every cell must still get exactly its own trace's spans,
    # however it is reached, and a malformed one inside a run fails only when it is read itself.
    traces = [build_trace() for _ in range(40)]
    store.write_traces(traces)
    broken = traces[9]
    llm = next(span for span in broken.data.spans if span.name == "llm")
    overwrite_span_text(store, llm.span_id, "not json")
    expected = {trace.info.trace_id: expected_spans(store, trace) for trace in traces if trace is not broken}

    def frame():
        return traces_to_dataframe(store.search_trace_records(["0"], max_results=None))

    for order in ("forward", "backward", "skipping"):
        rows = list(frame()[["trace_id", "spans"]].itertuples(index=False))
        positions = {"forward": range(len(rows)), "backward": range(len(rows) - 1, -1, -1),
                     "skipping": [*range(0, len(rows), 3), *range(1, len(rows), 3), *range(2, len(rows), 3)]}[order]
        for position in positions:
            trace_id, cell = rows[position]
            if trace_id == broken.info.trace_id:
                with pytest.raises(TracekitException, match=trace_id):
                    cell[0]
            else:
                assert cell == expected[trace_id], (order, position)
                assert cell[0] is cell[0]


def test_a_malformed_root_span_text_leaves_request_and_response_empty(store, caplog):
    trace = build_trace()
    store.write_traces([trace])
    overwrite_span_text(store, trace.data.spans[-1].span_id, "not json")
    with caplog.at_level(logging.WARNING, logger="tracekit.dataframes"):
        frame = traces_to_dataframe(store.search_trace_records(["0"], max_results=None))
    assert frame["request"].tolist() == [None] and frame["response"].tolist() == [None]
    assert any(trace.info.trace_id in record.getMessage() for record in caplog.records)
    with pytest.raises(TracekitException, match=trace.info.trace_id):
        repr(frame["spans"][0])


def test_the_root_is_found_in_a_record_that_does_not_say_which_it_is(store):
    trace = build_trace(inputs={"question": "which?"})
    store.write_traces([trace])
    record = store.search_trace_records(["0"], max_results=None)[0]
    assert record.root_index == len(trace.data.spans) - 1
    frame = traces_to_dataframe([TraceRecord(record.info, record.span_texts, None)])
    assert frame["request"].tolist() == [{"question": "which?"}]


def test_an_orphan_stands_in_for_a_missing_root(store):
    trace = build_trace()
    trace.data.spans.pop()  # the root: its children now point at a span the trace does not hold
    frame = stored_frame(store, [trace])
    assert frame["request"].tolist() == [{"query": trace.data.spans[0].inputs["query"]}]
    assert frame["response"].tolist() == [[{"doc": "d1"}]]


def test_a_cell_made_from_trace_objects_keeps_the_spans_it_was_given():
    trace = build_trace()
    expected = [span_to_readable_dict(span) for span in trace.data.spans]
    cell = traces_to_dataframe([trace])["spans"][0]
    trace.data.spans.clear()
    assert len(cell) == 3 and cell == expected


def test_spans_come_in_span_order_with_ties_running_spans_and_a_50_span_trace_on_every_backend(store):
    # Equal end and start times fall back to the span id compared as Python compares text ("B" before "a", which a
    # linguistic collation would swap); running spans come last; the orphan whose parent is missing is the root.
    tied = build_trace()
    trace_id, start = tied.info.trace_id, tied.data.spans[-1].start_time_ns
    tied.data.spans[:0] = [make_span(trace_id, span_id, tied.data.spans[-1].span_id, f"tie-{span_id}",
                                     start_ns=start + 5, end_ns=start + 7) for span_id in ("a1", "B1", "_1", "b0")]
    tied.data.spans.append(make_span(trace_id, "running", tied.data.spans[-1].span_id, "running",
                                     start_ns=start + 9, end_ns=None))
    wide = build_trace(extra_spans=47)
    orphaned = build_trace()
    orphaned.data.spans.pop()
    single = build_trace()
    del single.data.spans[:2]
    traces = [tied, wide, orphaned, single]
    frame = stored_frame(store, traces).set_index("trace_id")
    for trace in traces:
        expected = [span.span_id for span in sorted(trace.data.spans, key=span_order)]
        cell = frame.loc[trace.info.trace_id, "spans"]
        assert [span["span_id"] for span in cell] == expected
        assert [span.span_id for span in store.get_trace(trace.info.trace_id).data.spans] == expected
    tied_ids = [span["span_id"] for span in frame.loc[trace_id, "spans"]]
    assert tied_ids[:4] == ["B1", "_1", "a1", "b0"] and tied_ids[-1] == "running"
    assert len(frame.loc[wide.info.trace_id, "spans"]) == 50
    assert frame.loc[trace_id, "request"] == tied.data.spans[-2].inputs
    assert frame.loc[orphaned.info.trace_id, "request"] == {"query": orphaned.data.spans[0].inputs["query"]}
    assert frame.loc[single.info.trace_id, "response"] == single.data.spans[0].outputs


def test_to_json_writes_the_spans_of_each_cell(store):
    trace = build_trace()
    frame = stored_frame(store, [trace])
    expected = expected_spans(store, trace)
    assert json.loads(frame.to_json(orient="records"))[0]["spans"] == expected
    assert json.loads(frame[["trace_id", "spans"]].to_json())["spans"]["0"] == expected
    assert json.loads(frame["spans"].to_json())["0"] == expected
    assert json.loads(frame.head(1).to_json(orient="split"))["data"][0][TRACE_COLUMNS.index("spans")] == expected
    cell = frame["spans"][0]
    assert json.loads(json.dumps(cell, default=list)) == json.loads(json.dumps(cell.to_list())) == expected
    assert isinstance(frame, pd.DataFrame) and pickle.loads(pickle.dumps(frame))["spans"][0] == expected


def test_cells_read_as_they_are_added_keep_their_place_for_reading_ahead():
    # With extract_fields each cell is read as soon as it is added, when no later cell exists to decode ahead: the
    # next cell read in order must still count as in order, and the run it decodes must stay short (not grown to
    # READ_AHEAD_MAX by the reads that decoded nothing ahead).
    decoded: list[str] = []
    original = span_list.span_to_readable_dict

    def counted(span):
        decoded.append(span.trace_id)
        return original(span)

    traces = [build_trace() for _ in range(12)]
    sources = span_list.SpanSources()

    def cell(trace):
        return span_list.SpanList(trace.info.trace_id, tuple(trace.data.spans), 3, sources=sources)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(span_list, "span_to_readable_dict", counted)
        for trace in traces[:8]:
            assert cell(trace)[0]["trace_id"] == trace.info.trace_id
        assert len(set(decoded)) == 8
        later = [cell(trace) for trace in traces[8:]]
        assert later[0][0]["trace_id"] == traces[8].info.trace_id
        assert len(set(decoded)) == 10  # the next cell in order decodes the one after it too, not all the rest
        assert later[1][0]["trace_id"] == traces[9].info.trace_id and len(set(decoded)) == 10
        assert [span["trace_id"] for cell in later for span in cell] == [
            trace.info.trace_id for trace in traces[8:] for _ in range(3)]
