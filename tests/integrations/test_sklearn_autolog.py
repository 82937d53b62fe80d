"""scikit-learn autolog with real scikit-learn on the test's SQLite store, read back through the public API."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

import tracekit
from tracekit.tracing.safety import internal_error_counts

sklearn = pytest.importorskip("sklearn")
from sklearn import metrics as sk_metrics  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from training_autolog_helpers import logged_models  # noqa: E402

import tracekit.integrations.sklearn as sklearn_autolog  # noqa: E402

CLASSIFIER_METRICS = {"training_accuracy_score", "training_precision_score", "training_recall_score",
                      "training_f1_score", "training_log_loss", "training_roc_auc", "training_score"}
REGRESSOR_METRICS = {"training_mean_squared_error", "training_root_mean_squared_error",
                     "training_mean_absolute_error", "training_r2_score", "training_score"}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def child_runs(parent_id: str):
    return tracekit.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent_id}'", output_format="list")


def the_only_run():
    runs = tracekit.search_runs(output_format="list")
    assert len(runs) == 1, [run.info.run_name for run in runs]
    return runs[0]


class ParamsFailLogistic(LogisticRegression):
    """A classifier whose deep params cannot be read: autolog's param step fails, fit must not."""

    def get_params(self, deep=True):
        if deep:
            raise RuntimeError("deep params unavailable")
        return super().get_params(deep=False)


def test_fit_without_a_run_logs_a_finished_run_with_params_metrics_and_tags(iris):
    features, labels = iris
    tracekit.sklearn.autolog()

    model = LogisticRegression(C=0.5, max_iter=300).fit(features, labels)

    run = tracekit.last_active_run()
    assert tracekit.active_run() is None
    assert run.info.status == "FINISHED"
    assert run.data.params["C"] == "0.5" and run.data.params["max_iter"] == "300"
    assert run.data.params == {key: str(value) for key, value in model.get_params(deep=True).items()}
    assert set(run.data.metrics) == CLASSIFIER_METRICS
    assert run.data.metrics["training_score"] == pytest.approx(model.score(features, labels))
    predicted = model.predict(features)
    assert run.data.metrics["training_f1_score"] == pytest.approx(
        sk_metrics.f1_score(labels, predicted, average="weighted"))
    assert run.data.metrics["training_recall_score"] == pytest.approx(
        sk_metrics.recall_score(labels, predicted, average="weighted"))
    assert run.data.tags["estimator_name"] == "LogisticRegression"
    assert run.data.tags["estimator_class"] == "sklearn.linear_model._logistic.LogisticRegression"


def test_fitted_model_is_a_logged_model_that_loads_and_predicts(iris):
    features, labels = iris
    tracekit.sklearn.autolog()

    model = LogisticRegression(max_iter=300).fit(features, labels)

    [logged] = logged_models()
    run = tracekit.last_active_run()
    assert logged.name == "model" and logged.source_run_id == run.info.run_id
    loaded = tracekit.sklearn.load_model(f"models:/{logged.model_id}")
    np.testing.assert_array_equal(loaded.predict(features), model.predict(features))
    info = tracekit.models.get_model_info(f"models:/{logged.model_id}")
    assert [column.name for column in info.signature.inputs.inputs] == list(features.columns)
    assert info.saved_input_example_info is None  # log_input_examples defaults to False


def test_input_example_is_the_first_rows_when_asked(iris, tmp_path):
    features, labels = iris
    tracekit.sklearn.autolog(log_input_examples=True)

    LogisticRegression(max_iter=300).fit(features, labels)

    [logged] = logged_models()
    local = tracekit.artifacts.download_artifacts(logged.artifact_location, dst_path=str(tmp_path / "model"))
    pyfunc = tracekit.pyfunc.load_model(local)
    example = pyfunc.metadata.load_input_example(local)
    assert example.equals(features.iloc[:5])
    assert list(pyfunc.predict(example)) == list(labels.iloc[:5])


