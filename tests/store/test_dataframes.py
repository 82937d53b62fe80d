"""Search results as a DataFrame: the columns, their values, and extract_fields columns."""

from __future__ import annotations

import pandas as pd
from trace_builders import build_trace

from tracekit.dataframes import TRACE_COLUMNS as COLUMNS
from tracekit.dataframes import traces_to_dataframe
from tracekit.entities import Trace, TraceState


def test_columns_in_order_with_readable_values():
    trace = build_trace(tags={"env": "prod"}, client_request_id="req-9", inputs={"question": "why?"},
                        outputs={"answer": "because"})
    frame = traces_to_dataframe([trace])
    assert list(frame.columns) == list(COLUMNS)
    row = frame.iloc[0]
    assert row["trace_id"] == trace.info.trace_id
    assert isinstance(row["trace"], str) and Trace.from_json(row["trace"]) == trace
    assert row["client_request_id"] == "req-9"
    assert row["state"] == "OK"
    assert row["request_time"] == trace.info.request_time
    assert row["execution_duration"] == 100
    assert row["request"] == {"question": "why?"}
    assert row["response"] == {"answer": "because"}
    assert row["trace_metadata"] == trace.info.trace_metadata
    assert row["tags"] == {"env": "prod"}
    assert row["assessments"] == []
    root = row["spans"][-1]
    assert root["name"] == "root" and root["span_type"] == "CHAIN"
    assert root["inputs"] == {"question": "why?"}
    assert root["attributes"]["tracekit.spanInputs"] == {"question": "why?"}  # decoded, not JSON text


def test_dtypes():
    frame = traces_to_dataframe([build_trace(), build_trace(duration_ms=None, state=TraceState.IN_PROGRESS)])
    assert frame["request_time"].dtype == "int64"
    assert frame["execution_duration"].dtype == "Int64"
    assert frame["execution_duration"].isna().tolist() == [False, True]
    assert frame["state"].tolist() == ["OK", "IN_PROGRESS"]


def test_extract_fields():
    trace = build_trace(inputs={"question": "q"}, outputs={"answer": "a"})
    specs = ["llm.inputs", "llm.inputs.prompt", "llm.outputs.text", "retrieve.outputs", "root.inputs.question",
             "llm.inputs.missing", "nowhere.outputs", "`llm`.outputs"]
    frame = traces_to_dataframe([trace], specs)
    assert list(frame.columns) == list(COLUMNS) + specs
    row = frame.iloc[0]
    assert row["llm.inputs"] == {"prompt": "p", "temperature": 0.1}
    assert row["llm.inputs.prompt"] == "p"
    assert row["llm.outputs.text"] == "t"
    assert row["retrieve.outputs"] == [{"doc": "d1"}]
    assert row["root.inputs.question"] == "q"
    assert row["llm.inputs.missing"] is None
    assert row["nowhere.outputs"] is None
    assert row["`llm`.outputs"] == {"text": "t"}


def test_invalid_extract_specs_add_no_column():
    frame = traces_to_dataframe([build_trace()], ["llm", "llm.attributes", "llm.inputs.a.b", "", "llm.outputs"])
    assert list(frame.columns) == list(COLUMNS) + ["llm.outputs"]


def test_key_of_a_non_dict_value_is_none():
    frame = traces_to_dataframe([build_trace()], ["retrieve.outputs.doc"])
    assert frame.iloc[0]["retrieve.outputs.doc"] is None


def test_empty_result_still_has_every_column():
    frame = traces_to_dataframe([], ["llm.inputs"])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(COLUMNS) + ["llm.inputs"]
    assert len(frame) == 0


def test_rows_follow_the_order_of_the_traces():
    traces = [build_trace() for _ in range(5)]
    frame = traces_to_dataframe(list(reversed(traces)))
    assert frame["trace_id"].tolist() == [t.info.trace_id for t in reversed(traces)]


def test_round_trip_through_a_store(store):
    traces = [build_trace(tags={"i": str(i)}) for i in range(3)]
    store.write_traces(traces)
    frame = traces_to_dataframe(store.search_traces(["0"], max_results=None), ["llm.outputs.text"])
    assert len(frame) == 3
    assert frame["llm.outputs.text"].tolist() == ["t", "t", "t"]
    assert sorted(frame["tags"].map(lambda tags: tags["i"])) == ["0", "1", "2"]


