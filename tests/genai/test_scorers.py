"""`@tracekit.genai.scorer` and `Scorer` subclasses: parameters bound by name, checked when the scorer is defined,
and what a scorer may return."""

from __future__ import annotations

import numpy as np
import pytest

import tracekit
from tracekit.entities.assessment import AssessmentSource, Feedback
from tracekit.genai import Scorer, scorer
from tracekit.genai.scorers import to_feedbacks


def test_bare_decorator_makes_a_scorer_named_after_the_function():
    @scorer
    def exact_match(outputs, expectations):
        return outputs == expectations["answer"]

    assert isinstance(exact_match, Scorer)
    assert exact_match.name == "exact_match"
    assert exact_match.aggregations == ["mean"]
    assert exact_match.parameters == ("outputs", "expectations")


def test_decorator_with_arguments_sets_name_and_aggregations():
    @tracekit.genai.scorer(name="correct", aggregations=["min", "max", "p90"])
    def correctness(outputs):
        return 1.0

    assert correctness.name == "correct"
    assert correctness.aggregations == ["min", "max", "p90"]


def test_the_decorated_function_can_still_be_called_directly():
    @scorer
    def length(outputs):
        return len(outputs)

    assert length("four") == 4
    assert length(outputs="four") == 4


def test_only_the_parameters_a_scorer_asks_for_are_passed():
    seen = {}

    @scorer
    def spy(expectations, inputs):
        seen.update(inputs=inputs, expectations=expectations)
        return True

    assert spy.run(inputs={"q": 1}, outputs="ignored", expectations={"a": 2}, trace=None) is True
    assert seen == {"inputs": {"q": 1}, "expectations": {"a": 2}}


def test_a_scorer_with_var_keyword_gets_everything():
    @scorer
    def everything(**row):
        return sorted(row)

    assert everything.run(inputs=1, outputs=2, expectations=3, trace=4) == [
        "expectations", "inputs", "outputs", "trace"]


def test_a_parameter_with_a_default_and_another_name_is_left_alone():
    @scorer
    def threshold(outputs, limit=3):
        return len(outputs) <= limit

    assert threshold.run(outputs="abcd") is False


def test_an_unknown_parameter_is_refused_when_the_function_is_decorated():
    with pytest.raises(tracekit.TracekitException, match=r"'answer'.*inputs, outputs, expectations, trace"):
        @scorer
        def wrong(outputs, answer):
            return True


def test_an_unknown_parameter_of_a_subclass_is_refused_when_the_class_is_defined():
    with pytest.raises(tracekit.TracekitException, match=r"Scorer 'Wrong' asks for a parameter 'prediction'"):
        class Wrong(Scorer):
            def __call__(self, prediction):
                return True


def test_positional_only_parameters_are_refused():
    with pytest.raises(tracekit.TracekitException, match="positional-only"):
        @scorer
        def positional(outputs, /):
            return True


def test_a_subclass_is_named_after_its_class_unless_named():
    class Politeness(Scorer):
        def __call__(self, outputs):
            return "please" in outputs

    assert Politeness().name == "Politeness"
    assert Politeness(name="polite").name == "polite"
    assert Politeness().run(outputs="please help") is True


def test_a_subclass_may_set_name_and_aggregations_as_class_attributes():
    class Length(Scorer):
        name = "length"
        aggregations = ["max"]

        def __call__(self, outputs):
            return len(outputs)

    length = Length()
    assert (length.name, length.aggregations) == ("length", ["max"])


def test_a_subclass_with_its_own_init_still_binds_parameters():
    class Contains(Scorer):
        def __init__(self, word):
            self.word = word

        def __call__(self, outputs):
            return self.word in outputs

    contains = Contains("yes")
    assert contains.run(outputs="yes please") is True
    assert contains.name == "Contains"


@pytest.mark.parametrize("name", ["", "a/b", 3])
def test_bad_scorer_names_are_refused(name):
    with pytest.raises(tracekit.TracekitException, match="name"):
        scorer(name=name)(lambda outputs: True)


@pytest.mark.parametrize("aggregations", [["average"], "mean", [3]])
def test_bad_aggregations_are_refused(aggregations):
    with pytest.raises(tracekit.TracekitException, match="aggregation"):
        scorer(aggregations=aggregations)(lambda outputs: True)


@pytest.mark.parametrize("returned, value", [
    (True, True), (0.5, 0.5), (3, 3), ("yes", "yes"), (np.float64(0.25), 0.25), (np.int64(7), 7),
    (np.bool_(True), True)])
def test_plain_values_become_one_feedback_from_the_scorer(returned, value):
    judge = scorer(name="judge")(lambda outputs: returned)
    [feedback] = to_feedbacks(returned, judge)
    assert feedback.name == "judge"
    assert feedback.value == value and type(feedback.value) is type(value)
    assert feedback.source == AssessmentSource("CODE", "judge")


def test_feedback_returned_keeps_its_name_and_rationale_and_gets_the_scorers_source():
    judge = scorer(name="judge")(lambda outputs: None)
    returned = [Feedback(name="tone", value="calm", rationale="no shouting"),
                Feedback(name="length", value=12, source=AssessmentSource("LLM_JUDGE", "gpt"))]
    tone, length = to_feedbacks(returned, judge)
    assert (tone.name, tone.value, tone.rationale) == ("tone", "calm", "no shouting")
    assert tone.source == AssessmentSource("CODE", "judge")
    assert length.source == AssessmentSource("LLM_JUDGE", "gpt")


@pytest.mark.parametrize("returned", [None, [], {"score": 1}, [1, 2], object()])
def test_other_return_values_are_refused_naming_the_scorer(returned):
    judge = scorer(name="judge")(lambda outputs: returned)
    with pytest.raises(tracekit.TracekitException, match="Scorer 'judge' returned"):
        to_feedbacks(returned, judge)


def test_a_feedback_without_value_or_error_is_refused():
    judge = scorer(name="judge")(lambda outputs: None)
    with pytest.raises(tracekit.TracekitException, match="Feedback 'empty' with neither a value nor an error"):
        to_feedbacks(Feedback(name="empty"), judge)
