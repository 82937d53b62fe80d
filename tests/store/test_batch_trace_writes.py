"""Writes `tracekit.genai.evaluate` makes per chunk of rows, in one transaction each, on real SQLite, PostgreSQL and
MariaDB: many assessments at once (`log_assessments`) and one tag on many traces (`set_tag_on_traces`); a trace
that is not stored fails the whole batch, naming it, and nothing is written."""

from __future__ import annotations

import pytest

from tracekit.entities.assessment import Feedback, new_assessment_id
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.store.sql.traces import ID_CHUNK_SIZE

MISSING = "tr-" + "0" * 31 + "9"


def feedback(trace_id: str, value=True) -> Feedback:
    return Feedback(name="correct", value=value, trace_id=trace_id, assessment_id=new_assessment_id())


@pytest.fixture
def stored(store, make_trace):
    traces = [make_trace() for _ in range(ID_CHUNK_SIZE + 3)]  # more than one IN (...) chunk
    store.write_traces(traces)
    return [trace.info.trace_id for trace in traces]


def test_many_assessments_are_stored_at_once(store, stored):
    batch = [feedback(trace_id, value=i) for i, trace_id in enumerate(stored)]
    store.log_assessments(batch)
    assert [store.get_trace(trace_id).info.assessments for trace_id in stored[:2]] == [[batch[0]], [batch[1]]]
    assert store.get_trace(stored[-1]).info.assessments == [batch[-1]]


def test_an_assessment_on_a_trace_not_stored_fails_the_batch_and_stores_nothing(store, stored):
    with pytest.raises(ResourceNotFoundError, match=MISSING):
        store.log_assessments([feedback(stored[0]), feedback(MISSING)])
    assert store.get_trace(stored[0]).info.assessments == []


def test_one_tag_is_set_on_many_traces(store, stored):
    store.set_trace_tag(stored[0], "evaluated_by", "old")
    store.set_tag_on_traces(stored, "evaluated_by", "run-1")
    assert {store.get_trace(trace_id).info.tags["evaluated_by"] for trace_id in stored} == {"run-1"}


def test_tagging_a_trace_not_stored_fails_and_tags_nothing(store, stored):
    with pytest.raises(ResourceNotFoundError, match=MISSING):
        store.set_tag_on_traces([stored[0], MISSING], "evaluated_by", "run-1")
    assert "evaluated_by" not in store.get_trace(stored[0]).info.tags


def test_tags_too_long_are_refused_for_many_as_for_one(store, stored):
    with pytest.raises(TracekitException, match="Tag keys must be 1 to"):
        store.set_tag_on_traces(stored, "k" * 1000, "v")


def test_empty_batches_write_nothing(store, stored):
    store.log_assessments([])
    store.set_tag_on_traces([], "evaluated_by", "run-1")
    # an empty id list must not become an unfiltered write to every stored trace
    for trace_id in (stored[0], stored[-1]):
        info = store.get_trace(trace_id).info
        assert info.assessments == [] and "evaluated_by" not in info.tags