def test_training_dataset_is_a_run_input_in_context_train(iris):
    features, labels = iris
    tracekit.sklearn.autolog()

    LogisticRegression(max_iter=300).fit(features, labels)

    [dataset_input] = tracekit.last_active_run().inputs.dataset_inputs
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == "train"
    assert '"num_rows": 150' in dataset_input.dataset.profile


def test_pos_label_gives_the_binary_figures_of_that_class(iris):
    features, labels = iris
    names = labels.map({0: "setosa", 1: "other", 2: "other"})
    tracekit.sklearn.autolog(pos_label="setosa")

    model = LogisticRegression(max_iter=300).fit(features, names)

    metrics = tracekit.last_active_run().data.metrics
    assert metrics["training_precision_score"] == pytest.approx(
        sk_metrics.precision_score(names, model.predict(features), pos_label="setosa"))
    assert {"training_roc_auc", "training_log_loss"} <= set(metrics)


def test_regressor_metrics_on_numpy_data(diabetes):
    features, labels = diabetes
    tracekit.sklearn.autolog()

    model = LinearRegression().fit(features, labels)

    metrics = tracekit.last_active_run().data.metrics
    assert set(metrics) == REGRESSOR_METRICS
    predicted = model.predict(features)
    assert metrics["training_mean_squared_error"] == pytest.approx(np.mean((labels - predicted) ** 2))
    assert metrics["training_root_mean_squared_error"] == pytest.approx(
        math.sqrt(metrics["training_mean_squared_error"]))
    assert metrics["training_r2_score"] == pytest.approx(metrics["training_score"])


def test_fit_inside_a_user_run_logs_there_and_leaves_it_open(iris):
    features, labels = iris
    tracekit.sklearn.autolog()

    with tracekit.start_run() as run:
        tracekit.log_param("note", "mine")
        LogisticRegression(max_iter=300).fit(features, labels)
        assert tracekit.active_run().info.run_id == run.info.run_id

    stored = tracekit.get_run(run.info.run_id)
    assert stored.data.params["note"] == "mine" and "training_score" in stored.data.metrics
    assert len(tracekit.search_runs(output_format="list")) == 1


def test_exclusive_keeps_autolog_out_of_user_runs(iris):
    features, labels = iris
    tracekit.sklearn.autolog(exclusive=True)

    with tracekit.start_run() as run:
        LogisticRegression(max_iter=300).fit(features, labels)

    assert tracekit.get_run(run.info.run_id).data.metrics == {}
    assert logged_models() == []


def test_only_the_outermost_fit_of_a_pipeline_logs(iris):
    features, labels = iris
    tracekit.sklearn.autolog()

    Pipeline([("scale", StandardScaler()), ("classify", LogisticRegression(max_iter=300))]).fit(features, labels)

    run = the_only_run()
    assert run.data.tags["estimator_name"] == "Pipeline"
    assert run.data.params["classify__max_iter"] == "300"
    assert "training_accuracy_score" in run.data.metrics
    assert len(logged_models()) == 1


def test_fit_transform_is_an_entry_point_too(iris):
    features, _ = iris
    tracekit.sklearn.autolog(log_models=False)

    PCA(n_components=2).fit_transform(features)

    run = the_only_run()
    assert run.data.tags["estimator_name"] == "PCA" and run.data.params["n_components"] == "2"
    assert run.data.metrics == {}  # no labels, no training metrics


def test_grid_search_logs_best_results_and_the_top_candidates_as_child_runs(iris):
    features, labels = iris
    tracekit.sklearn.autolog(max_tuning_runs=2)
    search = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.01, 0.1, 1.0]}, cv=3)

    search.fit(features, labels)

    parent = tracekit.last_active_run()
    assert parent.data.params["best_C"] == str(search.best_params_["C"])
    assert parent.data.metrics["best_cv_score"] == pytest.approx(search.best_score_)
    assert {model.name for model in logged_models()} == {"model", "best_estimator"}
    children = child_runs(parent.info.run_id)
    assert len(children) == 2
    best_two = sorted(search.cv_results_["mean_test_score"], reverse=True)[:2]
    assert sorted((child.data.metrics["mean_test_score"] for child in children), reverse=True) == \
        pytest.approx(best_two)
    assert all(set(child.data.params) == {"C"} for child in children)
    assert [item.path for item in tracekit.MlflowClient().list_artifacts(parent.info.run_id)] == \
        ["cv_results.csv"]
    assert len(tracekit.search_runs(output_format="list")) == 3  # inner fits made no runs of their own


