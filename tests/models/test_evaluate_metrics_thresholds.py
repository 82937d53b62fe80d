"""Extra metrics (`make_metric`, `MetricValue`), custom artifacts, and validation with `MetricThreshold` and
`validate_evaluation_results` (alone, against a baseline result, and through `evaluate(baseline_model=...)`)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

import tracekit
from tracekit.models import (
    EvaluationResult,
    MetricThreshold,
    MetricValue,
    ModelValidationFailedException,
    make_metric,
    validate_evaluation_results,
)

DATA = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 9.0], "weight": [1, 1, 1, 2]})


def double(frame):
    return frame["x"] * 2


def test_an_extra_metric_gets_predictions_targets_builtin_metrics_and_columns():
    def weighted_error(predictions, targets, metrics, weight):
        assert metrics["max_error"].aggregate_results == {"max_error": 1.0}
        return float((abs(predictions - targets) * weight).sum())

    result = tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                      extra_metrics=[make_metric(eval_fn=weighted_error, greater_is_better=False)])
    assert result.metrics["weighted_error"] == 2.0
    assert tracekit.get_run(result.run_id).data.metrics["weighted_error"] == 2.0


def test_an_extra_metric_returning_scores_fills_the_table_and_aggregates():
    def off_by(predictions, targets, metrics):
        scores = (predictions - targets).abs().tolist()
        return MetricValue(scores=scores, justifications=[f"off by {s}" for s in scores])

    metric = make_metric(eval_fn=off_by, greater_is_better=False, version="v2")
    result = tracekit.models.evaluate(double, DATA, targets="y", feature_names=["x"], extra_metrics=[metric])
    assert result.metrics == {"off_by/v2/mean": 0.25, "off_by/v2/variance": pytest.approx(0.1875),
                              "off_by/v2/p90": pytest.approx(0.7)}
    table = result.tables["eval_results_table"]
    assert table["off_by/v2/score"].tolist() == [0, 0, 0, 1]
    assert table["off_by/v2/justification"].tolist()[-1] == "off by 1.0"


def test_the_seeds_older_metric_form_takes_eval_df_and_builtin_metrics():
    def rmse(eval_df, builtin_metrics):
        assert builtin_metrics["example_count"] == 4
        return float(np.sqrt(((eval_df["prediction"] - eval_df["target"]) ** 2).mean()))

    result = tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                      extra_metrics=[make_metric(eval_fn=rmse, greater_is_better=False)])
    assert result.metrics["rmse"] == pytest.approx(result.metrics["root_mean_squared_error"])


def test_make_metric_needs_a_name_for_a_lambda_and_a_boolean_direction():
    with pytest.raises(tracekit.TracekitException, match="name="):
        make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True)
    with pytest.raises(tracekit.TracekitException, match="greater_is_better"):
        make_metric(eval_fn=double, greater_is_better="yes")
    assert make_metric(eval_fn=lambda p: 1.0, greater_is_better=True, name="one").name == "one"


def test_a_metric_asking_for_an_unknown_argument_or_raising_is_named():
    def needs_context(predictions, context):
        return 1.0

    def broken(predictions):
        raise ZeroDivisionError("no rows")

    for metric, message in ((needs_context, "needs_context.*asks for 'context'"), (broken, "broken.*ZeroDivision")):
        with pytest.raises(tracekit.TracekitException, match=message):
            tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                     extra_metrics=[make_metric(eval_fn=metric, greater_is_better=True)])


def test_custom_artifacts_are_logged_by_kind(tmp_path):
    def artifacts(eval_df, builtin_metrics, artifacts_dir):
        path = os.path.join(artifacts_dir, "notes.txt")
        with open(path, "w") as file:
            file.write(f"mae {builtin_metrics['mean_absolute_error']}")
        return {"notes": path, "summary": {"rows": len(eval_df)}, "head": eval_df.head(2)}

    result = tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                      custom_artifacts=[artifacts])
    logged = {info.path for info in tracekit.artifacts.list_artifacts(run_id=result.run_id)}
    assert {"notes.txt", "summary.json", "head.csv"} <= logged
    summary = tracekit.artifacts.download_artifacts(run_id=result.run_id, artifact_path="summary.json")
    with open(summary) as file:
        assert json.load(file) == {"rows": 4}
    assert result.artifacts["head"].uri.endswith("/head.csv")


def test_a_custom_artifact_name_cannot_escape_the_run_folder():
    with pytest.raises(tracekit.TracekitException):
        tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                 custom_artifacts=[lambda eval_df, metrics, folder: {"../../escape": {"a": 1}}])


def test_thresholds_pass_and_fail_listing_every_failure():
    candidate = EvaluationResult(metrics={"accuracy_score": 0.82, "log_loss": 0.5})
    baseline = EvaluationResult(metrics={"accuracy_score": 0.80, "log_loss": 0.45})
    validate_evaluation_results({"accuracy_score": MetricThreshold(threshold=0.8, greater_is_better=True)},
                                candidate)
    thresholds = {
        "accuracy_score": MetricThreshold(threshold=0.9, min_absolute_change=0.05, greater_is_better=True),
        "log_loss": MetricThreshold(min_relative_change=0.1, greater_is_better=False),
        "f1_score": MetricThreshold(threshold=0.5, greater_is_better=True),
    }
    with pytest.raises(ModelValidationFailedException) as raised:
        validate_evaluation_results(thresholds, candidate, baseline)
    failures = raised.value.failures
    assert len(failures) == 4
    assert "accuracy_score: the candidate's value 0.82 is not >= the threshold 0.9" in failures[0]
    assert "accuracy_score" in failures[1] and "min_absolute_change 0.05" in failures[1]
    assert "log_loss" in failures[2] and "<= 0.405" in failures[2]
    assert "f1_score: the candidate result has no such metric" in failures[3]
    assert all(line in str(raised.value) for line in failures)
    assert isinstance(raised.value, tracekit.TracekitException)


def test_a_zero_baseline_needs_only_a_better_value():
    threshold = {"errors": MetricThreshold(min_relative_change=0.5, greater_is_better=False)}
    with pytest.raises(ModelValidationFailedException):
        validate_evaluation_results(threshold, EvaluationResult(metrics={"errors": 0.0}),
                                    EvaluationResult(metrics={"errors": 0.0}))
    validate_evaluation_results(threshold, EvaluationResult(metrics={"errors": -1.0}),
                                EvaluationResult(metrics={"errors": 0.0}))


@pytest.mark.parametrize("arguments, message", [
    ({"threshold": 0.5}, "greater_is_better"),
    ({"min_absolute_change": -1, "greater_is_better": True}, "positive"),
    ({"min_relative_change": 2, "greater_is_better": True}, "between 0 and 1"),
    ({"threshold": "high", "greater_is_better": True}, "number"),
])
def test_a_malformed_threshold_is_refused(arguments, message):
    with pytest.raises(tracekit.TracekitException, match=message):
        MetricThreshold(**arguments)


def test_evaluate_with_a_baseline_model_checks_the_thresholds_against_it():
    thresholds = {"mean_absolute_error": MetricThreshold(min_absolute_change=0.1, greater_is_better=False)}
    result = tracekit.models.evaluate(double, DATA, targets="y", model_type="regressor", feature_names=["x"],
                                      baseline_model=lambda frame: frame["x"] * 3,
                                      validation_thresholds=thresholds)
    assert result.baseline_model_metrics["mean_absolute_error"] == pytest.approx(2.25)
    assert tracekit.get_run(result.run_id).data.metrics["mean_absolute_error"] == pytest.approx(0.25), \
        "the run holds the candidate's metrics only"
    with pytest.raises(ModelValidationFailedException, match="mean_absolute_error"):
        tracekit.models.evaluate(lambda frame: frame["x"] * 3, DATA, targets="y", model_type="regressor",
                                 feature_names=["x"], baseline_model=double, validation_thresholds=thresholds)
