"""The DataFrame's path from stored rows: records made from the trace_info fields (no `TraceInfo` unless asked for),
handed over a chunk at a time, writing the same bytes as `Trace.to_json` of the same stored trace."""

from __future__ import annotations

import orjson
import pandas as pd
from trace_builders import build_trace

import tracekit
from tracekit.dataframes import chunks_to_dataframe, traces_to_dataframe
from tracekit.entities import TraceState
from tracekit.entities.assessment import AssessmentSource, Expectation, Feedback, new_assessment_id
from tracekit.store.trace_records import TraceRecord
from tracekit.store.trace_store import TraceStore


def _stored_variety(store) -> list[str]:
    """Trace ids of stored traces with every info field set (and assessments), and with the optional ones None."""
    full = build_trace(tags={"env": "prod", "ünï": "cödé"}, metadata={"k": "v"}, client_request_id="req-1",
                       run_id="run-1", model_id="m-1", inputs={"q": "x" * 3000}, outputs={"a": "y"})
    bare = build_trace(duration_ms=None, state=TraceState.IN_PROGRESS)
    bare.info.request_preview = bare.info.response_preview = None
    errored = build_trace(state=TraceState.ERROR)
    store.write_traces([full, bare, errored])
    store.log_assessment(Feedback(name="good", value=True, trace_id=full.info.trace_id,
                                  assessment_id=new_assessment_id(), rationale="fine",
                                  source=AssessmentSource(source_type="HUMAN", source_id="me")))
    store.log_assessment(Expectation(name="answer", value={"text": "y"}, trace_id=full.info.trace_id,
                                     assessment_id=new_assessment_id()))
    return [full.info.trace_id, bare.info.trace_id, errored.info.trace_id]


def test_a_stored_record_writes_the_bytes_of_the_stored_traces_to_json(store):
    ids = _stored_variety(store)
    traces = {trace.info.trace_id: trace for trace in store.search_traces(["0"], max_results=None)}
    records = store.search_trace_records(["0"], max_results=None)
    assert sorted(record.info_dict()["trace_id"] for record in records) == sorted(ids)
    assert len(traces[ids[0]].info.assessments) == 2
    frame = traces_to_dataframe(records)
    for trace_id, trace_json in zip(frame["trace_id"], frame["trace"], strict=True):
        assert trace_json == traces[trace_id].to_json()
    fresh = store.search_trace_records(["0"], max_results=None)
    for record in fresh:
        expected = orjson.dumps(traces[record.info_dict()["trace_id"]].info.to_dict())
        assert orjson.dumps(record.info_dict()) == expected  # made from the fields, before `info` exists
        assert orjson.dumps(record.info.to_dict()) == expected and record.info == traces[record.info.trace_id].info


def test_info_dict_hands_out_fresh_copies(store):
    store.write_traces([build_trace(tags={"env": "prod"})])
    record = store.search_trace_records(["0"])[0]
    first = record.info_dict()
    first["tags"]["env"] = "changed"
    first["trace_metadata"].clear()
    assert record.info_dict()["tags"] == {"env": "prod"} and record.tags == {"env": "prod"}
    assert record.info.tags == {"env": "prod"} and record.info_dict()["trace_metadata"]


def test_a_record_from_fields_makes_its_info_only_when_read():
    trace = build_trace(tags={"a": "1"})
    info = trace.info
    fields = (info.trace_id, info.experiment_id, info.request_time, info.execution_duration, info.state.value,
              info.request_preview, info.response_preview, info.client_request_id, dict(info.trace_metadata),
              dict(info.tags), [])
    record = TraceRecord.from_fields(fields, ["{}"], 0)
    assert record.tags == {"a": "1"} and record.info_dict() == info.to_dict()
    assert record.info == info and record.info.state is TraceState.OK
    assert record == TraceRecord(info, ["{}"], 0) and "TraceRecord(info=" in repr(record)


def test_chunks_hold_the_records_of_the_page_in_order(store, monkeypatch):
    from tracekit.store.sql import traces as sql_traces

    monkeypatch.setattr(sql_traces, "ID_CHUNK_SIZE", 2)
    store.write_traces([build_trace(tags={"i": str(i)}) for i in range(5)])
    chunks = list(store.iter_trace_record_chunks(["0"], max_results=None, order_by=["timestamp_ms ASC"]))
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    listed = store.search_trace_records(["0"], max_results=None, order_by=["timestamp_ms ASC"])
    assert [record for chunk in chunks for record in chunk] == list(listed)
    frame = chunks_to_dataframe(chunks)
    assert all(item is None for chunk in chunks for item in chunk)  # each handed-over record dropped as a row
    pd.testing.assert_frame_equal(frame, traces_to_dataframe(listed))


def test_the_default_chunks_are_the_first_page(store):
    traces = [build_trace() for _ in range(3)]
    store.write_traces(traces)
    chunks = list(TraceStore.iter_trace_record_chunks(store, ["0"], max_results=2, order_by=["timestamp_ms ASC"]))
    assert [[item.info.trace_id for item in chunk] for chunk in chunks] == [
        [trace.info.trace_id for trace in traces[:2]]]


def test_search_traces_frame_matches_the_listed_traces(db_uri):
    tracekit.set_tracking_uri(db_uri)
    from tracekit.store.backend import get_backend

    ids = _stored_variety(get_backend(db_uri).traces)
    frame = tracekit.search_traces(["0"], max_results=None)
    listed = {trace.info.trace_id: trace for trace in tracekit.search_traces(["0"], max_results=None,
                                                                            return_type="list")}
    assert sorted(frame["trace_id"]) == sorted(ids)
    for trace_id, trace_json in zip(frame["trace_id"], frame["trace"], strict=True):
        assert trace_json == listed[trace_id].to_json()
