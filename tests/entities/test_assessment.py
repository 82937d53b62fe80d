"""Assessment entities: validation of what a caller passes, and the dict round trip the stores rely on."""

import pytest

from tracekit.entities.assessment import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    Expectation,
    Feedback,
)
from tracekit.exceptions import TracekitException


def test_feedback_round_trips_through_a_dict_with_its_rationale_and_error():
    feedback = Feedback(name="correct", value=False, source=AssessmentSource("llm_judge", "gpt-judge"),
                        trace_id="tr-1", span_id="abc", metadata={"round": 2}, rationale="wrong capital",
                        error=AssessmentError("TIMEOUT", "judge timed out"), assessment_id="a-1")
    back = Assessment.from_dict(feedback.to_dict())
    assert isinstance(back, Feedback)
    assert back == feedback
    assert back.source.source_type == "LLM_JUDGE"
    assert back.metadata == {"round": "2"}


def test_expectation_round_trips_and_defaults_to_a_code_source():
    expectation = Expectation(name="answer", value={"city": "Paris"})
    back = Assessment.from_dict(expectation.to_dict())
    assert isinstance(back, Expectation)
    assert back.value == {"city": "Paris"}
    assert back.source == AssessmentSource("CODE", "default")
    assert back.last_update_time_ms == back.create_time_ms


@pytest.mark.parametrize("kwargs, fragment", [
    ({"name": ""}, "name must be a non-empty string"),
    ({"name": "ok", "value": object()}, "JSON-serializable"),
    ({"name": "ok", "source": "HUMAN"}, "must be an AssessmentSource"),
    ({"name": "ok", "metadata": ["x"]}, "metadata must be a dict"),
])
def test_bad_feedback_names_what_was_wrong(kwargs, fragment):
    with pytest.raises(TracekitException, match=fragment):
        Feedback(**kwargs)


def test_an_unknown_source_type_lists_the_allowed_ones():
    with pytest.raises(TracekitException, match="HUMAN, LLM_JUDGE, CODE"):
        AssessmentSource("ROBOT", "r2")


def test_an_error_from_an_exception_keeps_its_type_message_and_stack():
    try:
        raise ValueError("scorer broke")
    except ValueError as exc:
        error = AssessmentError.from_exception(exc)
    assert error.error_code == "ValueError"
    assert error.error_message == "scorer broke"
    assert "raise ValueError" in (error.stack_trace or "")


def test_from_dict_refuses_an_unknown_kind():
    with pytest.raises(TracekitException, match="kind must be"):
        Assessment.from_dict({"kind": "opinion", "name": "x"})
