"""Datasets, async logging and system metrics through a tracking server: `tracekit server` (a real process) and the
in-process app on SQLite, PostgreSQL and MariaDB store what the client sends, and the REST routes refuse malformed
inputs with 4xx answers."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from databases import server_database
from server_helpers import ThreadedServer

import tracekit
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def remote_uri(request, tmp_path):
    backend = f"sqlite:///{tmp_path / 'remote.db'}" if request.param == "sqlite" else server_database(request.param)
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=backend))).start()
    close_backends()
    tracekit.set_tracking_uri(server.url)
    yield server.url
    tracekit.flush_async_logging()
    close_backends()
    server.stop()


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.0, 2.0], "label": [0, 1]})


def test_inputs_and_dataset_metrics_round_trip_through_the_server(remote_uri, frame):
    train = tracekit.data.from_pandas(frame, source="data/train.csv", targets="label", name="train")
    test = tracekit.data.from_pandas(frame.head(1), name="test_set")
    model = tracekit.create_external_model(name="m")
    other = tracekit.create_external_model(name="other")
    with tracekit.start_run() as run:
        tracekit.log_input(train, context="training", tags={"version": "2"})
        tracekit.log_input(model=model.model_id)
        tracekit.log_metric("acc", 0.95, model_id=model.model_id, dataset=test)
        tracekit.log_metric("acc", 0.50, model_id=other.model_id, dataset=test)
        tracekit.log_metric("acc", 0.99, model_id=other.model_id, dataset=train)
    stored = tracekit.get_run(run.info.run_id)
    first = stored.inputs.dataset_inputs[0]
    assert first.dataset == train.to_record() and first.context == "training"
    assert [i.dataset.name for i in stored.inputs.dataset_inputs] == ["train", "test_set"]
    assert [m.model_id for m in stored.inputs.model_inputs] == [model.model_id]
    searched = tracekit.search_runs(output_format="list")[0]
    assert searched.inputs == stored.inputs
    history = tracekit.get_metric_history(run.info.run_id, "acc")
    assert {(p.dataset_name, p.dataset_digest) for p in history} == {("test_set", test.digest),
                                                                     ("train", train.digest)}
    found = tracekit.search_logged_models(filter_string="metrics.acc > 0.9", datasets=[{"dataset_name": "test_set"}],
                                          output_format="list")
    assert [m.name for m in found] == ["m"]


def test_async_logging_goes_over_http(remote_uri):
    with tracekit.start_run() as run:
        for step in range(100):
            tracekit.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=False)
        tracekit.log_params({"lr": 0.1}, synchronous=False).wait()
    assert len(tracekit.get_metric_history(run.info.run_id, "loss")) == 100
    assert tracekit.get_run(run.info.run_id).data.params == {"lr": "0.1"}


def test_malformed_inputs_are_4xx(remote_uri):
    import httpx

    with tracekit.start_run() as run:
        pass
    url = f"{remote_uri}/api/v1/runs/{run.info.run_id}/log-inputs"
    bad_bodies = [
        {"datasets": [{"dataset": {"name": "d"}}]},  # no digest or source
        {"datasets": [{"dataset": {"name": "d", "digest": "x" * 37, "source_type": "local", "source": "{}"}}]},
        {"models": [{"model_id": 5}]},
        {"datasets": "all of them"},
    ]
    for body in bad_bodies:
        assert httpx.post(url, json=body).status_code == 422, body
    missing_model = httpx.post(url, json={"models": [{"model_id": "m-" + "0" * 32}]})
    assert missing_model.status_code == 404
    dataset = {"name": "d", "digest": "abc", "source_type": "code", "source": "{}"}
    unknown_run = httpx.post(f"{remote_uri}/api/v1/runs/{'f' * 32}/log-inputs", json={"datasets": [
        {"dataset": dataset}]})
    assert unknown_run.status_code == 404
    search = httpx.post(f"{remote_uri}/api/v1/logged-models/search", json={"datasets": [{"dataset_digest": "x"}]})
    assert search.status_code == 422


def test_a_real_tracekit_server_process_records_inputs_and_system_metrics(server_process, frame):
    server = server_process().start()
    close_backends()
    tracekit.set_tracking_uri(server.url)
    try:
        tracekit.set_system_metrics_sampling_interval(0.1)
        dataset = tracekit.data.from_pandas(frame, name="train")
        with tracekit.start_run(log_system_metrics=True) as run:
            tracekit.log_input(dataset, context="training")
            time.sleep(0.3)
        stored = tracekit.get_run(run.info.run_id)
        assert stored.inputs.dataset_inputs[0].context == "training"
        assert "system/cpu_utilization_percentage" in stored.data.metrics
    finally:
        tracekit.set_system_metrics_sampling_interval(None)
        close_backends()