def test_records_and_traces_give_the_same_frame(store):
    """The DataFrame built from stored records (span JSON never turned into Span objects) equals the one built from
    the same traces as objects, the `trace` column included, byte for byte."""
    traces = [build_trace(tags={"i": str(i)}, extra_spans=i, duration_ms=None if i == 2 else 100)
              for i in range(4)]
    store.write_traces(traces)
    specs = ["llm.outputs.text", "root.inputs.question"]
    from_traces = traces_to_dataframe(store.search_traces(["0"], max_results=None), specs)
    records = store.search_trace_records(["0"], max_results=None)
    assert all(type(record).__name__ == "TraceRecord" for record in records)
    from_records = traces_to_dataframe(records, specs)
    pd.testing.assert_frame_equal(from_records, from_traces)
    for text, trace in zip(from_records["trace"], store.search_traces(["0"], max_results=None), strict=True):
        assert text == trace.to_json()
        assert Trace.from_json(text) == store.get_trace(trace.info.trace_id)


def test_a_stored_span_rewritten_as_json_is_the_span_encoded_afresh(store):
    trace = build_trace()
    store.write_traces([trace])
    stored = store.get_trace(trace.info.trace_id)
    assert all(span.stored_json is not None for span in stored.data.spans)
    assert stored.to_json() == Trace(info=stored.info, data=trace.data).to_json()
    assert stored.to_json(pretty=True) == Trace(info=stored.info, data=trace.data).to_json(pretty=True)


def test_a_stored_span_json_written_otherwise_reads_as_its_span(store):
    """Span JSON not in `Span.to_dict()`'s exact form (keys left out, reordered, times as text, null events and
    status, a plain OpenTelemetry attribute value) gives the DataFrame values the `Span` read from it gives."""
    import orjson
    from sqlalchemy import update

    from tracekit.store.sql.schema import spans

    trace = build_trace()
    store.write_traces([trace])
    llm = next(span for span in trace.data.spans if span.name == "llm")
    written_otherwise = {"events": None, "name": "llm", "span_id": llm.span_id, "trace_id": llm.trace_id,
                         "parent_id": llm.parent_id, "start_time_ns": str(llm.start_time_ns),
                         "end_time_ns": str(llm.end_time_ns), "status": None,
                         "attributes": {**llm.raw_attributes, "http.method": "GET"}}
    with store.database.engine.begin() as connection:
        connection.execute(update(spans).where(spans.c.span_id == llm.span_id)
                           .values(content=orjson.dumps(written_otherwise).decode()))
    specs = ["llm.inputs.prompt"]
    from_records = traces_to_dataframe(store.search_trace_records(["0"], max_results=None), specs)
    pd.testing.assert_frame_equal(from_records,
                                  traces_to_dataframe(store.search_traces(["0"], max_results=None), specs))
    read = next(span for span in from_records.iloc[0]["spans"] if span["name"] == "llm")
    assert read["start_time_ns"] == llm.start_time_ns and read["events"] == []
    assert read["status"] == {"code": "UNSET", "message": ""}
    assert read["attributes"]["http.method"] == "GET" and read["span_type"] == "LLM"
    assert list(read) == list(from_records.iloc[0]["spans"][0])  # the same keys, in the same order


def test_records_read_a_chunk_at_a_time_are_the_records_of_the_page(store, monkeypatch):
    from tracekit.store.sql import traces as sql_traces

    monkeypatch.setattr(sql_traces, "ID_CHUNK_SIZE", 2)  # five traces: three chunks
    traces = [build_trace(tags={"i": str(i)}, extra_spans=i % 2, duration_ms=None if i == 3 else 100)
              for i in range(5)]
    orphaned = traces[4]
    orphaned.data.spans.pop()
    store.write_traces(traces)
    for arguments in ({"max_results": None}, {"max_results": 3, "order_by": ["timestamp_ms ASC"]},
                      {"max_results": None, "filter_string": "tags.i != '1'"}):
        listed = store.search_trace_records(["0"], **arguments)
        streamed = [record for chunk in store.iter_trace_record_chunks(["0"], **arguments) for record in chunk]
        assert [(record.info, record.span_texts, record.root_index) for record in streamed] == [
            (record.info, record.span_texts, record.root_index) for record in listed]
        pd.testing.assert_frame_equal(traces_to_dataframe(streamed), traces_to_dataframe(listed))
    assert len(listed) == 4
