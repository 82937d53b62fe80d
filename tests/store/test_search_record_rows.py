"""A search's records as the SQL store reads them (the trace_info rows, then their tag, metadata and span rows by
chunks of trace ids): span texts in `TraceData` order with the root found, tags and metadata exactly as written,
whatever characters they hold, on every database."""

from __future__ import annotations

import logging
import re

import orjson
import pytest
from sqlalchemy import update
from trace_builders import build_trace, make_span

from tracekit.dataframes import traces_to_dataframe
from tracekit.entities import Trace
from tracekit.entities.trace import span_order
from tracekit.exceptions import TracekitException
from tracekit.store.sql.schema import spans as spans_table
from tracekit.store.trace_records import root_position

AWKWARD = "quote \" apostrophe ' backslash \\ \\n newline \n tab \t ünïcödé 漢字 🎉 separators \x1e \x01 \x1f, {} []"


def stored_record(store, trace: Trace):
    store.write_traces([trace])
    return read_record(store, trace)


def read_record(store, trace: Trace):
    (record,) = [record for record in store.search_trace_records(["0"], max_results=None)
                 if record.info.trace_id == trace.info.trace_id]
    return record


def in_span_order(trace: Trace) -> list[str]:
    return [span.span_id for span in sorted(trace.data.spans, key=span_order)]


def span_ids(texts: list[str]) -> list[str]:
    return [orjson.loads(text)["span_id"] for text in texts]


def shuffled_trace() -> Trace:
    """A trace whose span ids sort in the reverse of the order its spans ended in; its root has the largest id."""
    trace = build_trace()
    trace_id, start = trace.info.trace_id, trace.info.request_time * 1_000_000
    trace.data.spans = [
        make_span(trace_id, "f0", None, "root", start_ns=start, end_ns=start + 100, inputs={"q": 1}, outputs=2),
        make_span(trace_id, "c1", "f0", "last-child", start_ns=start + 5, end_ns=start + 90),
        make_span(trace_id, "b2", "f0", "middle-child", start_ns=start + 4, end_ns=start + 50),
        make_span(trace_id, "a3", "f0", "first-child", start_ns=start + 3, end_ns=start + 10),
    ]
    return trace


def test_span_texts_come_in_the_order_spans_ended_not_in_span_id_order(store):
    trace = shuffled_trace()
    record = stored_record(store, trace)
    assert span_ids(record.span_texts) == in_span_order(trace) == ["a3", "b2", "c1", "f0"]
    assert record.root_index == 3 and len(record.span_texts) == 4
    assert [span.span_id for span in record.to_trace().data.spans] == ["a3", "b2", "c1", "f0"]
    assert [span.span_id for span in store.get_trace(trace.info.trace_id).data.spans] == ["a3", "b2", "c1", "f0"]
    row = traces_to_dataframe([stored_record(store, trace)]).iloc[0]
    assert [span["name"] for span in row["spans"]] == ["first-child", "middle-child", "last-child", "root"]
    assert row["request"] == {"q": 1} and row["response"] == 2


def test_the_first_parentless_span_in_span_order_is_the_root(store):
    trace = shuffled_trace()
    start = trace.info.request_time * 1_000_000
    # a second span without a parent, ending before the root: it is the first parentless one in order
    trace.data.spans.append(make_span(trace.info.trace_id, "ff", None, "early-top", start_ns=start + 1,
                                      end_ns=start + 20, inputs={"early": True}))
    record = stored_record(store, trace)
    assert span_ids(record.span_texts) == ["a3", "ff", "b2", "c1", "f0"]
    assert record.root_index == 1
    assert traces_to_dataframe([stored_record(store, trace)])["request"].tolist() == [{"early": True}]


def test_a_trace_whose_root_is_missing_has_its_first_orphan_in_span_order_as_root(store):
    trace = shuffled_trace()
    trace.data.spans = [span for span in trace.data.spans if span.span_id != "f0"]
    start = trace.info.request_time * 1_000_000
    trace.data.spans.append(make_span(trace.info.trace_id, "d4", "c1", "grandchild", start_ns=start + 6,
                                      end_ns=start + 8))
    record = stored_record(store, trace)
    ids = span_ids(record.span_texts)
    assert ids == ["d4", "a3", "b2", "c1"]
    parents = {span.span_id: span.parent_id for span in trace.data.spans}
    assert record.root_index == root_position(ids, [parents[span_id] for span_id in ids]) == 1


def test_a_trace_without_spans_has_no_span_texts_and_no_root(store):
    trace = build_trace()
    trace.data.spans = []
    record = stored_record(store, trace)
    assert record.span_texts == [] and len(record.span_texts) == 0 and record.root_index is None
    assert record.to_trace().data.spans == []
    row = traces_to_dataframe([stored_record(store, trace)]).iloc[0]
    assert list(row["spans"]) == [] and row["request"] is None and row["response"] is None


