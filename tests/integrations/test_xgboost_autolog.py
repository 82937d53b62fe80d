"""XGBoost autolog with real XGBoost on small synthetic data, in the test's SQLite store, read back through the
public API (runs, metric histories, logged models, artifacts)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import tracekit
from tracekit.tracing.safety import internal_error_counts

xgboost = pytest.importorskip("xgboost")
sklearn = pytest.importorskip("sklearn")
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from training_autolog_helpers import (  # noqa: E402
    artifact_json,
    history,
    logged_models,
    use_an_experiment_whose_artifacts_cannot_be_written,
)

import tracekit.integrations.xgboost as xgboost_autolog  # noqa: E402

PARAMS = {"objective": "binary:logistic", "max_depth": 3, "eval_metric": ["logloss", "auc"]}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    features = pd.DataFrame(rng.normal(size=(400, 5)), columns=[f"f{i}" for i in range(5)])
    labels = ((features["f0"] - features["f2"] + rng.normal(scale=0.8, size=400)) > 0).astype(int)
    return features, labels


@pytest.fixture
def dmatrices(data):
    features, labels = data
    return (xgboost.DMatrix(features[:300], label=labels[:300]),
            xgboost.DMatrix(features[300:], label=labels[300:]))


def test_train_logs_a_finished_run_with_params_and_per_iteration_metrics(dmatrices):
    dtrain, dvalid = dmatrices
    tracekit.xgboost.autolog()
    results: dict = {}

    xgboost.train(PARAMS, dtrain, num_boost_round=12, evals=[(dtrain, "train"), (dvalid, "valid")],
                  evals_result=results, verbose_eval=False)

    run = tracekit.last_active_run()
    assert tracekit.active_run() is None and run.info.status == "FINISHED"
    assert run.data.params == {"objective": "binary:logistic", "max_depth": "3",
                               "eval_metric": "['logloss', 'auc']", "num_boost_round": "12"}
    for data_name in ("train", "valid"):
        for metric in ("logloss", "auc"):
            points = history(run.info.run_id, f"{data_name}-{metric}")
            assert [step for step, _ in points] == list(range(12))
            assert [value for _, value in points] == pytest.approx(results[data_name][metric])
    assert "best_iteration" not in run.data.metrics  # no early stopping


def test_early_stopping_logs_the_best_and_stopped_iterations(dmatrices):
    dtrain, dvalid = dmatrices
    tracekit.xgboost.autolog()

    booster = xgboost.train({"objective": "binary:logistic", "eta": 0.9, "max_depth": 6}, dtrain,
                            num_boost_round=200, evals=[(dvalid, "valid")], early_stopping_rounds=3,
                            verbose_eval=False)

    run = tracekit.last_active_run()
    assert booster.num_boosted_rounds() < 200  # it did stop early
    assert run.data.metrics["best_iteration"] == booster.best_iteration
    assert run.data.metrics["best_score"] == pytest.approx(booster.best_score)
    assert run.data.metrics["stopped_iteration"] == booster.num_boosted_rounds() - 1
    assert len(history(run.info.run_id, "valid-logloss")) == booster.num_boosted_rounds()
    assert run.data.params["early_stopping_rounds"] == "3"


def test_the_users_callbacks_run_and_their_list_is_left_alone(dmatrices):
    dtrain, dvalid = dmatrices
    tracekit.xgboost.autolog()
    seen = []

    class Recorder(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            seen.append(epoch)
            return False

    callbacks = [Recorder(), xgboost.callback.EarlyStopping(rounds=2)]
    xgboost.train({"objective": "binary:logistic", "eta": 1.0, "max_depth": 8}, dtrain, num_boost_round=100,
                  evals=[(dvalid, "valid")], callbacks=callbacks, verbose_eval=False)

    assert len(callbacks) == 2 and seen == list(range(len(seen)))
    run = tracekit.last_active_run()
    # the iteration the user's EarlyStopping ended training on is logged too
    assert len(history(run.info.run_id, "valid-logloss")) == len(seen)


def test_feature_importance_is_a_json_artifact_per_type(dmatrices, tmp_path):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog(importance_types=["weight", "gain"])

    booster = xgboost.train(PARAMS, dtrain, num_boost_round=5)

    run_id = tracekit.last_active_run().info.run_id
    assert artifact_json(run_id, "feature_importance_weight.json", tmp_path) == booster.get_score(
        importance_type="weight")
    assert artifact_json(run_id, "feature_importance_gain.json", tmp_path) == pytest.approx(booster.get_score(
        importance_type="gain"))


def test_the_booster_is_a_logged_model_of_the_run_that_predicts_the_same(data, dmatrices):
    features, _ = data
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    booster = xgboost.train(PARAMS, dtrain, num_boost_round=6)

    [logged] = logged_models()
    run = tracekit.last_active_run()
    assert logged.name == "model" and logged.source_run_id == run.info.run_id
    info = tracekit.models.get_model_info(f"models:/{logged.model_id}")
    assert [column.name for column in info.signature.inputs.inputs] == list(features.columns)
    assert info.saved_input_example_info is None
    expected = booster.predict(xgboost.DMatrix(features))
    np.testing.assert_allclose(tracekit.pyfunc.load_model(f"models:/{logged.model_id}").predict(features), expected)
    loaded = tracekit.xgboost.load_model(f"models:/{logged.model_id}")
    np.testing.assert_allclose(loaded.predict(xgboost.DMatrix(features)), expected)


def test_the_training_dmatrix_is_a_run_input(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    xgboost.train(PARAMS, dtrain, num_boost_round=2)

    [dataset_input] = tracekit.last_active_run().inputs.dataset_inputs
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == "train"
    assert '"num_rows": 300' in dataset_input.dataset.profile


def test_sklearn_api_fit_logs_one_run_with_the_estimator_as_the_model(data):
    features, labels = data
    tracekit.xgboost.autolog(log_input_examples=True, model_format="json")

    classifier = xgboost.XGBClassifier(n_estimators=7, max_depth=2, learning_rate=0.3)
    classifier.fit(features, labels, eval_set=[(features, labels)], verbose=False)

    [run] = tracekit.search_runs(output_format="list")
    assert run.data.tags["estimator_name"] == "XGBClassifier"
    assert run.data.params["n_estimators"] == "7" and run.data.params["max_depth"] == "2"
    assert "num_boost_round" not in run.data.params  # the inner train logs no params of its own
    assert [value for _, value in history(run.info.run_id, "validation_0-logloss")] == pytest.approx(
        classifier.evals_result()["validation_0"]["logloss"])
    [logged] = logged_models()
    assert logged.source_run_id == run.info.run_id
    loaded = tracekit.xgboost.load_model(f"models:/{logged.model_id}")
    assert type(loaded) is xgboost.XGBClassifier
    np.testing.assert_array_equal(loaded.predict(features), classifier.predict(features))
    pyfunc = tracekit.pyfunc.load_model(f"models:/{logged.model_id}")
    assert pyfunc.metadata.flavors["xgboost"]["model_format"] == "json"
    example = pyfunc.metadata.load_input_example(tracekit.artifacts.download_artifacts(logged.artifact_location))
    pd.testing.assert_frame_equal(example, features.iloc[:5])


def test_fit_inside_a_user_run_logs_there_and_leaves_it_open(data):
    features, labels = data
    tracekit.xgboost.autolog()

    with tracekit.start_run() as run:
        xgboost.XGBRegressor(n_estimators=3).fit(features, labels)
        assert tracekit.active_run().info.run_id == run.info.run_id

    assert tracekit.get_run(run.info.run_id).data.params["n_estimators"] == "3"
    assert len(tracekit.search_runs(output_format="list")) == 1


def test_exclusive_keeps_autolog_out_of_user_runs(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog(exclusive=True)

    with tracekit.start_run() as run:
        xgboost.train(PARAMS, dtrain, num_boost_round=2, evals=[(dtrain, "train")], verbose_eval=False)

    stored = tracekit.get_run(run.info.run_id)
    assert stored.data.params == {} and stored.data.metrics == {} and logged_models() == []


def test_with_sklearn_autolog_on_too_an_xgboost_fit_is_logged_once_by_xgboost(data):
    features, labels = data
    tracekit.sklearn.autolog()
    tracekit.xgboost.autolog()

    xgboost.XGBClassifier(n_estimators=3).fit(features, labels)

    [run] = tracekit.search_runs(output_format="list")
    assert not any(key.startswith("training_") for key in run.data.metrics)  # sklearn autolog stayed out
    [logged] = logged_models()
    assert "xgboost" in tracekit.models.get_model_info(f"models:/{logged.model_id}").flavors


def test_inside_a_sklearn_pipeline_the_outer_fit_logs_and_xgboost_passes_through(data):
    features, labels = data
    tracekit.sklearn.autolog()
    tracekit.xgboost.autolog()

    Pipeline([("scale", StandardScaler()), ("boost", xgboost.XGBClassifier(n_estimators=3))]).fit(features, labels)

    [run] = tracekit.search_runs(output_format="list")
    assert run.data.tags["estimator_name"] == "Pipeline" and run.data.params["boost__n_estimators"] == "3"
    [logged] = logged_models()
    assert "sklearn" in tracekit.models.get_model_info(f"models:/{logged.model_id}").flavors


def test_an_exception_from_training_propagates_unchanged_and_the_run_fails(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    with pytest.raises(xgboost.core.XGBoostError, match="no_such_objective") as raised:
        xgboost.train({"objective": "no_such_objective"}, dtrain, num_boost_round=2)

    assert type(raised.value) is xgboost.core.XGBoostError
    assert tracekit.active_run() is None
    assert tracekit.last_active_run().info.status == "FAILED"


def test_a_failing_logging_step_never_breaks_training(data, dmatrices, tmp_path, internal_errors_swallowed,
                                                      caplog):
    features, _ = data
    dtrain, dvalid = dmatrices
    caplog.set_level(logging.WARNING, logger="tracekit")
    use_an_experiment_whose_artifacts_cannot_be_written(tmp_path)
    tracekit.xgboost.autolog()

    booster = xgboost.train(PARAMS, dtrain, num_boost_round=4, evals=[(dvalid, "valid")], verbose_eval=False)

    assert booster.predict(xgboost.DMatrix(features)).shape == (400,)
    counts = internal_error_counts()
    assert counts["xgboost autolog: logging the model"] == 1
    assert counts["xgboost autolog: logging feature importance"] == 1
    run = tracekit.last_active_run()
    assert run.info.status == "FINISHED" and len(history(run.info.run_id, "valid-auc")) == 4  # the rest ran
    assert any("xgboost autolog: logging the model" in record.getMessage() for record in caplog.records)


def test_tracekit_autolog_turns_both_on_and_explicit_options_win(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog(log_models=False)

    enabled = tracekit.autolog(log_models=True)

    assert {"xgboost", "lightgbm"} <= set(enabled)
    xgboost.train(PARAMS, dtrain, num_boost_round=2)
    assert logged_models() == []
    assert tracekit.last_active_run().data.params["num_boost_round"] == "2"


def test_tracekit_autolog_options_reach_xgboost(dmatrices):
    dtrain, _ = dmatrices
    tracekit.autolog(log_models=False, log_datasets=False, extra_tags={"team": "risk"})

    xgboost.train(PARAMS, dtrain, num_boost_round=2)

    run = tracekit.last_active_run()
    assert logged_models() == [] and run.inputs.dataset_inputs == [] and run.data.tags["team"] == "risk"


def test_registered_model_name_registers_the_model(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog(registered_model_name="churn-booster")

    xgboost.train(PARAMS, dtrain, num_boost_round=2)

    [version] = tracekit.search_model_versions(filter_string="name = 'churn-booster'")
    assert version.version == 1 and version.model_id == logged_models()[0].model_id


def test_disable_removes_the_patches(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()
    tracekit.xgboost.autolog(disable=True)

    xgboost.train(PARAMS, dtrain, num_boost_round=2)

    assert not xgboost_autolog.is_enabled()
    assert tracekit.search_runs(output_format="list") == []


def test_silent_logs_nothing_when_a_step_fails(dmatrices, tmp_path, internal_errors_swallowed, caplog):
    dtrain, _ = dmatrices
    caplog.set_level(logging.DEBUG, logger="tracekit")
    use_an_experiment_whose_artifacts_cannot_be_written(tmp_path)
    tracekit.xgboost.autolog(silent=True)
    caplog.clear()  # the store's own setup logs

    xgboost.train(PARAMS, dtrain, num_boost_round=2)

    assert [record for record in caplog.records if record.name.startswith("tracekit")] == []
    assert internal_error_counts()["xgboost autolog: logging the model"] == 1


def test_disable_for_unsupported_versions_keeps_newer_versions_off(monkeypatch, caplog):
    monkeypatch.setattr(xgboost_autolog._AUTOLOG, "newest_tested", (2, 0))

    tracekit.xgboost.autolog(disable_for_unsupported_versions=True)

    assert not xgboost_autolog.is_enabled()
    assert "newer than the newest tested version 2.0" in caplog.text


def test_bad_options_are_refused_by_name():
    with pytest.raises(tracekit.TracekitException, match="importance_types"):
        tracekit.xgboost.autolog(importance_types=["weight", "popularity"])
    with pytest.raises(tracekit.TracekitException, match="model_format 'pickle'"):
        tracekit.xgboost.autolog(model_format="pickle")
    assert not xgboost_autolog.is_enabled()


def test_cv_logs_params_and_each_metrics_mean_and_std_per_round_in_one_run_without_a_model(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    result = xgboost.cv(PARAMS, dtrain, num_boost_round=6, nfold=3, seed=7)

    [run] = tracekit.search_runs(output_format="list")
    assert run.info.status == "FINISHED" and tracekit.active_run() is None
    assert run.data.params == {"objective": "binary:logistic", "max_depth": "3",
                               "eval_metric": "['logloss', 'auc']", "num_boost_round": "6", "nfold": "3",
                               "seed": "7"}
    assert set(run.data.metrics) == {f"{data_name}-{metric}-{statistic}" for data_name in ("train", "test")
                                     for metric in ("logloss", "auc") for statistic in ("mean", "std")}
    for key in ("test-logloss-mean", "test-logloss-std", "train-auc-mean"):
        points = history(run.info.run_id, key)
        assert [step for step, _ in points] == list(range(6))
        assert [value for _, value in points] == pytest.approx(result[key].tolist())
    assert logged_models() == []


def test_cv_returning_a_dict_is_logged_the_same(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    result = xgboost.cv({"objective": "binary:logistic"}, dtrain, num_boost_round=4, as_pandas=False)

    run = tracekit.last_active_run()
    assert run.data.params["nfold"] == "3" and run.data.params["num_boost_round"] == "4"
    points = history(run.info.run_id, "test-logloss-std")
    assert [value for _, value in points] == pytest.approx(result["test-logloss-std"])


def test_cv_inside_a_user_run_logs_there_and_with_exclusive_stays_out(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()
    with tracekit.start_run() as run:
        xgboost.cv(PARAMS, dtrain, num_boost_round=2)
    tracekit.xgboost.autolog(exclusive=True)
    with tracekit.start_run() as other:
        xgboost.cv(PARAMS, dtrain, num_boost_round=2)

    assert tracekit.get_run(run.info.run_id).data.metrics["test-auc-mean"] > 0
    assert tracekit.get_run(other.info.run_id).data.metrics == {}
    assert len(tracekit.search_runs(output_format="list")) == 2


def test_cv_inside_an_autologged_sklearn_fit_passes_through(data, dmatrices):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import FunctionTransformer

    features, labels = data
    dtrain, _ = dmatrices
    tracekit.sklearn.autolog(log_models=False)  # the pipeline holds the DMatrix: it cannot be pickled
    tracekit.xgboost.autolog()

    def cross_validate_then_pass(frame):
        xgboost.cv(PARAMS, dtrain, num_boost_round=2)
        return frame

    Pipeline([("cv", FunctionTransformer(cross_validate_then_pass)),
              ("classify", LogisticRegression())]).fit(features, labels)

    [run] = tracekit.search_runs(output_format="list")
    assert run.data.tags["estimator_name"] == "Pipeline"
    assert not any(key.endswith(("-mean", "-std")) for key in run.data.metrics)
    assert "nfold" not in run.data.params


def test_an_exception_from_cv_propagates_unchanged_and_the_run_fails(dmatrices):
    dtrain, _ = dmatrices
    tracekit.xgboost.autolog()

    with pytest.raises(xgboost.core.XGBoostError, match="no_such_objective"):
        xgboost.cv({"objective": "no_such_objective"}, dtrain, num_boost_round=2)

    assert tracekit.active_run() is None
    assert tracekit.last_active_run().info.status == "FAILED"
