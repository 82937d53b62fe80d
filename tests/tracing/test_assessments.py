"""Feedback and expectations through the public API, on the default SQLite store: logged right after a traced call,
read back on the trace, in the DataFrame and in trace JSON, updated and deleted, with clear errors for bad input."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import AssessmentSource, Expectation, Feedback
from tracekit.exceptions import ResourceNotFoundError, TracekitException


@tracekit.trace
def answer(question: str) -> str:
    return "Paris"


@pytest.fixture
def trace_id() -> str:
    answer("capital of France?")
    return tracekit.get_last_active_trace_id()


def test_feedback_logged_right_after_the_traced_call_is_on_the_trace(trace_id):
    feedback = tracekit.log_feedback(trace_id, "correct", True, source=AssessmentSource("HUMAN", "alice"),
                                     rationale="Paris is right", metadata={"round": 1})
    assert isinstance(feedback, Feedback)
    assert feedback.trace_id == trace_id and feedback.assessment_id.startswith("a-")
    [stored] = tracekit.get_trace(trace_id).info.assessments
    assert stored == feedback
    assert (stored.source.source_type, stored.rationale, stored.metadata) == ("HUMAN", "Paris is right",
                                                                              {"round": "1"})


def test_expectation_and_feedback_come_back_in_the_dataframe_and_trace_json(trace_id):
    expectation = tracekit.log_expectation(trace_id, "expected_answer", "Paris")
    feedback = tracekit.log_feedback(trace_id, "score", 0.9)
    frame = tracekit.search_traces()
    assert frame["assessments"][0] == [expectation.to_dict(), feedback.to_dict()]
    back = tracekit.Trace.from_json(frame["trace"][0])
    assert back.info.assessments == [expectation, feedback]
    assert isinstance(back.info.assessments[0], Expectation)


def test_search_traces_as_a_list_carries_assessments(trace_id):
    feedback = tracekit.log_feedback(trace_id, "correct", "yes")
    [found] = tracekit.search_traces(return_type="list")
    assert found.info.assessments == [feedback]


def test_get_update_and_delete_round_trip(trace_id):
    feedback = tracekit.log_feedback(trace_id, "correct", True, rationale="looks right", metadata={"a": "1"})
    assert tracekit.get_assessment(trace_id, feedback.assessment_id) == feedback
    updated = tracekit.update_assessment(trace_id, feedback.assessment_id,
                                         Feedback(name="correct", value=False, rationale="it was Lyon",
                                                  metadata={"b": "2"}))
    assert (updated.value, updated.rationale, updated.metadata) == (False, "it was Lyon", {"a": "1", "b": "2"})
    assert updated.create_time_ms == feedback.create_time_ms
    assert updated.last_update_time_ms >= feedback.last_update_time_ms
    assert tracekit.get_assessment(trace_id, feedback.assessment_id) == updated
    tracekit.delete_assessment(trace_id, feedback.assessment_id)
    assert tracekit.get_trace(trace_id).info.assessments == []
    with pytest.raises(ResourceNotFoundError, match=feedback.assessment_id):
        tracekit.get_assessment(trace_id, feedback.assessment_id)


def test_feedback_can_record_why_a_judge_failed(trace_id):
    feedback = tracekit.log_feedback(trace_id, "judge", error=TimeoutError("judge took too long"))
    stored = tracekit.get_assessment(trace_id, feedback.assessment_id)
    assert stored.value is None
    assert (stored.error.error_code, stored.error.error_message) == ("TimeoutError", "judge took too long")


def test_client_offers_the_same_methods(trace_id):
    client = tracekit.TracekitClient()
    expectation = client.log_expectation(trace_id, "answer", {"city": "Paris"})
    assert client.get_assessment(trace_id, expectation.assessment_id).value == {"city": "Paris"}
    client.update_assessment(trace_id, expectation.assessment_id, Expectation(name="answer", value="Paris"))
    assert client.get_trace(trace_id).info.assessments[0].value == "Paris"
    client.delete_assessment(trace_id, expectation.assessment_id)


def test_unknown_trace_and_assessment_ids_are_named():
    missing = "tr-" + "0" * 32
    with pytest.raises(ResourceNotFoundError, match=missing):
        tracekit.log_feedback(missing, "correct", True)


def test_unknown_assessment_id_is_named(trace_id):
    with pytest.raises(ResourceNotFoundError, match="a-nope"):
        tracekit.get_assessment(trace_id, "a-nope")
    with pytest.raises(ResourceNotFoundError, match="a-nope"):
        tracekit.delete_assessment(trace_id, "a-nope")
    with pytest.raises(ResourceNotFoundError, match="a-nope"):
        tracekit.update_assessment(trace_id, "a-nope", Feedback(name="x", value=1))


@pytest.mark.parametrize("call, field", [
    (lambda t: tracekit.log_feedback("not-a-trace", "x", 1), "trace id"),
    (lambda t: tracekit.log_feedback(t, "", 1), "name"),
    (lambda t: tracekit.log_feedback(t, "x"), "value"),
    (lambda t: tracekit.log_feedback(t, "x", object()), "JSON-serializable"),
    (lambda t: tracekit.log_feedback(t, "x", 1, source="HUMAN"), "source"),
    (lambda t: tracekit.log_feedback(t, "x", 1, rationale=5), "rationale"),
    (lambda t: tracekit.log_feedback(t, "x", 1, metadata=["a"]), "metadata"),
    (lambda t: tracekit.log_feedback(t, "x", 1, span_id="zz"), "span_id"),
    (lambda t: tracekit.log_feedback(t, "x", error="boom"), "error"),
    (lambda t: tracekit.log_expectation(t, "x", None), "value"),
    (lambda t: tracekit.get_assessment(t, ""), "assessment_id"),
])
def test_bad_input_names_the_field(trace_id, call, field):
    with pytest.raises(TracekitException, match=field):
        call(trace_id)


def test_updating_a_feedback_with_an_expectation_is_refused(trace_id):
    feedback = tracekit.log_feedback(trace_id, "correct", True)
    with pytest.raises(TracekitException, match="Feedback"):
        tracekit.update_assessment(trace_id, feedback.assessment_id, Expectation(name="correct", value=1))


def test_a_running_trace_cannot_be_judged_yet():
    with tracekit.start_span("outer"):
        running = tracekit.get_active_trace_id()
        with pytest.raises(TracekitException, match="still running"):
            tracekit.log_feedback(running, "correct", True)


def test_an_assessment_built_beforehand_is_logged_as_it_is(trace_id):
    built = Feedback(name="relevance", value=0.8, rationale="mostly", source=AssessmentSource("LLM_JUDGE", "j"))
    stored = tracekit.log_assessment(trace_id, built)
    assert built.assessment_id is None  # the caller's object is left alone
    assert (stored.trace_id, stored.value, stored.rationale) == (trace_id, 0.8, "mostly")
    assert tracekit.get_trace(trace_id).info.assessments == [stored]


def test_many_assessments_are_logged_in_one_call_or_none_at_all():
    for question in ("a", "b", "c"):
        answer(question)
    trace_ids = [trace.info.trace_id for trace in tracekit.search_traces(return_type="list")]
    client = tracekit.TracekitClient()
    stored = client.log_assessments([Feedback(name="score", value=index, trace_id=trace_id)
                                     for index, trace_id in enumerate(trace_ids)])
    assert [item.value for item in stored] == [0, 1, 2]
    assert tracekit.search_traces(filter_string="feedback.score >= 1", return_type="list")[0].info.trace_id \
        == trace_ids[1]
    missing = "tr-" + "9" * 32
    with pytest.raises(ResourceNotFoundError, match=missing):
        client.log_assessments([Feedback(name="late", value=1, trace_id=trace_ids[0]),
                                Feedback(name="late", value=1, trace_id=missing)])
    assert tracekit.search_traces(filter_string="feedback.late = 1", return_type="list") == []
    with pytest.raises(TracekitException, match=r"assessments\[0\].*trace_id"):
        client.log_assessments([Feedback(name="orphan", value=1)])
