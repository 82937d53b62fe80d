"""`tracekit.models.evaluate` for regressors, text, question answering and retrievers, with data as a DataFrame, a
numpy array or a list, and models as functions or pyfunc models with several output columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

import tracekit


def test_regressor_metrics_equal_scikit_learns_for_a_function_on_a_numpy_array():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(50, 3))
    targets = features @ np.array([1.0, 2.0, -1.0]) + 10

    def model(frame):
        return frame.to_numpy() @ np.array([1.0, 2.0, -0.5]) + 10

    result = tracekit.models.evaluate(model, features, targets=targets, model_type="regressor")
    predicted = model(pd.DataFrame(features))
    assert result.metrics["mean_absolute_error"] == pytest.approx(sk.mean_absolute_error(targets, predicted))
    assert result.metrics["root_mean_squared_error"] == pytest.approx(
        np.sqrt(sk.mean_squared_error(targets, predicted)))
    assert result.metrics["r2_score"] == pytest.approx(sk.r2_score(targets, predicted))
    assert result.metrics["mean_absolute_percentage_error"] == pytest.approx(
        sk.mean_absolute_percentage_error(targets, predicted))
    assert result.metrics["max_error"] == pytest.approx(sk.max_error(targets, predicted))
    assert result.metrics["sum_on_target"] == pytest.approx(targets.sum())
    assert result.metrics["mean_on_target"] == pytest.approx(targets.mean())
    assert result.metrics["example_count"] == 50
    table = result.tables["eval_results_table"]
    assert list(table.columns) == ["feature_0", "feature_1", "feature_2", "target", "prediction"]


def test_feature_names_name_the_columns_of_an_array():
    result = tracekit.models.evaluate(lambda frame: frame["x"] * 2, [[1.0], [2.0], [3.0]], targets=[2.0, 4.0, 7.0],
                                      feature_names=["x"], model_type="regressor")
    assert result.metrics["max_error"] == pytest.approx(1.0)


def test_question_answering_counts_tokens_and_exact_matches():
    data = pd.DataFrame({"question": ["capital of France?", "2 + 2?", "color of sky?"],
                         "truth": ["Paris", "4", "blue"]})
    answers = {"capital of France?": "Paris", "2 + 2?": "four", "color of sky?": "it is blue"}
    result = tracekit.models.evaluate(lambda frame: [answers[q] for q in frame["question"]], data, targets="truth",
                                      model_type="question-answering")

    assert result.metrics["exact_match/v1"] == pytest.approx(1 / 3)
    assert result.metrics["token_count/mean"] == pytest.approx(5 / 3)
    table = result.tables["eval_results_table"]
    assert table["token_count/score"].tolist() == [1, 1, 3]
    assert table["exact_match/v1/score"].tolist() == [1, 0, 0]
    stored = tracekit.load_table("eval_results_table.json", run_ids=[result.run_id])
    assert stored["prediction"].tolist() == ["Paris", "four", "it is blue"]


def test_text_without_targets_counts_tokens_only():
    result = tracekit.models.evaluate(data=pd.DataFrame({"out": ["a b c", "d"]}), predictions="out",
                                      model_type="text")
    assert result.metrics == {"token_count/mean": 2.0, "token_count/variance": 1.0, "token_count/p90": 2.8}


def test_retriever_metrics_at_k_from_the_evaluator_config():
    data = pd.DataFrame({"question": ["q1", "q2"], "retrieved": [["a", "b", "c"], ["x", "y"]],
                         "relevant": [["a", "c"], ["z"]]})
    at_3 = tracekit.models.evaluate(data=data, predictions="retrieved", targets="relevant", model_type="retriever")
    at_1 = tracekit.models.evaluate(data=data, predictions="retrieved", targets="relevant", model_type="retriever",
                                    evaluator_config={"retriever_k": 1})

    assert at_3.metrics["precision_at_3/mean"] == pytest.approx((2 / 3 + 0) / 2)
    assert at_3.metrics["recall_at_3/mean"] == pytest.approx((1 + 0) / 2)
    ideal = 1 + 1 / np.log2(3)
    assert at_3.metrics["ndcg_at_3/mean"] == pytest.approx((1 + 1 / np.log2(4)) / ideal / 2)
    assert at_1.metrics["precision_at_1/mean"] == pytest.approx(0.5)
    assert at_1.metrics["recall_at_1/mean"] == pytest.approx(0.25)
    assert at_3.tables["eval_results_table"]["precision_at_3/score"].tolist() == pytest.approx([2 / 3, 0])


def test_the_predictions_column_picks_one_of_several_model_outputs(add_n_model, tmp_path):
    class Answerer(tracekit.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return pd.DataFrame({"answer": ["yes"] * len(model_input), "source": ["doc"] * len(model_input)})

    tracekit.pyfunc.save_model(tmp_path / "answerer", python_model=Answerer())
    model = tracekit.pyfunc.load_model(str(tmp_path / "answerer"))
    data = pd.DataFrame({"question": ["a?", "b?"], "truth": ["yes", "no"]})
    result = tracekit.models.evaluate(model, data, targets="truth", predictions="answer",
                                      model_type="question-answering")
    assert result.metrics["exact_match/v1"] == 0.5
    with pytest.raises(tracekit.TracekitException, match="2 columns .*answer, source.*predictions="):
        tracekit.models.evaluate(model, data, targets="truth", model_type="question-answering")


def test_metric_prefix_names_metrics_and_artifacts():
    data = pd.DataFrame({"label": [0, 1, 1], "guess": [0, 1, 0]})
    result = tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="classifier",
                                      evaluator_config={"metric_prefix": "val_"})
    assert result.metrics["val_accuracy_score"] == pytest.approx(2 / 3)
    assert "val_confusion_matrix" in result.artifacts
    assert "val_accuracy_score" in tracekit.get_run(result.run_id).data.metrics


def test_the_top_level_shortcut_is_the_same_evaluate():
    data = pd.DataFrame({"label": [1.0, 2.0], "guess": [1.0, 3.0]})
    result = tracekit.evaluate(data=data, targets="label", predictions="guess", model_type="regressor")
    assert result.metrics["max_error"] == 1.0
    with pytest.raises(tracekit.ModelValidationFailedException, match="max_error"):
        tracekit.validate_evaluation_results(
            {"max_error": tracekit.models.MetricThreshold(threshold=0.5, greater_is_better=False)}, result)


def test_a_model_logged_to_another_store_is_evaluated_with_unlinked_metrics(tmp_path, caplog):
    from tracekit.models import Model

    class Echo(tracekit.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input["x"]

    tracekit.pyfunc.save_model(tmp_path / "echo", python_model=Echo(),
                               mlflow_model=Model(artifact_path="echo", model_id="m-" + "0" * 32))
    model = tracekit.pyfunc.load_model(str(tmp_path / "echo"))
    result = tracekit.models.evaluate(model, pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 3.0]}), targets="y",
                                      model_type="regressor")
    assert result.metrics["max_error"] == 1.0
    assert "m-00000000000000000000000000000000 is not in this tracking store" in caplog.text


def test_the_signature_is_the_seeds_plus_model_id():
    import inspect

    parameters = inspect.signature(tracekit.models.evaluate).parameters
    assert list(parameters) == [
        "model", "data", "model_type", "targets", "predictions", "dataset_path", "feature_names", "evaluators",
        "evaluator_config", "custom_metrics", "extra_metrics", "custom_artifacts", "validation_thresholds",
        "baseline_model", "env_manager", "model_config", "baseline_config", "inference_params", "model_id"]
    assert parameters["model_type"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["env_manager"].default == "local"


def test_sample_weights_weigh_the_metrics():
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0], "p": [1.0, 2.0, 5.0]})
    result = tracekit.models.evaluate(data=data, targets="y", predictions="p", model_type="regressor",
                                      evaluator_config={"sample_weights": [1, 1, 2]})
    assert result.metrics["mean_absolute_error"] == pytest.approx(4 / 4)
    with pytest.raises(tracekit.TracekitException, match="has 2 weights for 3 rows"):
        tracekit.models.evaluate(data=data, targets="y", predictions="p", model_type="regressor",
                                 evaluator_config={"sample_weights": [1, 1]})


def test_summaries_get_rouge_scores_against_their_targets():
    data = pd.DataFrame({"summary": ["The cat sat on the mat.", "Stocks fell sharply", ""],
                         "reference": ["the cat sat on a mat", "Markets rose today", "nothing"]})
    result = tracekit.models.evaluate(data=data, predictions="summary", targets="reference",
                                      model_type="text-summarization")
    table = result.tables["eval_results_table"]
    # row 0: 6 tokens each; unigrams shared 5 (the, cat, sat, on, mat), bigrams shared 3 of 5, LCS 5
    assert table["rouge1/v1/score"].tolist() == pytest.approx([5 / 6, 0.0, 0.0])
    assert table["rouge2/v1/score"].tolist() == pytest.approx([3 / 5, 0.0, 0.0])
    assert table["rougeL/v1/score"].tolist() == pytest.approx([5 / 6, 0.0, 0.0])
    assert result.metrics["rouge1/v1/mean"] == pytest.approx(5 / 18)
    assert "token_count/mean" in result.metrics


def test_rouge_l_counts_the_longest_common_subsequence_not_contiguous_runs():
    from tracekit.models.evaluation.rouge import rouge_l, tokens

    assert tokens("Hello, World! 42x") == ["hello", "world", "42x"]
    # "a c e" is the longest common subsequence of "a b c d e" and "a c e f": precision 3/5, recall 3/4
    assert rouge_l("a b c d e".split(), "a c e f".split()) == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_the_data_is_the_runs_evaluation_input_and_the_metrics_name_it():
    data = pd.DataFrame({"label": [1.0, 2.0, 4.0], "guess": [1.0, 3.0, 4.0]})
    result = tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="regressor",
                                      dataset_path="data/holdout.csv")

    run = tracekit.get_run(result.run_id)
    (used,) = run.inputs.dataset_inputs
    assert used.context == "evaluation" and used.dataset.name == "dataset"
    history = tracekit.get_metric_history(result.run_id, "max_error")
    assert (history[0].dataset_name, history[0].dataset_digest) == ("dataset", used.dataset.digest)
    assert used.dataset.digest in run.data.tags["mlflow.datasets"]


def test_a_tracekit_dataset_brings_its_targets_and_predictions_columns():
    frame = pd.DataFrame({"label": [1.0, 2.0], "guess": [1.0, 4.0]})
    holdout = tracekit.data.from_pandas(frame, targets="label", predictions="guess", name="holdout")
    result = tracekit.models.evaluate(data=holdout, model_type="regressor")

    assert result.metrics["max_error"] == 2.0
    (used,) = tracekit.get_run(result.run_id).inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest) == ("holdout", holdout.digest)
