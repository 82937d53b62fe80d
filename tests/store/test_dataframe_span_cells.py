"""The `spans` cells of a search DataFrame: each a read-only sequence of the readable span dicts, decoded from the
stored JSON when first read, once, and then behaving as the list it stands for."""

from __future__ import annotations

import copy
import dataclasses
import logging
import pickle

import pytest
from sqlalchemy import update
from trace_builders import build_trace

from tracekit.dataframes import traces_to_dataframe
from tracekit.exceptions import TracekitException
from tracekit.readable_spans import span_to_readable_dict
from tracekit.store.sql.schema import spans as spans_table


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
    frame = traces_to_dataframe([dataclasses.replace(record, root_index=None)])
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