def test_max_tuning_runs_none_logs_every_candidate(iris):
    features, labels = iris
    tracekit.sklearn.autolog(max_tuning_runs=None, log_models=False)

    GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.01, 0.1, 1.0]}, cv=3).fit(features, labels)

    assert len(child_runs(tracekit.last_active_run().info.run_id)) == 3


def test_model_score_logs_a_post_training_metric_named_for_the_dataset(iris):
    features, labels = iris
    X_test, y_test = features.iloc[::3], labels.iloc[::3]  # noqa: N806 - the variable name is the metric's suffix
    tracekit.sklearn.autolog()
    model = LogisticRegression(max_iter=300).fit(features, labels)

    score = model.score(X_test, y_test)

    metrics = tracekit.last_active_run().data.metrics
    assert metrics["LogisticRegression_score_X_test"] == pytest.approx(score)


def test_post_training_metrics_can_be_turned_off(iris):
    features, labels = iris
    tracekit.sklearn.autolog(log_post_training_metrics=False)
    model = LogisticRegression(max_iter=300).fit(features, labels)

    model.score(features, labels)

    assert not any("_score_" in key for key in tracekit.last_active_run().data.metrics)


def test_score_of_a_model_fitted_without_autolog_logs_nothing(iris):
    features, labels = iris
    model = LogisticRegression(max_iter=300).fit(features, labels)
    tracekit.sklearn.autolog()

    model.score(features, labels)

    assert tracekit.search_runs(output_format="list") == []


def test_user_exception_from_fit_propagates_unchanged_and_the_run_fails():
    tracekit.sklearn.autolog()
    bad = np.array([[1.0, np.nan], [2.0, 3.0]])

    with pytest.raises(ValueError, match="NaN") as raised:
        LogisticRegression().fit(bad, [0, 1])

    assert type(raised.value) is ValueError
    assert tracekit.active_run() is None
    assert the_only_run().info.status == "FAILED"


def test_a_failing_logging_step_never_breaks_fit(iris, internal_errors_swallowed, caplog):
    features, labels = iris
    caplog.set_level(logging.WARNING, logger="tracekit")
    tracekit.sklearn.autolog()

    model = ParamsFailLogistic(max_iter=300).fit(features, labels)
    ParamsFailLogistic(max_iter=300).fit(features, labels)

    assert model.predict(features).shape == (150,)
    counts = internal_error_counts()
    assert counts["sklearn autolog: logging the estimator's params"] == 2
    warnings = [record for record in caplog.records if "sklearn autolog" in record.getMessage()]
    assert len(warnings) == 1  # logged once, counted every time
    run = tracekit.last_active_run()
    assert run.info.status == "FINISHED" and "training_score" in run.data.metrics  # the other steps ran


def test_silent_logs_nothing_when_a_step_fails(iris, internal_errors_swallowed, caplog):
    features, labels = iris
    caplog.set_level(logging.DEBUG, logger="tracekit")
    tracekit.sklearn.autolog(silent=True)

    ParamsFailLogistic(max_iter=300).fit(features, labels)

    assert [record for record in caplog.records if record.name.startswith("tracekit")] == []
    assert internal_error_counts()["sklearn autolog: logging the estimator's params"] == 1


def test_options_turn_off_models_and_datasets(iris):
    features, labels = iris
    tracekit.sklearn.autolog(log_models=False, log_datasets=False)

    LogisticRegression(max_iter=300).fit(features, labels)

    assert logged_models() == []
    assert tracekit.last_active_run().inputs.dataset_inputs == []