def test_a_trace_without_tags_or_metadata_reads_empty_dicts(store):
    trace = build_trace()
    trace.info.trace_metadata = {}
    record = stored_record(store, trace)
    assert record.tags == {} and record.info.trace_metadata == {} and record.info.tags == {}
    assert record.info_dict()["tags"] == {} and record.info_dict()["trace_metadata"] == {}


def test_a_tag_without_a_value_reads_as_none(store):
    record = stored_record(store, build_trace(tags={"empty": None, "set": "x"}, metadata={"gone": None}))
    assert record.tags == {"empty": None, "set": "x"}
    assert record.info.trace_metadata["gone"] is None


def test_tags_metadata_and_span_values_keep_every_character(store):
    trace = build_trace(tags={AWKWARD: AWKWARD, "plain": "value"}, metadata={"awkward": AWKWARD},
                        inputs={"text": AWKWARD}, outputs=[AWKWARD])
    record = stored_record(store, trace)
    assert record.tags == {AWKWARD: AWKWARD, "plain": "value"}
    assert record.info.trace_metadata["awkward"] == AWKWARD
    assert len(record.span_texts) == 3 and record.root_index == 2
    stored = record.to_trace()
    assert stored.data.spans[-1].inputs == {"text": AWKWARD} and stored.data.spans[-1].outputs == [AWKWARD]
    assert store.get_trace(trace.info.trace_id).info.tags == trace.info.tags
    row = traces_to_dataframe([stored_record(store, trace)]).iloc[0]
    assert row["request"] == {"text": AWKWARD} and row["response"] == [AWKWARD]
    assert row["tags"] == trace.info.tags and row["spans"][-1]["inputs"] == {"text": AWKWARD}
    assert Trace.from_json(row["trace"]).data.spans[-1].outputs == [AWKWARD]


def overwrite_span_text(store, span_id: str, text: str) -> None:
    with store.database.engine.begin() as connection:
        connection.execute(update(spans_table).where(spans_table.c.span_id == span_id).values(content=text))


def test_a_span_text_that_is_not_json_is_handed_over_as_stored(store, caplog):
    trace = shuffled_trace()
    store.write_traces([trace])
    overwrite_span_text(store, "b2", "not json {")
    record = read_record(store, trace)
    assert record.span_texts[1] == "not json {" and record.root_index == 3
    with pytest.raises(ValueError):
        record.to_trace()
    with caplog.at_level(logging.WARNING):
        row = traces_to_dataframe([read_record(store, trace)]).iloc[0]
    assert row["request"] == {"q": 1}
    with pytest.raises(TracekitException, match=trace.info.trace_id):
        row["spans"][0]


def test_an_orphaned_trace_with_a_span_text_that_is_not_json_still_has_its_root(store, caplog):
    trace = shuffled_trace()
    trace.data.spans = [span for span in trace.data.spans if span.span_id != "f0"]
    store.write_traces([trace])
    overwrite_span_text(store, "b2", "not json")
    record = read_record(store, trace)
    assert record.root_index == 0 and len(record.span_texts) == 3  # found from the span rows, not from the texts
    with caplog.at_level(logging.WARNING):
        row = traces_to_dataframe([read_record(store, trace)]).iloc[0]
    assert row["request"] is None and len(row["spans"]) == 3
    with pytest.raises(TracekitException, match=trace.info.trace_id):
        list(row["spans"])


def test_a_search_without_spans_reads_no_span_rows(store, sql_statements):
    trace = build_trace(tags={"env": "prod"})
    store.write_traces([trace])
    sql_statements.clear()
    (record,) = store.search_trace_records(["0"], max_results=None, include_spans=False)
    chunks = list(store.iter_trace_record_chunks(["0"], max_results=None, include_spans=False))
    assert record.span_texts == [] and len(record.span_texts) == 0 and record.root_index is None
    assert record.tags == {"env": "prod"} and [item.tags for chunk in chunks for item in chunk] == [{"env": "prod"}]
    assert sql_statements and not any(re.search(r"\bFROM spans\b", statement) for statement in sql_statements)


def test_tags_metadata_and_spans_are_read_by_chunks_of_trace_ids(store, sql_statements):
    store.write_traces([build_trace(tags={"i": str(i)}) for i in range(3)])
    sql_statements.clear()
    records = store.search_trace_records(["0"], max_results=None)
    assert len(records) == 3 and all(len(record.span_texts) == 3 for record in records)
    reading = [statement for statement in sql_statements if re.search(r"\bFROM (spans|trace_tags|trace_metadata)\b",
                                                                      statement)]
    assert len(reading) == 3 and not any("FROM trace_info" in statement for statement in reading)


def test_pages_of_records_walk_through_every_trace_once(store):
    traces = [build_trace(tags={"i": str(i)}) for i in range(7)]
    store.write_traces(traces)
    seen, token = [], None
    while True:
        page = store.search_trace_records(["0"], max_results=3, order_by=["timestamp_ms ASC"], page_token=token)
        seen.extend((record.info.trace_id, record.tags["i"], len(record.span_texts)) for record in page)
        token = page.token
        if token is None:
            break
    assert seen == [(trace.info.trace_id, str(i), 3) for i, trace in enumerate(traces)]
