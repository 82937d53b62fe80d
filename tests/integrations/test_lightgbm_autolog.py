"""LightGBM autolog with real LightGBM on small synthetic data, in the test's SQLite store, read back through the
public API (runs, metric histories, logged models, artifacts)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import tracekit
from tracekit.tracing.safety import internal_error_counts

lightgbm = pytest.importorskip("lightgbm")

from training_autolog_helpers import (  # noqa: E402
    artifact_json,
    history,
    logged_models,
    use_an_experiment_whose_artifacts_cannot_be_written,
)

import tracekit.integrations.lightgbm as lightgbm_autolog  # noqa: E402

PARAMS = {"objective": "binary", "metric": ["binary_logloss", "auc"], "num_leaves": 7, "verbose": -1}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    features = pd.DataFrame(rng.normal(size=(500, 4)), columns=["a", "b", "c", "d"])
    labels = ((features["a"] * features["b"] + rng.normal(scale=0.5, size=500)) > 0).astype(int)
    return features, labels


def datasets(data):
    features, labels = data
    train = lightgbm.Dataset(features[:400], label=labels[:400])
    return train, lightgbm.Dataset(features[400:], label=labels[400:], reference=train)


def test_train_logs_params_and_each_validation_metric_per_iteration(data):
    tracekit.lightgbm.autolog()
    train, valid = datasets(data)
    results: dict = {}

    lightgbm.train(PARAMS, train, num_boost_round=15, valid_sets=[train, valid], valid_names=["train", "valid"],
                   callbacks=[lightgbm.record_evaluation(results)])

    run = tracekit.last_active_run()
    assert run.info.status == "FINISHED" and tracekit.active_run() is None
    assert run.data.params["num_leaves"] == "7" and run.data.params["num_boost_round"] == "15"
    for data_name in ("train", "valid"):
        for metric in ("binary_logloss", "auc"):
            points = history(run.info.run_id, f"{data_name}-{metric}")
            assert [step for step, _ in points] == list(range(15))
            assert [value for _, value in points] == pytest.approx(results[data_name][metric])


def test_early_stopping_logs_best_and_stopped_iterations_and_keeps_the_last_iteration(data):
    tracekit.lightgbm.autolog()
    train, valid = datasets(data)
    callbacks = [lightgbm.early_stopping(3, first_metric_only=True, verbose=False)]

    booster = lightgbm.train({**PARAMS, "learning_rate": 0.8}, train, num_boost_round=300, valid_sets=[valid],
                             valid_names=["valid"], callbacks=callbacks)

    run = tracekit.last_active_run()
    assert len(callbacks) == 1  # the user's list is left alone
    stopped = booster.best_iteration + 3  # three rounds without improvement after the best
    assert stopped < 300
    assert run.data.metrics["best_iteration"] == booster.best_iteration
    assert run.data.metrics["stopped_iteration"] == stopped
    assert run.data.metrics["best_valid-binary_logloss"] == pytest.approx(
        booster.best_score["valid"]["binary_logloss"])
    assert len(history(run.info.run_id, "valid-auc")) == stopped


def test_feature_importance_split_and_gain_are_json_artifacts(data, tmp_path):
    tracekit.lightgbm.autolog()
    train, _ = datasets(data)

    booster = lightgbm.train(PARAMS, train, num_boost_round=5)

    run_id = tracekit.last_active_run().info.run_id
    for kind in ("split", "gain"):
        logged = artifact_json(run_id, f"feature_importance_{kind}.json", tmp_path)
        expected = dict(zip(booster.feature_name(), booster.feature_importance(importance_type=kind).tolist(),
                            strict=True))
        assert logged == pytest.approx(expected)


def test_the_booster_is_logged_with_the_training_frame_as_input_and_predicts_the_same(data):
    features, _ = data
    tracekit.lightgbm.autolog(log_input_examples=True)
    train, _ = datasets(data)

    booster = lightgbm.train(PARAMS, train, num_boost_round=5)

    run = tracekit.last_active_run()
    [dataset_input] = run.inputs.dataset_inputs
    assert '"num_rows": 400' in dataset_input.dataset.profile
    [logged] = logged_models()
    assert logged.source_run_id == run.info.run_id
    info = tracekit.models.get_model_info(f"models:/{logged.model_id}")
    assert [column.name for column in info.signature.inputs.inputs] == ["a", "b", "c", "d"]
    assert info.saved_input_example_info is not None
    np.testing.assert_allclose(tracekit.pyfunc.load_model(f"models:/{logged.model_id}").predict(features),
                               booster.predict(features))


def test_sklearn_api_fit_logs_the_estimator_and_its_eval_metrics(data):
    features, labels = data
    tracekit.lightgbm.autolog()
    named = np.where(labels == 1, "up", "down")

    classifier = lightgbm.LGBMClassifier(n_estimators=6, num_leaves=5, verbose=-1)
    classifier.fit(features, named, eval_set=[(features, named)], eval_names=["fit_data"])

    [run] = tracekit.search_runs(output_format="list")
    assert run.data.tags["estimator_name"] == "LGBMClassifier"
    assert run.data.params["n_estimators"] == "6" and "num_boost_round" not in run.data.params
    assert [value for _, value in history(run.info.run_id, "fit_data-binary_logloss")] == pytest.approx(
        classifier.evals_result_["fit_data"]["binary_logloss"])
    [logged] = logged_models()
    loaded = tracekit.lightgbm.load_model(f"models:/{logged.model_id}")
    assert type(loaded) is lightgbm.LGBMClassifier
    np.testing.assert_array_equal(loaded.predict(features), classifier.predict(features))
    np.testing.assert_array_equal(tracekit.pyfunc.load_model(f"models:/{logged.model_id}").predict(features),
                                  classifier.predict(features))


def test_exclusive_keeps_autolog_out_of_user_runs(data):
    tracekit.lightgbm.autolog(exclusive=True)
    train, _ = datasets(data)

    with tracekit.start_run() as run:
        lightgbm.train(PARAMS, train, num_boost_round=2)

    assert tracekit.get_run(run.info.run_id).data.params == {} and logged_models() == []


def test_a_failing_logging_step_never_breaks_training(data, tmp_path, internal_errors_swallowed, caplog):
    features, _ = data
    caplog.set_level(logging.WARNING, logger="tracekit")
    use_an_experiment_whose_artifacts_cannot_be_written(tmp_path)
    tracekit.lightgbm.autolog()
    train, valid = datasets(data)

    booster = lightgbm.train(PARAMS, train, num_boost_round=3, valid_sets=[valid], valid_names=["valid"])

    assert booster.predict(features).shape == (500,)
    counts = internal_error_counts()
    assert counts["lightgbm autolog: logging the model"] == 1
    assert counts["lightgbm autolog: logging feature importance"] == 2  # split and gain
    run = tracekit.last_active_run()
    assert run.info.status == "FINISHED" and len(history(run.info.run_id, "valid-auc")) == 3


def test_an_exception_from_training_propagates_unchanged_and_the_run_fails(data):
    tracekit.lightgbm.autolog()
    train, _ = datasets(data)

    with pytest.raises(lightgbm.basic.LightGBMError, match="no_such_objective"):
        lightgbm.train({"objective": "no_such_objective", "verbose": -1}, train, num_boost_round=2)

    assert tracekit.last_active_run().info.status == "FAILED" and tracekit.active_run() is None


def test_disable_removes_the_patches(data):
    tracekit.lightgbm.autolog()
    tracekit.lightgbm.autolog(disable=True)
    train, _ = datasets(data)

    lightgbm.train(PARAMS, train, num_boost_round=2)

    assert not lightgbm_autolog.is_enabled() and tracekit.search_runs(output_format="list") == []


def test_cv_logs_params_and_each_metrics_mean_and_std_per_round_in_one_run_without_a_model(data):
    tracekit.lightgbm.autolog()
    train, _ = datasets(data)

    result = lightgbm.cv(PARAMS, train, num_boost_round=5, nfold=3, eval_train_metric=True, return_cvbooster=True)

    [run] = tracekit.search_runs(output_format="list")
    assert run.info.status == "FINISHED" and tracekit.active_run() is None
    assert run.data.params["num_leaves"] == "7" and run.data.params["nfold"] == "3"
    assert run.data.params["num_boost_round"] == "5" and run.data.params["eval_train_metric"] == "True"
    assert set(run.data.metrics) == {f"{data_name}-{metric}-{statistic}" for data_name in ("train", "valid")
                                     for metric in ("binary_logloss", "auc") for statistic in ("mean", "std")}
    for key, source in (("valid-auc-mean", "valid auc-mean"), ("valid-binary_logloss-std", "valid binary_logloss-stdv"),
                        ("train-auc-std", "train auc-stdv")):
        points = history(run.info.run_id, key)
        assert [step for step, _ in points] == list(range(5))
        assert [value for _, value in points] == pytest.approx(result[source])
    assert logged_models() == []


def test_cv_with_early_stopping_logs_the_rounds_it_returns(data):
    tracekit.lightgbm.autolog()
    train, _ = datasets(data)

    result = lightgbm.cv({**PARAMS, "learning_rate": 0.9}, train, num_boost_round=200, nfold=3,
                         callbacks=[lightgbm.early_stopping(3, verbose=False)])

    rounds = len(result["valid auc-mean"])
    assert rounds < 200
    points = history(tracekit.last_active_run().info.run_id, "valid-auc-mean")
    assert [step for step, _ in points] == list(range(rounds))


def test_cv_with_exclusive_stays_out_of_user_runs(data):
    tracekit.lightgbm.autolog(exclusive=True)
    train, _ = datasets(data)

    with tracekit.start_run() as run:
        lightgbm.cv(PARAMS, train, num_boost_round=2, nfold=3)

    stored = tracekit.get_run(run.info.run_id)
    assert stored.data.params == {} and stored.data.metrics == {}


def test_an_exception_from_cv_propagates_unchanged_and_the_run_fails(data):
    tracekit.lightgbm.autolog()
    train, _ = datasets(data)

    with pytest.raises(lightgbm.basic.LightGBMError, match="no_such_objective"):
        lightgbm.cv({"objective": "no_such_objective", "verbose": -1}, train, num_boost_round=2, nfold=3)

    assert tracekit.last_active_run().info.status == "FAILED" and tracekit.active_run() is None