def test_extra_tags_go_on_the_runs_autolog_starts(iris):
    features, labels = iris
    tracekit.sklearn.autolog(extra_tags={"team": "forecasting"})

    LogisticRegression(max_iter=300).fit(features, labels)

    assert tracekit.last_active_run().data.tags["team"] == "forecasting"


def test_disable_removes_the_patches(iris):
    features, labels = iris
    tracekit.sklearn.autolog()
    tracekit.sklearn.autolog(disable=True)

    LogisticRegression(max_iter=300).fit(features, labels)

    assert not sklearn_autolog.is_enabled()
    assert tracekit.search_runs(output_format="list") == []


def test_tracekit_autolog_turns_sklearn_on_and_explicit_options_win(iris):
    features, labels = iris
    tracekit.sklearn.autolog(log_models=False)

    assert "sklearn" in tracekit.autolog(log_models=True)
    LogisticRegression(max_iter=300).fit(features, labels)

    assert logged_models() == []  # tracekit.sklearn.autolog's log_models=False takes precedence
    assert "training_score" in tracekit.last_active_run().data.metrics


def test_disable_for_unsupported_versions_keeps_newer_versions_off(monkeypatch, caplog):
    monkeypatch.setattr(sklearn_autolog, "NEWEST_TESTED_VERSION", (1, 2))

    tracekit.sklearn.autolog(disable_for_unsupported_versions=True)

    assert not sklearn_autolog.is_enabled()
    assert "newer than the newest tested version 1.2" in caplog.text
    tracekit.sklearn.autolog()  # without the flag, newer versions are tried
    assert sklearn_autolog.is_enabled()


def test_bad_options_are_refused_by_name():
    with pytest.raises(tracekit.TracekitException, match="max_tuning_runs"):
        tracekit.sklearn.autolog(max_tuning_runs=-1)
    with pytest.raises(tracekit.TracekitException, match="serialization_format"):
        tracekit.sklearn.autolog(serialization_format="joblib")
    assert not sklearn_autolog.is_enabled()


def test_metric_functions_on_an_autologged_models_predictions_are_logged(iris):
    from sklearn import metrics

    features, labels = iris
    X_val, y_val = features.iloc[1::2], labels.iloc[1::2]  # noqa: N806
    tracekit.sklearn.autolog()
    model = LogisticRegression(max_iter=300).fit(features, labels)

    predicted = model.predict(X_val)
    accuracy = metrics.accuracy_score(y_val, predicted)
    again = metrics.accuracy_score(y_val, predicted)
    macro_f1 = metrics.f1_score(y_val, y_pred=predicted, average="macro")
    auc = metrics.roc_auc_score(y_val, model.predict_proba(X_val), multi_class="ovr")

    logged = tracekit.last_active_run().data.metrics
    assert logged["accuracy_score_X_val"] == pytest.approx(accuracy)
    assert logged["accuracy_score-2_X_val"] == pytest.approx(again)
    assert logged["f1_score_X_val"] == pytest.approx(macro_f1)
    assert logged["roc_auc_score_X_val"] == pytest.approx(auc)


def test_a_slice_of_predicted_probabilities_still_counts(diabetes, iris):
    from sklearn import metrics

    features, labels = iris
    binary = (labels == 2).astype(int)
    tracekit.sklearn.autolog()
    model = LogisticRegression(max_iter=300).fit(features, binary)

    metrics.roc_auc_score(binary, model.predict_proba(features)[:, 1])

    assert "roc_auc_score_features" in tracekit.last_active_run().data.metrics


def test_metrics_of_other_predictions_log_nothing(iris):
    from sklearn import metrics

    features, labels = iris
    model = LogisticRegression(max_iter=300).fit(features, labels)  # before autolog: not autologged
    tracekit.sklearn.autolog()

    metrics.accuracy_score(labels, model.predict(features))
    metrics.accuracy_score(labels, labels.to_numpy())

    assert tracekit.search_runs(output_format="list") == []
