"""`tracekit.genai.evaluate` against a real SQLite tracking store: scores stored as feedback on each row's trace,
aggregates as metrics of the evaluation run, a per-row results table, and traces linked to the run."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from genai_helpers import feedback_on

import tracekit
from tracekit.entities.assessment import AssessmentSource, Feedback
from tracekit.genai import Scorer, scorer


@scorer
def exact_match(outputs, expectations):
    return outputs == expectations["answer"]


@scorer
def answer_length(outputs):
    return len(outputs)


def answer(question: str) -> str:
    return {"2+2?": "4", "capital of France?": "Paris"}.get(question, "no idea")


# --- rows with outputs ----------------------------------------------------------------------------------------
def test_each_score_is_stored_as_code_feedback_on_a_trace_made_for_its_row(qa_rows):
    result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match, answer_length])
    table = result.tables["eval_results_table"]
    assert len(table) == 3
    for row, trace_id in zip(qa_rows, table["trace_id"], strict=True):
        trace = tracekit.get_trace(trace_id)
        assert trace.data.root_span.inputs == row["inputs"]
        assert trace.data.root_span.outputs == row["outputs"]
        stored = feedback_on(trace_id)
        assert stored["exact_match"].value is (row["outputs"] == row["expectations"]["answer"])
        assert stored["exact_match"].source == AssessmentSource("CODE", "exact_match")
        assert stored["answer_length"].value == len(row["outputs"])


def test_aggregates_are_metrics_of_a_new_run_that_is_ended(qa_rows):
    result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match, answer_length])
    assert result.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    assert result.metrics["answer_length/mean"] == pytest.approx((1 + 5 + 1) / 3)
    assert result.metrics["exact_match/error_count"] == 0
    run = tracekit.get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    assert run.data.tags["tracekit.evaluation"] == "genai"
    assert tracekit.active_run() is None


def test_the_evaluations_traces_are_found_by_its_run_id(qa_rows):
    result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match])
    found = tracekit.search_traces(run_id=result.run_id)
    assert sorted(found["trace_id"]) == sorted(result.tables["eval_results_table"]["trace_id"])
    tagged = tracekit.search_traces(filter_string=f"tags.`tracekit.evaluationRun` = '{result.run_id}'")
    assert len(tagged) == 3


def test_an_active_run_is_used_and_left_running(qa_rows):
    with tracekit.start_run(run_name="nightly") as run:
        result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match])
        assert result.run_id == run.info.run_id
        assert tracekit.active_run().info.run_id == run.info.run_id
    assert tracekit.get_run(run.info.run_id).data.metrics["exact_match/mean"] == pytest.approx(2 / 3)


def test_results_table_has_one_row_per_data_row_with_a_column_per_score(qa_rows):
    table = tracekit.genai.evaluate(qa_rows, scorers=[exact_match, answer_length]).tables["eval_results_table"]
    assert list(table.columns) == ["inputs", "outputs", "expectations", "trace_id", "error", "exact_match",
                                   "exact_match/error", "answer_length", "answer_length/error"]
    assert table["exact_match"].tolist() == [True, True, False]
    assert table["answer_length"].tolist() == [1, 5, 1]
    assert table["inputs"].tolist() == [row["inputs"] for row in qa_rows]
    assert table["expectations"][2] == {"answer": "9"}
    assert table["error"].isna().all()


def test_a_dataframe_works_like_a_list_of_dicts(qa_rows):
    result = tracekit.genai.evaluate(pd.DataFrame(qa_rows), scorers=[exact_match])
    assert result.metrics["exact_match/mean"] == pytest.approx(2 / 3)


def test_string_scores_are_counted_and_aggregations_chosen_by_the_scorer_are_logged(qa_rows):
    @scorer
    def verdict(outputs, expectations):
        return "right" if outputs == expectations["answer"] else "wrong"

    @scorer(aggregations=["min", "max", "median", sum])
    def length(outputs):
        return len(outputs)

    metrics = tracekit.genai.evaluate(qa_rows, scorers=[verdict, length]).metrics
    assert metrics["verdict/count/right"] == 2
    assert metrics["verdict/count/wrong"] == 1
    assert (metrics["length/min"], metrics["length/max"], metrics["length/median"], metrics["length/sum"]) == (
        1, 5, 1, 7)
    assert "length/mean" not in metrics


def test_feedback_objects_keep_their_names_and_rationales(qa_rows):
    @scorer
    def judged(outputs, expectations):
        right = outputs == expectations["answer"]
        return [Feedback(name="correct", value=right, rationale="matches" if right else "differs"),
                Feedback(name="confident", value=0.9)]

    result = tracekit.genai.evaluate(qa_rows, scorers=[judged])
    table = result.tables["eval_results_table"]
    assert table["correct/rationale"].tolist() == ["matches", "matches", "differs"]
    assert result.metrics["confident/mean"] == pytest.approx(0.9)
    stored = feedback_on(table["trace_id"][2])
    assert (stored["correct"].value, stored["correct"].rationale) == (False, "differs")
    assert stored["correct"].source == AssessmentSource("CODE", "judged")


def test_a_scorer_subclass_is_used_like_a_decorated_function(qa_rows):
    class ContainsDigit(Scorer):
        def __call__(self, outputs):
            return any(c.isdigit() for c in outputs)

    result = tracekit.genai.evaluate(qa_rows, scorers=[ContainsDigit()])
    assert result.metrics["ContainsDigit/mean"] == pytest.approx(2 / 3)


# --- a scorer that fails ---------------------------------------------------------------------------------------
def test_a_raising_scorer_is_recorded_as_error_feedback_and_the_evaluation_completes(qa_rows, caplog):
    @scorer
    def picky(outputs):
        if outputs == "Paris":
            raise ValueError("cannot judge cities")
        return 1.0

    with caplog.at_level(logging.WARNING, logger="tracekit.genai"):
        result = tracekit.genai.evaluate(qa_rows, scorers=[picky, exact_match])
    assert result.metrics["picky/error_count"] == 1
    assert result.metrics["picky/mean"] == 1.0
    assert result.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    table = result.tables["eval_results_table"]
    assert table["picky/error"].tolist() == [None, "ValueError: cannot judge cities", None]
    failed = feedback_on(table["trace_id"][1])["picky"]
    assert failed.value is None
    assert failed.error.error_code == "ValueError"
    assert "cannot judge cities" in failed.error.error_message
    assert "Traceback" in failed.error.stack_trace
    assert "scorer 'picky' failed on 1 of 3 rows" in caplog.text
    assert tracekit.get_run(result.run_id).info.status == "FINISHED"


def test_a_scorer_returning_something_unusable_counts_as_failed(qa_rows):
    @scorer
    def nothing(outputs):
        return None

    result = tracekit.genai.evaluate(qa_rows, scorers=[nothing])
    assert result.metrics["nothing/error_count"] == 3
    assert "returned None" in result.tables["eval_results_table"]["nothing/error"][0]


# --- predict_fn -----------------------------------------------------------------------------------------------
def test_each_predict_fn_call_is_traced_under_a_root_span_and_scored():
    rows = [{"inputs": {"question": "2+2?"}, "expectations": {"answer": "4"}},
            {"inputs": {"question": "5-1?"}, "expectations": {"answer": "4"}}]
    result = tracekit.genai.evaluate(rows, predict_fn=answer, scorers=[exact_match])
    table = result.tables["eval_results_table"]
    assert table["outputs"].tolist() == ["4", "no idea"]
    assert table["exact_match"].tolist() == [True, False]
    trace = tracekit.get_trace(table["trace_id"][0])
    assert trace.data.root_span.name == "answer"
    assert trace.data.root_span.inputs == {"question": "2+2?"}
    assert trace.data.root_span.outputs == "4"
    assert trace.info.trace_metadata["tracekit.sourceRun"] == result.run_id
    assert feedback_on(table["trace_id"][1])["exact_match"].value is False


def test_a_traced_predict_fn_nests_its_own_spans_under_the_root():
    @tracekit.trace(name="answer_inner")
    def traced(question):
        return answer(question)

    result = tracekit.genai.evaluate([{"inputs": {"question": "2+2?"}}], predict_fn=traced,
                                     scorers=[answer_length])
    spans = tracekit.get_trace(result.tables["eval_results_table"]["trace_id"][0]).data.spans
    by_name = {span.name: span for span in spans}
    assert by_name["answer_inner"].parent_id == by_name["traced"].span_id


def test_predict_fn_traces_are_linked_to_model_id_and_metrics_too():
    model = tracekit.create_external_model(name="qa-bot")
    result = tracekit.genai.evaluate([{"inputs": {"question": "2+2?"}, "expectations": {"answer": "4"}}],
                                     predict_fn=answer, scorers=[exact_match], model_id=model.model_id)
    assert len(tracekit.search_traces(model_id=model.model_id)) == 1
    assert tracekit.get_logged_model(model.model_id).metrics[0].key in result.metrics


def test_scorers_asking_for_the_trace_get_the_finished_trace():
    @scorer
    def span_count(trace):
        return len(trace.data.spans)

    @tracekit.trace
    def two_steps(question):
        with tracekit.start_span("lookup"):
            return answer(question)

    result = tracekit.genai.evaluate([{"inputs": {"question": "2+2?"}}], predict_fn=two_steps,
                                     scorers=[span_count])
    assert result.metrics["span_count/mean"] == 3  # evaluate's root, two_steps, lookup


def test_a_raising_predict_fn_fails_its_row_only(caplog):
    def flaky(question):
        if question == "boom":
            raise RuntimeError("model down")
        return "ok"

    with caplog.at_level(logging.WARNING, logger="tracekit.genai"):
        result = tracekit.genai.evaluate([{"inputs": {"question": "boom"}}, {"inputs": {"question": "fine"}}],
                                         predict_fn=flaky, scorers=[answer_length])
    table = result.tables["eval_results_table"]
    assert table["error"][0] == "predict_fn raised RuntimeError: model down"
    assert table["answer_length"].tolist()[1] == 2
    assert result.metrics["predict_fn/error_count"] == 1
    assert tracekit.get_trace(table["trace_id"][0]).info.state.value == "ERROR"
    assert "predict_fn raised on 1 of 2 rows" in caplog.text


def test_with_tracing_disabled_scores_are_still_computed_and_returned(qa_rows):
    tracekit.tracing.disable()
    result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match])
    assert result.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    assert result.tables["eval_results_table"]["trace_id"].isna().all()
    tracekit.tracing.enable()
    assert tracekit.search_traces(run_id=result.run_id).empty


# --- stored traces ------------------------------------------------------------------------------------------------
def test_search_traces_result_is_scored_on_the_stored_traces_with_their_expectations():
    with tracekit.start_run(run_name="production") as production:
        for question in ("2+2?", "capital of France?", "3*3?"):
            with tracekit.start_span("app") as span:
                span.set_inputs({"question": question})
                span.set_outputs(answer(question))
    stored = tracekit.search_traces(run_id=production.info.run_id)
    for trace_id, request in zip(stored["trace_id"], stored["request"], strict=True):
        expected = {"2+2?": "4", "capital of France?": "Paris", "3*3?": "9"}[request["question"]]
        tracekit.log_expectation(trace_id, "answer", expected)

    result = tracekit.genai.evaluate(tracekit.search_traces(run_id=production.info.run_id),
                                     scorers=[exact_match])
    assert result.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    table = result.tables["eval_results_table"]
    assert set(table["trace_id"]) == set(stored["trace_id"])
    assert tracekit.count_traces(run_id=production.info.run_id) == 3, "no new traces were made"
    for trace_id in stored["trace_id"]:
        trace = tracekit.get_trace(trace_id)
        assert "exact_match" in feedback_on(trace_id)
        assert trace.info.tags["tracekit.evaluationRun"] == result.run_id
        assert trace.info.trace_metadata["tracekit.sourceRun"] == production.info.run_id


def test_a_search_traces_frame_with_extracted_columns_is_still_recognised():
    with tracekit.start_span("app") as span:
        span.set_inputs({"question": "2+2?"})
        span.set_outputs("4")
    frame = tracekit.search_traces(extract_fields=["app.outputs"])
    assert "app.outputs" in frame.columns
    result = tracekit.genai.evaluate(frame, scorers=[answer_length])
    assert result.tables["eval_results_table"]["inputs"].tolist() == [{"question": "2+2?"}]


def test_a_list_of_traces_is_scored_too():
    with tracekit.start_span("app") as span:
        span.set_inputs({"question": "2+2?"})
        span.set_outputs("4")
    trace = tracekit.get_last_active_trace()
    result = tracekit.genai.evaluate([trace], scorers=[answer_length])
    assert result.tables["eval_results_table"]["trace_id"].tolist() == [trace.info.trace_id]
    assert feedback_on(trace.info.trace_id)["answer_length"].value == 1


def test_a_trace_that_is_not_stored_fails_its_row_only_and_the_others_are_stored(caplog):
    with tracekit.start_span("app") as span:
        span.set_outputs("stored")
    stored = tracekit.get_last_active_trace()
    elsewhere = tracekit.Trace.from_dict(stored.to_dict())
    elsewhere.info.trace_id = "tr-" + "e" * 32  # a trace from another tracking store
    with caplog.at_level(logging.WARNING, logger="tracekit.genai"):
        result = tracekit.genai.evaluate([stored, elsewhere], scorers=[answer_length])
    table = result.tables["eval_results_table"]
    assert table["error"][0] is None
    assert "scores not logged on trace tr-eeee" in table["error"][1] and "not found" in table["error"][1]
    assert feedback_on(stored.info.trace_id)["answer_length"].value == len("stored")
    assert "row 1: scores not logged" in caplog.text


def test_expectations_given_in_the_data_win_over_stored_ones():
    with tracekit.start_span("app") as span:
        span.set_outputs("4")
    trace_id = tracekit.get_last_active_trace_id()
    tracekit.log_expectation(trace_id, "answer", "5")
    frame = tracekit.search_traces()
    frame = frame.assign(expectations=[{"answer": "4"}])[["trace", "expectations"]]
    assert tracekit.genai.evaluate(frame, scorers=[exact_match]).metrics["exact_match/mean"] == 1.0


# --- bad input ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    ([], "holds no rows"),
    (pd.DataFrame(columns=["inputs", "outputs"]), "holds no rows"),
    (None, "data is None"),
    ("inputs", "must be a DataFrame"),
    ([{"inputs": {"q": 1}, "output": "x"}], r"row 0 has unknown column\(s\) 'output'"),
    (pd.DataFrame({"inputs": [{"q": 1}], "answer": ["x"]}), r"data has unknown column\(s\) 'answer'"),
    ([{"outputs": "4"}, 7], "row 1 is a int"),
    ([{"outputs": "4"}, {}], "row 1 has none of 'inputs', 'outputs' and 'trace'"),
    ([{"outputs": "4", "expectations": "4"}], "row 0: 'expectations' must be a dict"),
    ([{"outputs": "4", "trace": 12}], "row 0: 'trace' must be a Trace"),
    ([{"outputs": "4", "trace": "{not json"}], "row 0: 'trace' could not be read"),
])
def test_bad_data_is_refused_naming_the_row_or_column(data, message):
    with pytest.raises(tracekit.TracekitException, match=message):
        tracekit.genai.evaluate(data, scorers=[answer_length])
    assert tracekit.search_runs(experiment_ids=["0"]).empty, "nothing was started for bad input"


@pytest.mark.parametrize("rows, message", [
    ([{"inputs": {"question": "2+2?"}}, {"expectations": {"answer": "4"}}], "row 1 has no 'inputs'"),
    ([{"inputs": "2+2?"}], "row 0: 'inputs' must be a dict of keyword arguments"),
    ([{"inputs": {"question": "2+2?"}, "outputs": "4"}], "row 0 has outputs, but predict_fn produces"),
    ([{"inputs": {"question": "2+2?"}}, {"inputs": {"query": "2+2?"}}],
     r"row 1: predict_fn cannot be called with inputs \['query'\]"),
    ([{"inputs": {}}], r"row 0: predict_fn cannot be called with inputs \[\]"),
])
def test_rows_predict_fn_cannot_take_are_refused(rows, message):
    with pytest.raises(tracekit.TracekitException, match=message):
        tracekit.genai.evaluate(rows, predict_fn=answer, scorers=[answer_length])


@pytest.mark.parametrize("scorers, message", [
    (None, "scorers must be a non-empty list"),
    ([], "scorers is empty"),
    (answer_length, "scorers must be a non-empty list"),
    ([answer_length, len], r"scorers\[1\] is <built-in function len>, not a Scorer"),
    ([Scorer], r"a Scorer subclass: pass an instance"),
    ([answer_length, answer_length], "two scorers are named 'answer_length'"),
    ([scorer(name="outputs")(lambda outputs: 1)], "named 'outputs', a column of the results table"),
])
def test_bad_scorers_are_refused(qa_rows, scorers, message):
    with pytest.raises(tracekit.TracekitException, match=message):
        tracekit.genai.evaluate(qa_rows, scorers=scorers)


def test_an_async_predict_fn_is_refused():
    async def answer_later(question):
        return "4"

    with pytest.raises(tracekit.TracekitException, match="predict_fn is async"):
        tracekit.genai.evaluate([{"inputs": {"question": "2+2?"}}], predict_fn=answer_later,
                                scorers=[answer_length])


def test_a_predict_fn_that_is_not_callable_is_refused(qa_rows):
    with pytest.raises(tracekit.TracekitException, match="predict_fn must be callable"):
        tracekit.genai.evaluate([{"inputs": {"q": 1}}], predict_fn="answer", scorers=[answer_length])


# --- another database -----------------------------------------------------------------------------------------
def test_evaluate_stores_feedback_and_metrics_in_postgresql(postgres_uri, qa_rows):
    tracekit.set_tracking_uri(postgres_uri)
    result = tracekit.genai.evaluate(qa_rows, scorers=[exact_match])
    assert tracekit.get_run(result.run_id).data.metrics["exact_match/mean"] == pytest.approx(2 / 3)
    trace_ids = result.tables["eval_results_table"]["trace_id"]
    assert [feedback_on(t)["exact_match"].value for t in trace_ids] == [True, True, False]
    assert len(tracekit.search_traces(run_id=result.run_id)) == 3
