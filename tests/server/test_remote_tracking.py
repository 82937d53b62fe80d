"""The fluent tracking API against a real tracking server (uvicorn on 127.0.0.1, SQLite or PostgreSQL behind it):
with an http:// tracking URI, experiments, runs, logged models and the traces linked to them all go over HTTP, and
errors are the exceptions a local store raises."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from databases import server_database
from server_helpers import CountingApp, ThreadedServer

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.constants import RunTagKey
from tracekit.exceptions import InvalidFilterError
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends, get_backend
from tracekit.store.rest.remote_tracking import RestTrackingStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def serve(backend_store_uri: str) -> ThreadedServer:
    return ThreadedServer(create_app(ServerSettings(backend_store_uri=backend_store_uri))).start()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request, tmp_path):
    """The tracking URI set to a real server storing into an emptied database of each kind."""
    backend = f"sqlite:///{tmp_path / 'remote.db'}" if request.param == "sqlite" \
        else server_database("postgresql")
    server = serve(backend)
    close_backends()
    tracekit.set_tracking_uri(server.url)
    yield server.url
    tracekit.flush_trace_async_logging()
    close_backends()
    server.stop()


@pytest.fixture
def sqlite_server_url(tmp_path):
    server = serve(f"sqlite:///{tmp_path / 'remote.db'}")
    tracekit.set_tracking_uri(server.url)
    yield server.url
    close_backends()
    server.stop()


@tracekit.trace
def evaluate(learning_rate: float) -> float:
    return round(0.95 - abs(learning_rate - 0.01) * 2, 4)


def test_nested_run_sweep_and_search_runs_with_a_metric_filter(server_url):
    tracekit.set_experiment("sweep")
    with tracekit.start_run(run_name="sweep") as parent:
        tracekit.log_param("strategy", "grid")
        for learning_rate in (0.001, 0.01, 0.1):
            with tracekit.start_run(run_name=f"lr-{learning_rate}", nested=True):
                tracekit.log_params({"learning_rate": learning_rate})
                score = evaluate(learning_rate)
                for epoch in range(3):
                    tracekit.log_metric("loss", 1 - score + 0.1 * (2 - epoch), step=epoch)
                tracekit.log_metrics({"accuracy": score, "unstable": math.nan})
        tracekit.log_metric("best_accuracy", 0.95)

    children = tracekit.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                                    order_by=["metrics.accuracy DESC"])
    assert list(children["run_name"]) == ["lr-0.01", "lr-0.001", "lr-0.1"]
    assert list(children["params.learning_rate"]) == ["0.01", "0.001", "0.1"]
    assert children["metrics.unstable"].isna().all()
    good = tracekit.search_runs(filter_string="metrics.accuracy > 0.9", output_format="list")
    assert sorted(run.info.run_name for run in good) == ["lr-0.001", "lr-0.01"]
    best = children.iloc[0]
    assert tracekit.count_traces(run_id=best["run_id"]) == 1
    (trace,) = tracekit.search_traces(run_id=best["run_id"], return_type="list")
    assert trace.info.experiment_id == tracekit.get_experiment_by_name("sweep").experiment_id
    history = tracekit.get_metric_history(best["run_id"], "loss")
    assert [point.step for point in history] == [0, 1, 2]
    stored = tracekit.get_run(parent.info.run_id)
    assert stored.info.status == "FINISHED" and stored.data.metrics == {"best_accuracy": 0.95}
    assert tracekit.get_parent_run(best["run_id"]).info.run_id == parent.info.run_id


def test_external_model_with_linked_traces_and_metrics(server_url):
    tracekit.set_experiment("agents")
    model = tracekit.create_external_model(name="chatbot", model_type="agent", tags={"version": "v1"})
    tracekit.log_model_params({"temperature": "0.7"}, model_id=model.model_id)
    with tracekit.set_active_model(name="chatbot") as active:
        assert active.model_id == model.model_id  # found by name, not created again
        for question in ("hi", "bye"):
            tracekit.trace(lambda q: q.upper(), name="chat")(question)
    tracekit.trace(lambda q: q, name="unlinked")("x")
    assert tracekit.count_traces(model_id=model.model_id) == 2
    assert {t.data.spans[0].name for t in tracekit.search_traces(model_id=model.model_id, return_type="list")} \
        == {"chat"}

    v2 = tracekit.initialize_logged_model(name="chatbot", model_type="agent", tags={"version": "v2"})
    with tracekit.start_run(run_name="evaluate"):
        tracekit.log_metric("accuracy", 0.91, model_id=model.model_id)
        tracekit.log_metric("accuracy", 0.95, model_id=v2.model_id)
    assert tracekit.finalize_logged_model(v2.model_id, "READY").status == "READY"
    ranked = tracekit.search_logged_models(filter_string="metrics.accuracy > 0.9", output_format="list",
                                           order_by=[{"field_name": "metrics.accuracy", "ascending": False}])
    assert [(m.tags["version"], m.metrics[0].value) for m in ranked] == [("v2", 0.95), ("v1", 0.91)]
    tracekit.set_logged_model_tags(model.model_id, {"stage": "retired"})
    tracekit.delete_logged_model_tag(model.model_id, "version")
    stored = tracekit.get_logged_model(model.model_id)
    assert stored.tags == {"stage": "retired"} and stored.params == {"temperature": "0.7"}
    assert tracekit.last_logged_model().model_id == v2.model_id


def test_experiments_are_created_set_searched_and_deleted(server_url):
    experiment_id = tracekit.create_experiment("fraud", tags={"team": "risk"})
    assert tracekit.set_experiment("fraud").experiment_id == experiment_id
    tracekit.set_experiment_tag("stage", "dev")
    assert tracekit.get_experiment(experiment_id).tags == {"team": "risk", "stage": "dev"}
    tracekit.set_experiment("other")  # created on the server by name
    found = tracekit.search_experiments(filter_string="tags.team = 'risk'")
    assert [e.name for e in found] == ["fraud"]
    assert [e.name for e in tracekit.search_experiments(order_by=["name"])] == ["Default", "fraud", "other"]
    tracekit.delete_experiment(experiment_id)
    assert tracekit.get_experiment_by_name("fraud").lifecycle_stage == "deleted"
    assert [e.name for e in tracekit.search_experiments(view_type="DELETED_ONLY")] == ["fraud"]
    assert tracekit.get_experiment_by_name("never made") is None


def test_errors_are_the_exceptions_a_local_store_raises(server_url):
    with tracekit.start_run() as run:
        tracekit.log_param("lr", 0.1)
        with pytest.raises(TracekitException, match="already has the value '0.1'") as conflict:
            tracekit.log_param("lr", 0.2)
        assert conflict.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(TracekitException, match="already active.*nested=True"):
            tracekit.start_run()
    with pytest.raises(ResourceNotFoundError, match="'ghost' does not exist"):
        tracekit.get_run("ghost")
    with pytest.raises(ResourceNotFoundError, match="'99'"):
        tracekit.start_run(experiment_id="99")
    with pytest.raises(ResourceNotFoundError, match="'feedface'"):
        tracekit.start_run(parent_run_id="feedface")
    tracekit.create_experiment("twice")
    with pytest.raises(TracekitException, match="'twice' already exists") as taken:
        tracekit.create_experiment("twice")
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(InvalidFilterError, match="Invalid filter"):
        tracekit.search_runs(filter_string="metrics.accuracy >")
    with pytest.raises(InvalidFilterError, match="field_name"):
        tracekit.search_logged_models(order_by=[{"field": "name"}])
    model = tracekit.initialize_logged_model(name="m")
    with pytest.raises(TracekitException, match="valid statuses are READY, FAILED"):
        tracekit.finalize_logged_model(model.model_id, "PENDING")
    tracekit.delete_run(run.info.run_id)
    with pytest.raises(TracekitException, match="deleted") as deleted:
        tracekit.log_params({"y": 2}, run_id=run.info.run_id)
    assert deleted.value.error_code == "INVALID_STATE"


def test_run_lifecycle_resume_tags_and_deletion(server_url):
    with tracekit.start_run(run_name="first", tags={"a": "1"}) as run:
        tracekit.set_tags({"b": "2", "c": "3"})
        tracekit.delete_tag("c")
        with pytest.raises(ResourceNotFoundError, match="no tag 'c'"):
            tracekit.delete_tag("c")
    with tracekit.start_run(run_id=run.info.run_id) as resumed:
        assert resumed.info.status == "RUNNING" and resumed.info.end_time is None
        tracekit.log_metric("m", 3.0)
    with pytest.raises(ValueError):
        with tracekit.start_run():
            raise ValueError("boom")
    failed = tracekit.last_active_run()
    assert failed.info.status == "FAILED"
    stored = tracekit.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED" and stored.data.metrics == {"m": 3.0}
    assert {k: v for k, v in stored.data.tags.items() if len(k) == 1} == {"a": "1", "b": "2"}
    assert stored.data.tags[RunTagKey.RUN_NAME] == "first"
    tracekit.delete_run(failed.info.run_id)
    assert [r.info.run_id for r in tracekit.search_runs(output_format="list")] == [run.info.run_id]
    assert len(tracekit.search_runs(run_view_type="ALL", output_format="list")) == 2


def test_traces_runs_and_models_share_one_client_and_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_LOGGING", "false")  # no export thread racing for a second connection
    tracekit.tracing.reset()
    counting = CountingApp(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'shared.db'}")))
    server = ThreadedServer(counting).start()
    try:
        tracekit.set_tracking_uri(server.url)
        store = get_backend().tracking
        assert isinstance(store, RestTrackingStore) and store.client is get_backend(server.url).traces.client
        with tracekit.start_run():
            tracekit.log_metric("m", 1.0)
            evaluate(0.01)
        assert tracekit.count_traces(experiment_ids=["0"]) == 1
        assert counting.requests >= 5 and len(counting.connections) == 1
        close_backends()  # a reopened trace store brings a new client; the tracking store follows it
        assert get_backend().tracking.client is get_backend(server.url).traces.client
    finally:
        close_backends()
        server.stop()


def test_searches_page_through_the_server_up_to_max_results(sqlite_server_url, monkeypatch):
    monkeypatch.setattr("tracekit.store.rest.remote_tracking.SEARCH_PAGE_SIZE", 2)
    for number in range(5):
        with tracekit.start_run(run_name=f"r{number}"):
            pass
    assert len(tracekit.search_runs(output_format="list")) == 5
    page = get_backend().tracking.search_runs(["0"], max_results=3, order_by=["run_name"])
    assert [run.info.run_name for run in page] == ["r0", "r1", "r2"] and page.token
    rest = get_backend().tracking.search_runs(["0"], max_results=None, order_by=["run_name"], page_token=page.token)
    assert [run.info.run_name for run in rest] == ["r3", "r4"] and rest.token is None
    with pytest.raises(TracekitException, match="max_results must be a positive integer"):
        get_backend().tracking.search_runs(["0"], max_results=0)


@pytest.mark.parametrize(("example", "expected"), [
    ("nested_run_sweep.py", "best run lr_0.01_bs_32: 1 trace(s) linked"),
    ("external_model.py", "3 traces linked to chatbot_agent"),
])
@pytest.mark.slow
def test_examples_run_unchanged_against_a_server(sqlite_server_url, tmp_path, example, expected):
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": sqlite_server_url}
    environment.pop("TRACEKIT_EXPERIMENT_NAME", None)
    environment.pop("TRACEKIT_EXPERIMENT_ID", None)
    done = subprocess.run([sys.executable, str(EXAMPLES / example)], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert not (tmp_path / "tracekit.db").exists()  # nothing went to a local file
