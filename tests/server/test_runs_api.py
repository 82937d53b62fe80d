"""The run REST API, in-process against a real SQLite file."""

from __future__ import annotations

import math

from tracekit.entities import Run

API = "/api/v1/runs"


def create_run(api, experiment_id: str = "0", **body) -> dict:
    answer = api.post(API, json={"experiment_id": experiment_id, "start_time": 1_700_000_000_000, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def log(api, run_id: str, **batch):
    return api.post(f"{API}/{run_id}/log-batch", json=batch)


def point(key: str, value: float | None, step: int = 0, **extra) -> dict:
    return {"key": key, "value": value, "timestamp": 1_700_000_000_500 + step, "step": step, **extra}


def test_created_run_comes_back_as_its_dict(api):
    created = create_run(api, run_name="baseline", tags={"team": "nlp"}, user_id="alice")
    run_id = created["info"]["run_id"]
    body = api.get(f"{API}/{run_id}").json()
    assert body == created
    run = Run.from_dict(body)
    assert run.to_dict() == body
    assert (run.info.status, run.info.run_name, run.info.user_id) == ("RUNNING", "baseline", "alice")
    assert run.data.tags == {"team": "nlp", "mlflow.runName": "baseline"}


def test_a_run_in_an_unknown_experiment_is_a_404(api):
    answer = api.post(API, json={"experiment_id": "31", "start_time": 0})
    assert answer.status_code == 404 and "'31'" in answer.json()["message"]


def test_log_batch_stores_metrics_params_and_tags(api):
    run_id = create_run(api)["info"]["run_id"]
    answer = log(api, run_id, metrics=[point("loss", 0.5, 0), point("loss", 0.25, 1), point("acc", 0.9)],
                 params={"lr": "0.01"}, tags={"stage": "dev"})
    assert answer.status_code == 204, answer.text
    data = api.get(f"{API}/{run_id}").json()["data"]
    assert data["metrics"] == {"loss": 0.25, "acc": 0.9}
    assert data["params"] == {"lr": "0.01"} and data["tags"]["stage"] == "dev"
    history = api.get(f"{API}/{run_id}/metric-history", params={"key": "loss"}).json()["metrics"]
    assert [(p["step"], p["value"]) for p in history] == [(0, 0.5), (1, 0.25)]


def test_nan_travels_as_null_both_ways(api):
    run_id = create_run(api)["info"]["run_id"]
    assert log(api, run_id, metrics=[point("score", None)]).status_code == 204
    body = api.get(f"{API}/{run_id}").json()
    assert body["data"]["metrics"] == {"score": None}
    assert math.isnan(Run.from_dict(body).data.metrics["score"])


def test_a_param_logged_again_with_another_value_is_a_400_and_nothing_is_written(api):
    run_id = create_run(api)["info"]["run_id"]
    log(api, run_id, params={"lr": "0.1"})
    answer = log(api, run_id, params={"lr": "0.2"}, metrics=[point("acc", 1.0)])
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Param 'lr'" in answer.json()["message"] and "'0.1'" in answer.json()["message"]
    assert api.get(f"{API}/{run_id}").json()["data"]["metrics"] == {}


def test_a_metric_linked_to_an_unknown_model_is_a_404(api):
    run_id = create_run(api)["info"]["run_id"]
    answer = log(api, run_id, metrics=[point("acc", 1.0, model_id="m-nope")])
    assert answer.status_code == 404 and "m-nope" in answer.json()["message"]


def test_update_sets_status_end_time_and_name(api):
    run_id = create_run(api)["info"]["run_id"]
    answer = api.patch(f"{API}/{run_id}", json={"status": "FINISHED", "end_time": 1_700_000_009_000,
                                                "run_name": "renamed"})
    assert answer.status_code == 200
    assert answer.json()["status"] == "FINISHED" and answer.json()["run_name"] == "renamed"
    info = api.get(f"{API}/{run_id}").json()["info"]
    assert info["end_time"] == 1_700_000_009_000 and info["run_name"] == "renamed"
    assert api.patch(f"{API}/{run_id}", json={"status": "DONE"}).status_code == 422


def test_a_deleted_run_is_readable_but_logging_to_it_is_a_409(api):
    run_id = create_run(api)["info"]["run_id"]
    assert api.delete(f"{API}/{run_id}").status_code == 204
    assert api.get(f"{API}/{run_id}").json()["info"]["lifecycle_stage"] == "deleted"
    answer = log(api, run_id, params={"x": "1"})
    assert answer.status_code == 409 and answer.json()["error_code"] == "INVALID_STATE"


def test_deleting_a_missing_tag_is_a_404(api):
    run_id = create_run(api, tags={"keep": "1", "drop": "2"})["info"]["run_id"]
    assert api.delete(f"{API}/{run_id}/tags", params={"key": "drop"}).status_code == 204
    assert "drop" not in api.get(f"{API}/{run_id}").json()["data"]["tags"]
    missing = api.delete(f"{API}/{run_id}/tags", params={"key": "drop"})
    assert missing.status_code == 404 and "no tag 'drop'" in missing.json()["message"]


def test_unknown_run_is_a_404_everywhere(api):
    for answer in (api.get(f"{API}/ghost"), api.patch(f"{API}/ghost", json={"status": "FAILED"}),
                   api.delete(f"{API}/ghost"), log(api, "ghost", params={"a": "b"}),
                   api.get(f"{API}/ghost/metric-history", params={"key": "loss"})):
        assert answer.status_code == 404, answer.request.url
        assert answer.json()["exception"] == "ResourceNotFoundError"


def test_search_filters_on_metrics_orders_and_pages(api):
    for number in range(5):
        run_id = create_run(api, run_name=f"run-{number}")["info"]["run_id"]
        log(api, run_id, metrics=[point("acc", number / 10)])
    names, token = [], None
    while True:
        page = api.post(f"{API}/search", json={"experiment_ids": ["0"], "filter_string": "metrics.acc >= 0.2",
                                               "order_by": ["metrics.acc DESC"], "max_results": 2,
                                               "page_token": token}).json()
        names += [run["info"]["run_name"] for run in page["runs"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert names == ["run-4", "run-3", "run-2"]


def test_search_of_deleted_runs_needs_the_view_type(api):
    run_id = create_run(api)["info"]["run_id"]
    api.delete(f"{API}/{run_id}")
    assert api.post(f"{API}/search", json={"experiment_ids": ["0"]}).json()["runs"] == []
    found = api.post(f"{API}/search", json={"experiment_ids": ["0"], "run_view_type": "DELETED_ONLY"}).json()
    assert [run["info"]["run_id"] for run in found["runs"]] == [run_id]


def test_malformed_run_filter_is_a_400(api):
    answer = api.post(f"{API}/search", json={"filter_string": "metrics.acc >"})
    assert answer.status_code == 400 and answer.json()["exception"] == "InvalidFilterError"


def test_metric_values_must_be_numbers(api):
    run_id = create_run(api)["info"]["run_id"]
    answer = log(api, run_id, metrics=[point("acc", "high")])
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"].startswith("body.metrics.0.value")
