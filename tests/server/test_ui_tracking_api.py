"""The stand-in read endpoints for experiments, runs and logged models, and the trace count (routers/ui_tracking.py;
replaced by the tracking REST API when both branches are merged, and these tests with it)."""

from __future__ import annotations

from server_helpers import build_trace

from tracekit.entities import LoggedModelStatus, Metric
from tracekit.store.sql_store import SqlTraceStore
from tracekit.tracking.sql_store import SqlTrackingStore


def seed(server_db):
    traces = SqlTraceStore(server_db)
    tracking = SqlTrackingStore(traces.database)
    experiment_id = tracking.create_experiment("agents", tags={"team": "a"})
    run = tracking.create_run(experiment_id, "baseline", start_time=1_700_000_000_000)
    tracking.log_batch(run.info.run_id, metrics=[Metric("accuracy", 0.9, 1_700_000_000_000)], params={"lr": "0.1"})
    model = tracking.create_logged_model(experiment_id, "agent", LoggedModelStatus.READY,
                                         source_run_id=run.info.run_id)
    traces.write_traces([build_trace(experiment_id=experiment_id, run_id=run.info.run_id),
                         build_trace(experiment_id=experiment_id, model_id=model.model_id),
                         build_trace(experiment_id=experiment_id)])
    return experiment_id, run.info.run_id, model.model_id


def test_experiments_search_and_get(api, server_db):
    experiment_id, _, _ = seed(server_db)
    page = api.post("/api/v1/experiments/search", json={"max_results": 1}).json()
    assert len(page["experiments"]) == 1 and page["next_page_token"]
    rest = api.post("/api/v1/experiments/search", json={"page_token": page["next_page_token"]}).json()
    assert {e["name"] for e in page["experiments"] + rest["experiments"]} == {"agents", "Default"}
    named = api.post("/api/v1/experiments/search", json={"filter_string": "name = 'agents'"}).json()
    assert [e["experiment_id"] for e in named["experiments"]] == [experiment_id]
    assert api.get(f"/api/v1/experiments/{experiment_id}").json()["tags"] == {"team": "a"}
    bad = api.post("/api/v1/experiments/search", json={"filter_string": "name =="})
    assert bad.status_code == 400 and "position" in bad.json()["message"]


def test_runs_search_and_get(api, server_db):
    experiment_id, run_id, _ = seed(server_db)
    run = api.get(f"/api/v1/runs/{run_id}").json()
    assert run["info"]["run_name"] == "baseline" and run["data"]["params"] == {"lr": "0.1"}
    found = api.post("/api/v1/runs/search", json={"experiment_ids": [experiment_id],
                                                  "filter_string": "metrics.accuracy > 0.5"}).json()
    assert [r["info"]["run_id"] for r in found["runs"]] == [run_id]
    assert api.get("/api/v1/runs/nope").status_code == 404


def test_logged_models_search_and_get(api, server_db):
    experiment_id, run_id, model_id = seed(server_db)
    assert api.get(f"/api/v1/logged-models/{model_id}").json()["source_run_id"] == run_id
    found = api.post("/api/v1/logged-models/search", json={
        "experiment_ids": [experiment_id], "filter_string": f"source_run_id = '{run_id}'",
        "order_by": [{"field_name": "creation_time", "ascending": False}]}).json()
    assert [m["model_id"] for m in found["models"]] == [model_id]


def test_trace_count_by_experiment_run_and_model(api, server_db):
    experiment_id, run_id, model_id = seed(server_db)
    assert api.get("/api/v1/traces/count", params={"experiment_id": experiment_id}).json() == {"count": 3}
    assert api.get("/api/v1/traces/count", params={"run_id": run_id}).json() == {"count": 1}
    assert api.get("/api/v1/traces/count", params={"model_id": model_id}).json() == {"count": 1}
    assert api.get("/api/v1/traces/count").json() == {"count": 3}
