"""Assessments in SqlTraceStore on real SQLite, PostgreSQL and MariaDB: stored, read back on traces in a batch,
updated, deleted, deleted with their trace, and refused when they do not fit."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from tracekit.entities.assessment import AssessmentError, AssessmentSource, Expectation, Feedback, new_assessment_id
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.store.sql import schema
from tracekit.store.sql.traces import ID_CHUNK_SIZE


def feedback_on(trace_id: str, name: str = "correct", value=True, **kwargs) -> Feedback:
    return Feedback(name=name, value=value, trace_id=trace_id, assessment_id=new_assessment_id(), **kwargs)


@pytest.fixture
def stored_trace(store, make_trace):
    trace = make_trace()
    store.write_traces([trace])
    return trace


def test_logged_feedback_reads_back_equal_with_every_field(store, stored_trace):
    trace_id = stored_trace.info.trace_id
    span_id = stored_trace.data.spans[0].span_id
    feedback = feedback_on(trace_id, value={"score": 0.5, "labels": ["a", "ü"]}, span_id=span_id,
                           source=AssessmentSource("HUMAN", "alice"), rationale="half right 🌍",
                           metadata={"round": "2"}, error=AssessmentError("TIMEOUT", "slow", "stack"))
    store.log_assessment(feedback)
    assert store.get_assessment(trace_id, feedback.assessment_id) == feedback


def test_get_trace_and_search_carry_the_assessments_with_or_without_spans(store, stored_trace):
    trace_id = stored_trace.info.trace_id
    first = feedback_on(trace_id, create_time_ms=1000)
    second = Expectation(name="answer", value="Paris", trace_id=trace_id, assessment_id=new_assessment_id(),
                         create_time_ms=2000)
    store.log_assessment(second)
    store.log_assessment(first)
    assert store.get_trace(trace_id).info.assessments == [first, second]
    for include_spans in (True, False):
        [found] = store.search_traces(["0"], include_spans=include_spans)
        assert found.info.assessments == [first, second]


def test_assessments_of_a_page_are_read_in_one_query_per_chunk(store, make_trace):
    traces = [make_trace() for _ in range(ID_CHUNK_SIZE + 5)]
    store.write_traces(traces)
    for trace in traces:
        store.log_assessment(feedback_on(trace.info.trace_id))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        page = store.search_traces(["0"], max_results=None, include_spans=False)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert all(len(trace.info.assessments) == 1 for trace in page)
    assert sum("FROM assessments" in statement for statement in statements) == 2


def test_update_replaces_the_value_and_keeps_the_creation(store, stored_trace):
    feedback = feedback_on(stored_trace.info.trace_id, value="yes", rationale="looks right")
    store.log_assessment(feedback)
    feedback.value, feedback.rationale, feedback.last_update_time_ms = 3, None, feedback.create_time_ms + 5
    store.update_assessment(feedback)
    assert store.get_assessment(feedback.trace_id, feedback.assessment_id) == feedback


def test_delete_removes_one_assessment_and_then_it_is_not_found(store, stored_trace):
    keep, drop = feedback_on(stored_trace.info.trace_id), feedback_on(stored_trace.info.trace_id)
    store.log_assessment(keep)
    store.log_assessment(drop)
    store.delete_assessment(drop.trace_id, drop.assessment_id)
    assert store.get_trace(keep.trace_id).info.assessments == [keep]
    with pytest.raises(ResourceNotFoundError, match=drop.assessment_id):
        store.delete_assessment(drop.trace_id, drop.assessment_id)
    with pytest.raises(ResourceNotFoundError, match=drop.assessment_id):
        store.get_assessment(drop.trace_id, drop.assessment_id)


def test_unknown_trace_is_named_in_the_error(store):
    missing = "tr-" + "e" * 32
    with pytest.raises(ResourceNotFoundError, match=missing):
        store.log_assessment(feedback_on(missing))
    with pytest.raises(ResourceNotFoundError, match=missing):
        store.get_assessment(missing, new_assessment_id())


def test_an_assessment_is_only_found_on_its_own_trace(store, make_trace):
    one, other = make_trace(), make_trace()
    store.write_traces([one, other])
    feedback = feedback_on(one.info.trace_id)
    store.log_assessment(feedback)
    with pytest.raises(ResourceNotFoundError, match=feedback.assessment_id):
        store.get_assessment(other.info.trace_id, feedback.assessment_id)


def test_deleting_traces_deletes_their_assessments(store, stored_trace):
    store.log_assessment(feedback_on(stored_trace.info.trace_id))
    assert store.delete_traces("0", trace_ids=[stored_trace.info.trace_id]) == 1
    with store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(schema.assessments)) == 0


def test_rewriting_a_trace_keeps_its_assessments(store, stored_trace):
    feedback = feedback_on(stored_trace.info.trace_id)
    store.log_assessment(feedback)
    store.write_traces([stored_trace])
    assert store.get_trace(feedback.trace_id).info.assessments == [feedback]


@pytest.mark.parametrize("change, field", [
    ({"name": "n" * 251}, "name"),
    ({"value": "v" * 100_001}, "value"),
    ({"value": float("nan")}, "value"),
    ({"rationale": "r" * 100_001}, "rationale"),
    ({"span_id": "not-a-span"}, "span_id"),
    ({"metadata": {"k": "v" * 8001}}, "metadata"),
])
def test_what_does_not_fit_is_refused_naming_the_field(store, stored_trace, change, field):
    with pytest.raises(TracekitException, match=field):
        store.log_assessment(feedback_on(stored_trace.info.trace_id, **change))


# --- filters ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def judged(store, make_trace):
    """Four traces: yes/True/0.9 feedback, no/False/0.2, a failed judge, and none; expectations on the first two."""
    traces = {name: make_trace() for name in ("good", "bad", "failed", "unjudged")}
    store.write_traces(list(traces.values()))
    ids = {name: trace.info.trace_id for name, trace in traces.items()}
    for name, (verdict, correct, score) in {"good": ("yes", True, 0.9), "bad": ("no", False, 0.2)}.items():
        store.log_assessment(feedback_on(ids[name], "verdict", verdict))
        store.log_assessment(feedback_on(ids[name], "correct", correct))
        store.log_assessment(feedback_on(ids[name], "score", score))
        store.log_assessment(Expectation(name="answer", value="Paris" if name == "good" else 3, trace_id=ids[name],
                                         assessment_id=new_assessment_id()))
    store.log_assessment(feedback_on(ids["failed"], "verdict", None, error=AssessmentError("TIMEOUT")))
    return ids


@pytest.mark.parametrize("filter_string, expected", [
    ("feedback.verdict = 'yes'", {"good"}),
    ("feedback.verdict != 'yes'", {"bad"}),
    ("feedback.verdict IN ('yes', 'no')", {"good", "bad"}),
    ("feedback.verdict NOT IN ('yes')", {"bad"}),
    ("feedback.correct = true", {"good"}),
    ("feedback.correct = FALSE", {"bad"}),
    ("feedback.correct = 'true'", set()),
    ("feedback.score > 0.5", {"good"}),
    ("feedback.score <= 0.2", {"bad"}),
    ("feedback.score = 0.9", {"good"}),
    ("feedback.score >= 0", {"good", "bad"}),
    ("expectation.answer = 'Paris'", {"good"}),
    ("expectation.answer = 3", {"bad"}),
    ("expectation.answer = 3.0", {"bad"}),
    ("feedback.answer = 'Paris'", set()),
    ("expectation.verdict = 'yes'", set()),
    ("feedback.verdict = 'yes' OR feedback.score < 0.5", {"good", "bad"}),
    ("feedback.verdict = 'yes' AND feedback.score < 0.5", set()),
    ("feedback.`verdict` = 'no' AND tags.missing != 'x'", set()),
])
def test_feedback_and_expectation_filters(store, judged, filter_string, expected):
    found = {trace.info.trace_id for trace in store.search_traces(["0"], filter_string, max_results=None)}
    assert found == {judged[name] for name in expected}


def test_values_json_reads_back_exactly_big_integers_included(store, stored_trace):
    value = {"big": 2**70, "nested": [1.5, None, True, "ü"], "empty": {}}
    feedback = feedback_on(stored_trace.info.trace_id, value=value)
    store.log_assessment(feedback)
    assert store.get_trace(feedback.trace_id).info.assessments[0].value == value


def test_many_assessments_are_stored_in_one_transaction_or_not_at_all(store, make_trace):
    traces = [make_trace() for _ in range(3)]
    store.write_traces(traces)
    batch = [feedback_on(trace.info.trace_id, "score", index) for index, trace in enumerate(traces)]
    store.log_assessments(batch)
    assert [store.get_trace(trace.info.trace_id).info.assessments for trace in traces] == [[item] for item in batch]
    missing = "tr-" + "c" * 32
    with pytest.raises(ResourceNotFoundError, match=missing):
        store.log_assessments([feedback_on(traces[0].info.trace_id, "late"), feedback_on(missing, "late")])
    assert list(store.search_traces(["0"], "feedback.late = true")) == []
