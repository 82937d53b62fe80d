"""Logged models: external and pending models, finalizing, params, tags, last_logged_model, search."""

from __future__ import annotations

import re
import time

import pandas as pd
import pytest

import tracekit
from tracekit import InvalidFilterError, LoggedModelStatus, ResourceNotFoundError, TracekitException


def test_external_model_is_ready_with_everything_stored(tracking_uri):
    model = tracekit.create_external_model(name="chatbot_agent", model_type="agent",
                                           tags={"version": "v1.0", "environment": "production"},
                                           params={"temperature": 0.7})
    assert re.fullmatch(r"m-[0-9a-f]{32}", model.model_id)
    stored = tracekit.get_logged_model(model.model_id)
    assert stored.name == "chatbot_agent" and stored.model_type == "agent"
    assert stored.status == LoggedModelStatus.READY and str(stored.status) == "READY"
    assert stored.tags == {"version": "v1.0", "environment": "production"}
    assert stored.params == {"temperature": "0.7"}
    assert stored.experiment_id == "0" and stored.source_run_id is None
    assert stored.creation_timestamp == stored.last_updated_timestamp
    assert stored.model_uri == f"models:/{model.model_id}"


def test_pending_model_is_finalized_ready_or_failed(tracking_uri):
    model = tracekit.initialize_logged_model(name="net", model_type="neural_network")
    assert tracekit.get_logged_model(model.model_id).status == "PENDING"
    time.sleep(0.002)
    ready = tracekit.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    assert ready.status == LoggedModelStatus.READY
    assert ready.last_updated_timestamp > ready.creation_timestamp
    failed = tracekit.initialize_logged_model(name="net2")
    assert tracekit.finalize_logged_model(failed.model_id, "failed").status == LoggedModelStatus.FAILED


@pytest.mark.parametrize("status", ["DONE", "PENDING", LoggedModelStatus.PENDING, 3])
def test_finalize_with_an_invalid_status_lists_the_valid_ones(status):
    model = tracekit.initialize_logged_model(name="net")
    with pytest.raises(TracekitException, match="valid statuses are READY, FAILED") as raised:
        tracekit.finalize_logged_model(model.model_id, status)
    assert model.model_id in str(raised.value)


def test_unknown_model_id_is_named():
    for call in (lambda: tracekit.get_logged_model("m-nothing"),
                 lambda: tracekit.finalize_logged_model("m-nothing", "READY"),
                 lambda: tracekit.set_logged_model_tags("m-nothing", {"a": "b"}),
                 lambda: tracekit.log_model_params({"a": "b"}, model_id="m-nothing"),
                 lambda: tracekit.set_active_model(model_id="m-nothing")):
        with pytest.raises(ResourceNotFoundError, match="'m-nothing' does not exist"):
            call()


def test_model_in_a_run_records_the_run_and_its_experiment(tracking_uri):
    experiment_id = tracekit.create_experiment("training")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        model = tracekit.create_external_model(name="checkpoint")
    assert model.source_run_id == run.info.run_id and model.experiment_id == experiment_id


def test_unknown_source_run_is_named():
    with pytest.raises(ResourceNotFoundError, match="'no-such-run'"):
        tracekit.create_external_model(name="x", source_run_id="no-such-run")


def test_model_params_are_set_once(tracking_uri):
    model = tracekit.create_external_model(name="m")
    tracekit.log_model_params({"temperature": "0.7", "max_tokens": "1000"}, model_id=model.model_id)
    tracekit.log_model_params({"temperature": 0.7}, model_id=model.model_id)
    with pytest.raises(TracekitException, match="Param 'temperature' of logged model .* cannot be changed"):
        tracekit.log_model_params({"temperature": "0.9"}, model_id=model.model_id)
    assert tracekit.get_logged_model(model.model_id).params == {"temperature": "0.7", "max_tokens": "1000"}


def test_model_tags_set_and_delete(tracking_uri):
    model = tracekit.create_external_model(name="m", tags={"a": "1"})
    tracekit.set_logged_model_tags(model.model_id, {"a": "2", "b": 3})
    tracekit.delete_logged_model_tag(model.model_id, "b")
    assert tracekit.get_logged_model(model.model_id).tags == {"a": "2"}
    with pytest.raises(ResourceNotFoundError, match="has no tag 'b'"):
        tracekit.delete_logged_model_tag(model.model_id, "b")


def test_last_logged_model():
    assert tracekit.last_logged_model() is None
    tracekit.create_external_model(name="first")
    second = tracekit.initialize_logged_model(name="second")
    tracekit.finalize_logged_model(second.model_id, "READY")
    latest = tracekit.last_logged_model()
    assert latest.model_id == second.model_id and latest.status == LoggedModelStatus.READY


