"""The logged model REST API, in-process against a real SQLite file."""

from __future__ import annotations

from tracekit.entities import LoggedModel

API = "/api/v1/logged-models"


def create_model(api, name: str = "agent", **body) -> dict:
    answer = api.post(API, json={"experiment_id": "0", "name": name, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_created_model_comes_back_as_its_dict(api):
    created = create_model(api, status="READY", model_type="agent", tags={"v": "1"}, params={"t": "0.7"})
    body = api.get(f"{API}/{created['model_id']}").json()
    assert body == created
    model = LoggedModel.from_dict(body)
    assert model.to_dict() == body
    assert model.model_id.startswith("m-") and model.status == "READY"
    assert (model.tags, model.params, model.metrics) == ({"v": "1"}, {"t": "0.7"}, [])


def test_a_model_starts_pending_and_is_finalized(api):
    model_id = create_model(api)["model_id"]
    assert api.get(f"{API}/{model_id}").json()["status"] == "PENDING"
    answer = api.post(f"{API}/{model_id}/finalize", json={"status": "FAILED"})
    assert answer.status_code == 200 and answer.json()["status"] == "FAILED"


def test_finalizing_as_pending_is_a_400_listing_the_valid_statuses(api):
    model_id = create_model(api)["model_id"]
    answer = api.post(f"{API}/{model_id}/finalize", json={"status": "PENDING"})
    assert answer.status_code == 400 and "READY, FAILED" in answer.json()["message"]
    assert api.post(f"{API}/{model_id}/finalize", json={"status": "DONE"}).status_code == 422


def test_tags_are_set_and_deleted(api):
    model_id = create_model(api, tags={"a": "1"})["model_id"]
    assert api.post(f"{API}/{model_id}/tags", json={"tags": {"b": "2", "a": "3"}}).status_code == 204
    assert api.get(f"{API}/{model_id}").json()["tags"] == {"a": "3", "b": "2"}
    assert api.delete(f"{API}/{model_id}/tags", params={"key": "a"}).status_code == 204
    missing = api.delete(f"{API}/{model_id}/tags", params={"key": "a"})
    assert missing.status_code == 404 and "no tag 'a'" in missing.json()["message"]


def test_a_param_logged_again_with_another_value_is_a_400(api):
    model_id = create_model(api, params={"t": "0.7"})["model_id"]
    assert api.post(f"{API}/{model_id}/params", json={"params": {"t": "0.7", "k": "5"}}).status_code == 204
    answer = api.post(f"{API}/{model_id}/params", json={"params": {"t": "0.9"}})
    assert answer.status_code == 400 and "Param 't'" in answer.json()["message"]
    assert api.get(f"{API}/{model_id}").json()["params"] == {"t": "0.7", "k": "5"}


def test_metrics_logged_to_a_run_with_a_model_id_show_on_the_model(api):
    model_id = create_model(api)["model_id"]
    run_id = api.post("/api/v1/runs", json={"experiment_id": "0", "start_time": 1}).json()["info"]["run_id"]
    api.post(f"/api/v1/runs/{run_id}/log-batch", json={"metrics": [
        {"key": "acc", "value": 0.93, "timestamp": 5, "step": 2, "model_id": model_id}]})
    (metric,) = api.get(f"{API}/{model_id}").json()["metrics"]
    assert metric == {"key": "acc", "value": 0.93, "timestamp": 5, "step": 2, "run_id": run_id,
                      "model_id": model_id, "dataset_name": None, "dataset_digest": None}


def test_unknown_model_or_source_run_is_a_404(api):
    for answer in (api.get(f"{API}/m-nope"), api.post(f"{API}/m-nope/finalize", json={"status": "READY"}),
                   api.post(f"{API}/m-nope/tags", json={"tags": {"a": "b"}}),
                   api.post(f"{API}/m-nope/params", json={"params": {"a": "b"}}),
                   api.post(API, json={"experiment_id": "0", "name": "x", "source_run_id": "no-run"})):
        assert answer.status_code == 404, answer.request.url
        assert answer.json()["exception"] == "ResourceNotFoundError"


def test_search_orders_by_field_objects_and_clauses_and_pages(api):
    for number, accuracy in enumerate((0.7, 0.9, 0.8)):
        create_model(api, f"model-{number}", params={"acc": str(accuracy)})
    body = {"experiment_ids": ["0"], "filter_string": "params.acc != '0.7'", "max_results": 1,
            "order_by": [{"field_name": "name", "ascending": False}]}
    first = api.post(f"{API}/search", json=body).json()
    second = api.post(f"{API}/search", json={**body, "page_token": first["next_page_token"]}).json()
    assert [m["name"] for m in first["models"] + second["models"]] == ["model-2", "model-1"]
    assert second["next_page_token"] is None
    by_clause = api.post(f"{API}/search", json={"order_by": ["name ASC"]}).json()
    assert [m["name"] for m in by_clause["models"]] == ["model-0", "model-1", "model-2"]


def test_malformed_order_by_entry_is_a_400_naming_the_valid_form(api):
    answer = api.post(f"{API}/search", json={"order_by": [{"field_name": "name", "direction": "up"}]})
    assert answer.status_code == 400
    assert answer.json()["exception"] == "InvalidFilterError" and "field_name" in answer.json()["message"]
