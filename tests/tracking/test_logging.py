"""Logging to runs: params (set once), metrics (steps, times, latest value, NaN, infinity, model links), tags."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from sqlalchemy import func, select

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.store.backend import get_backend
from tracekit.store.sql import schema


def test_log_param_returns_the_value_and_stores_text(tracking_uri):
    with tracekit.start_run() as run:
        assert tracekit.log_param("lr", 0.01) == 0.01
        tracekit.log_params({"n_estimators": 10, "model": "rf", "layers": [1, 2]})
    assert tracekit.get_run(run.info.run_id).data.params == {
        "lr": "0.01", "n_estimators": "10", "model": "rf", "layers": "[1, 2]"}


def test_relogging_a_param_with_the_same_value_is_fine(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_param("lr", 0.01)
        tracekit.log_param("lr", "0.01")
    assert tracekit.get_run(run.info.run_id).data.params == {"lr": "0.01"}


def test_relogging_a_param_with_another_value_is_an_error_and_writes_nothing(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_param("lr", 0.01)
        with pytest.raises(TracekitException, match=r"Param 'lr' .* already has the value '0.01' .* '0.02'"):
            tracekit.log_params({"batch": 32, "lr": 0.02})
    assert tracekit.get_run(run.info.run_id).data.params == {"lr": "0.01"}


def test_log_metric_records_step_timestamp_and_history(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metric("loss", 0.9, step=0, timestamp=1_000)
        tracekit.log_metric("loss", 0.5, step=2, timestamp=3_000)
        tracekit.log_metric("loss", 0.7, step=1, timestamp=5_000)
        tracekit.log_metric("loss", 0.6, step=-20, timestamp=6_000)
    history = tracekit.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value, m.timestamp) for m in history] == [
        (-20, 0.6, 6_000), (0, 0.9, 1_000), (1, 0.7, 5_000), (2, 0.5, 3_000)]
    # The current value is the one at the largest step, however late the others came.
    assert tracekit.get_run(run.info.run_id).data.metrics == {"loss": 0.5}


def test_latest_value_at_one_step_is_the_latest_logged(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metric("acc", 0.1, timestamp=10)
        tracekit.log_metric("acc", 0.2, timestamp=20)
        tracekit.log_metric("acc", 0.05, timestamp=15)
    assert tracekit.get_run(run.info.run_id).data.metrics == {"acc": 0.2}


def test_default_step_is_zero_and_timestamp_is_now():
    with tracekit.start_run() as run:
        tracekit.log_metric("m", 1)
    (point,) = tracekit.get_metric_history(run.info.run_id, "m")
    assert point.step == 0 and point.timestamp >= run.info.start_time


def test_logging_the_same_point_twice_stores_it_once(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metric("m", 1.0, step=1, timestamp=5)
        tracekit.log_metric("m", 1.0, step=1, timestamp=5)
    assert len(tracekit.get_metric_history(run.info.run_id, "m")) == 1


def test_nan_and_infinity(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metrics({"nan": float("nan"), "inf": float("inf"), "ninf": -math.inf})
    metrics = tracekit.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert metrics["inf"] == sys.float_info.max and metrics["ninf"] == -sys.float_info.max


def test_numpy_and_integer_values_are_numbers(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metrics({"i": 3, "f32": np.float32(0.5), "i64": np.int64(7)}, step=np.int64(2))
    assert tracekit.get_run(run.info.run_id).data.metrics == {"i": 3.0, "f32": 0.5, "i64": 7.0}


@pytest.mark.parametrize("value", ["0.5", None, [1.0], {"a": 1}, 1 + 2j])
def test_non_numeric_metric_is_an_error_naming_the_key(value):
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="Metric 'accuracy'.*not a number"):
            tracekit.log_metric("accuracy", value)


def test_one_bad_metric_in_a_batch_writes_nothing():
    with tracekit.start_run() as run:
        with pytest.raises(TracekitException, match="Metric 'bad'"):
            tracekit.log_metrics({"good": 1.0, "bad": "x"})
    assert tracekit.get_run(run.info.run_id).data.metrics == {}


@pytest.mark.parametrize("step", [1.5, "3", True, 2**63])
def test_bad_step_is_an_error_naming_the_key(step):
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="Metric 'm': step must be a 64-bit integer"):
            tracekit.log_metric("m", 1.0, step=step)


def test_key_too_long_is_an_error():
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="must be 1 to 250 characters"):
            tracekit.log_metric("k" * 251, 1.0)


def test_param_value_too_long_is_an_error_naming_the_key():
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="param 'big' is 8001 characters"):
            tracekit.log_param("big", "x" * 8001)


def test_log_metrics_writes_one_batch_in_one_transaction(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_metrics({f"m{n}": float(n) for n in range(1000)}, step=3)
    engine = get_backend(tracking_uri).traces.engine
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(schema.metrics)
                                   .where(schema.metrics.c.run_id == run.info.run_id))
    assert stored == 1000
    assert tracekit.get_run(run.info.run_id).data.metrics["m999"] == 999.0


def test_logging_without_an_active_run_starts_one():
    tracekit.log_param("implicit", 1)
    run = tracekit.active_run()
    assert run is not None
    tracekit.end_run()
    assert tracekit.get_run(run.info.run_id).data.params == {"implicit": "1"}


def test_logging_to_an_explicit_run_id():
    with tracekit.start_run() as first:
        pass
    with tracekit.start_run():
        tracekit.log_metrics({"late": 1.0}, run_id=first.info.run_id)
        tracekit.log_params({"late": "yes"}, run_id=first.info.run_id)
    assert tracekit.get_run(first.info.run_id).data.metrics == {"late": 1.0}


def test_logging_to_an_unknown_run_names_it():
    with pytest.raises(ResourceNotFoundError, match="'unknown-run'"):
        tracekit.log_metric("m", 1.0, run_id="unknown-run")


def test_tags_set_replace_and_delete(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.set_tag("release", "1.0")
        tracekit.set_tags({"release": "1.1", "team": "ml", "n": 5})
        tracekit.delete_tag("team")
        with pytest.raises(ResourceNotFoundError, match=f"Run {run.info.run_id} has no tag 'team'"):
            tracekit.delete_tag("team")
    tags = tracekit.get_run(run.info.run_id).data.tags
    assert tags["release"] == "1.1" and tags["n"] == "5" and "team" not in tags


def test_run_name_tag_renames_the_run():
    with tracekit.start_run(run_name="first") as run:
        tracekit.set_tag("mlflow.runName", "second")
    assert tracekit.get_run(run.info.run_id).info.run_name == "second"


def test_metric_linked_to_a_model_shows_on_the_model(tracking_uri):
    model = tracekit.create_external_model(name="agent")
    with tracekit.start_run() as run:
        tracekit.log_metric("accuracy", 0.8, step=1, model_id=model.model_id)
        tracekit.log_metric("accuracy", 0.9, step=2, model_id=model.model_id)
        tracekit.log_metric("unlinked", 1.0)
    linked = tracekit.get_logged_model(model.model_id).metrics
    assert [(m.key, m.value, m.step, m.run_id) for m in linked] == [("accuracy", 0.9, 2, run.info.run_id)]
    history = tracekit.get_metric_history(run.info.run_id, "accuracy")
    assert {m.model_id for m in history} == {model.model_id}


def test_metric_linked_to_an_unknown_model_names_it():
    with tracekit.start_run():
        with pytest.raises(ResourceNotFoundError, match="'m-missing'.*'accuracy'"):
            tracekit.log_metric("accuracy", 0.8, model_id="m-missing")


def test_metrics_link_to_the_active_model_by_default():
    model = tracekit.create_external_model(name="served")
    tracekit.set_active_model(model_id=model.model_id)
    with tracekit.start_run():
        tracekit.log_metric("latency", 12.0)
    assert [m.key for m in tracekit.get_logged_model(model.model_id).metrics] == ["latency"]
