"""The experiment REST API, in-process against a real SQLite file."""

from __future__ import annotations

import pytest

from tracekit.entities import Experiment

API = "/api/v1/experiments"


def create(api, name: str, **body) -> str:
    answer = api.post(API, json={"name": name, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()["experiment_id"]


def search(api, **body) -> dict:
    answer = api.post(f"{API}/search", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_created_experiment_comes_back_as_its_dict(api):
    experiment_id = create(api, "fraud", tags={"team": "risk"}, artifact_location="s3://bucket/fraud")
    body = api.get(f"{API}/{experiment_id}").json()
    assert set(body) == set(Experiment.__dataclass_fields__)
    experiment = Experiment.from_dict(body)
    assert experiment.to_dict() == body
    assert (experiment.name, experiment.tags, experiment.lifecycle_stage) == ("fraud", {"team": "risk"}, "active")
    assert experiment.artifact_location == "s3://bucket/fraud" and experiment.creation_time > 0


def test_a_taken_name_is_a_409_naming_it(api):
    create(api, "taken")
    answer = api.post(API, json={"name": "taken"})
    assert answer.status_code == 409
    body = answer.json()
    assert body["error_code"] == "RESOURCE_ALREADY_EXISTS" and "'taken' already exists" in body["message"]


def test_unknown_experiment_is_a_404_naming_it(api):
    answer = api.get(f"{API}/4242")
    assert answer.status_code == 404
    body = answer.json()
    assert (body["error_code"], body["exception"]) == ("RESOURCE_DOES_NOT_EXIST", "ResourceNotFoundError")
    assert body["message"].startswith("Experiment with id '4242' does not exist.")
    assert "tracekit experiments search" in body["message"]  # what to do


def test_get_by_name_finds_the_experiment_or_answers_404(api):
    experiment_id = create(api, "by name")
    assert api.get(f"{API}/get-by-name", params={"experiment_name": "by name"}).json()["experiment_id"] == \
        experiment_id
    missing = api.get(f"{API}/get-by-name", params={"experiment_name": "nobody"})
    assert missing.status_code == 404 and missing.json()["exception"] == "ResourceNotFoundError"


def test_search_filters_orders_and_pages(api):
    for name in ("b-two", "a-one", "c-three", "other"):
        create(api, name, tags={"kind": "letter" if "-" in name else "word"})
    names, token = [], None
    while True:
        page = search(api, filter_string="tags.kind = 'letter'", order_by=["name ASC"], max_results=2,
                      page_token=token)
        names += [experiment["name"] for experiment in page["experiments"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert names == ["a-one", "b-two", "c-three"]


def test_search_defaults_to_active_experiments_and_view_type_shows_deleted(api):
    experiment_id = create(api, "to delete")
    assert api.delete(f"{API}/{experiment_id}").status_code == 204
    assert [e["name"] for e in search(api)["experiments"]] == ["Default"]
    assert [e["name"] for e in search(api, view_type="DELETED_ONLY")["experiments"]] == ["to delete"]
    assert len(search(api, view_type="ALL")["experiments"]) == 2
    assert api.get(f"{API}/{experiment_id}").json()["lifecycle_stage"] == "deleted"


def test_the_default_experiment_cannot_be_deleted(api):
    answer = api.delete(f"{API}/0")
    assert answer.status_code == 400 and "cannot be deleted" in answer.json()["message"]


def test_tags_are_set_on_an_experiment(api):
    experiment_id = create(api, "tagged")
    assert api.post(f"{API}/{experiment_id}/tags", json={"key": "stage", "value": "prod"}).status_code == 204
    assert api.get(f"{API}/{experiment_id}").json()["tags"] == {"stage": "prod"}
    assert api.post(f"{API}/77/tags", json={"key": "k", "value": "v"}).status_code == 404


def test_malformed_filter_is_a_400_with_the_grammar_message(api):
    answer = api.post(f"{API}/search", json={"filter_string": "name = "})
    assert answer.status_code == 400
    assert answer.json()["exception"] == "InvalidFilterError"


@pytest.mark.parametrize(("body", "field"), [
    ({"view_type": "SOME"}, "body.view_type"),
    ({"max_results": 0}, "body.max_results"),
    ({"max_results": "10"}, "body.max_results"),
])
def test_invalid_search_bodies_are_422_naming_the_field(api, body, field):
    answer = api.post(f"{API}/search", json=body)
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["field"] == field


def test_blank_name_is_a_422(api):
    answer = api.post(API, json={"name": "   "})
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "body.name"


def test_openapi_document_lists_the_tracking_api(api):
    paths = api.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/experiments": {"post"}, "/api/v1/experiments/search": {"post"},
        "/api/v1/experiments/get-by-name": {"get"}, "/api/v1/experiments/{experiment_id}": {"get", "delete"},
        "/api/v1/experiments/{experiment_id}/tags": {"post"},
        "/api/v1/runs": {"post"}, "/api/v1/runs/search": {"post"}, "/api/v1/runs/{run_id}": {"get", "patch", "delete"},
        "/api/v1/runs/{run_id}/log-batch": {"post"}, "/api/v1/runs/{run_id}/tags": {"delete"},
        "/api/v1/runs/{run_id}/metric-history": {"get"},
        "/api/v1/logged-models": {"post"}, "/api/v1/logged-models/search": {"post"},
        "/api/v1/logged-models/{model_id}": {"get"}, "/api/v1/logged-models/{model_id}/finalize": {"post"},
        "/api/v1/logged-models/{model_id}/tags": {"post", "delete"},
        "/api/v1/logged-models/{model_id}/params": {"post"},
        "/api/v1/traces/count": {"get"},
    }
    assert {path: set(paths[path]) for path in expected} == expected