@pytest.fixture
def models(tracking_uri):
    """Three models of the current experiment with metrics from one run: rf (0.91), xgb (0.97), agent (none)."""
    made = {}
    with tracekit.start_run() as run:
        for name, model_type, accuracy in (("rf", "forest", 0.91), ("xgb", "boosting", 0.97)):
            model = tracekit.create_external_model(name=name, model_type=model_type,
                                                   tags={"environment": "production"},
                                                   params={"model_type": name.upper()})
            tracekit.log_metric("accuracy", accuracy, model_id=model.model_id)
            made[name] = model
            time.sleep(0.003)
    made["agent"] = tracekit.initialize_logged_model(name="agent", model_type="agent",
                                                     tags={"environment": "staging"})
    return run, made


def model_names(found: list[tracekit.LoggedModel]) -> list[str]:
    return [model.name for model in found]


def test_search_filters_on_attributes_tags_params_and_metrics(models):
    run, _ = models

    def find(filter_string: str) -> list[str]:
        return sorted(model_names(tracekit.search_logged_models(filter_string=filter_string, output_format="list")))

    assert find("metrics.accuracy > 0.95") == ["xgb"]
    assert find("params.model_type = 'RF'") == ["rf"]
    assert find("tags.environment = 'production' AND model_type = 'boosting'") == ["xgb"]
    assert find("name = 'agent'") == ["agent"]
    assert find("status = 'PENDING'") == ["agent"]
    assert find(f"source_run_id='{run.info.run_id}'") == ["rf", "xgb"]
    assert find("name LIKE '%g%'") == ["agent", "xgb"]


def test_search_orders_by_dicts_and_ranks_checkpoints(models):
    run, _ = models
    ranked = tracekit.search_logged_models(filter_string=f"source_run_id='{run.info.run_id}'",
                                           order_by=[{"field_name": "metrics.accuracy", "ascending": False}],
                                           output_format="list")
    assert model_names(ranked) == ["xgb", "rf"]
    assert ranked[0].metrics[0].value == 0.97
    newest = tracekit.search_logged_models(order_by=[{"field_name": "creation_time", "ascending": False}],
                                           output_format="list")
    assert model_names(newest) == ["agent", "xgb", "rf"]
    by_metric_then_missing = tracekit.search_logged_models(order_by=[{"field_name": "metrics.accuracy"}],
                                                           output_format="list")
    assert model_names(by_metric_then_missing) == ["rf", "xgb", "agent"]
    assert len(tracekit.search_logged_models(max_results=1, output_format="list")) == 1


def test_search_pandas_output(models):
    frame = tracekit.search_logged_models(filter_string="tags.environment = 'production'",
                                          order_by=[{"field_name": "name", "ascending": True}])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["name"]) == ["rf", "xgb"]
    assert {"model_id", "experiment_id", "status", "model_type", "source_run_id", "creation_timestamp", "tags",
            "params", "metrics"} <= set(frame.columns)
    assert frame["tags"].iloc[0] == {"environment": "production"}
    assert frame["metrics"].iloc[1][0]["value"] == 0.97
    assert list(frame["status"]) == ["READY", "READY"]


def test_search_scopes_to_experiments(models):
    other = tracekit.create_experiment("other")
    tracekit.create_external_model(name="elsewhere", experiment_id=other)
    assert model_names(tracekit.search_logged_models(experiment_ids=[other], output_format="list")) == ["elsewhere"]
    assert "elsewhere" not in model_names(tracekit.search_logged_models(output_format="list"))


def test_search_errors_are_clear():
    with pytest.raises(InvalidFilterError, match="unknown field 'accuracy'.*metrics.<name>"):
        tracekit.search_logged_models(filter_string="accuracy > 0.9")
    with pytest.raises(InvalidFilterError, match="invalid value 'DONE'.*PENDING, READY, FAILED"):
        tracekit.search_logged_models(filter_string="status = 'DONE'")
    with pytest.raises(InvalidFilterError, match="Invalid order_by entry"):
        tracekit.search_logged_models(order_by=[{"field": "name"}])
    with pytest.raises(InvalidFilterError, match="'ascending' must be True or False"):
        tracekit.search_logged_models(order_by=[{"field_name": "name", "ascending": "no"}])
    with pytest.raises(TracekitException, match="output_format"):
        tracekit.search_logged_models(output_format="csv")
    with pytest.raises(TracekitException, match=r"datasets\[0\] needs a non-empty 'dataset_name'"):
        tracekit.search_logged_models(datasets=[{"dataset_digest": "abc"}])
