"""The model registry REST API in-process against a real SQLite file (statuses and error bodies), and the remote
registry store through a real server: `set_registry_uri("http://...")` gives the same answers and errors as a
local registry."""

from __future__ import annotations

import json

import pytest
from server_helpers import ThreadedServer

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.exceptions import InvalidFilterError
from tracekit.registry.registered_model_uris import resolve_registry_model_uri
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends

API = "/api/v1/registered-models"


def create(api, name: str = "churn", **body) -> dict:
    answer = api.post(API, json={"name": name, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def add_version(api, name: str = "churn", source: str = "models:/m-x", **body) -> dict:
    answer = api.post(f"{API}/{name}/versions", json={"source": source, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_error(answer, status: int, code: str, text: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error_code"] == code and text in body["message"]


def test_a_model_and_its_versions_round_trip(api):
    created = create(api, tags={"team": "growth"}, description="churn model")
    assert api.get(f"{API}/churn").json() == created
    first = add_version(api, run_id="r1", tags={"ok": "yes"})
    assert (first["version"], first["status"], first["current_stage"], first["tags"]) == (1, "READY", "None",
                                                                                          {"ok": "yes"})
    assert add_version(api)["version"] == 2
    assert api.get(f"{API}/churn/versions/1").json() == first
    assert api.post(f"{API}/churn/aliases", json={"alias": "champion", "version": 2}).status_code == 204
    assert api.get(f"{API}/churn/aliases/champion").json()["version"] == 2
    moved = api.post(f"{API}/churn/versions/1/stage", json={"stage": "production"}).json()
    assert moved["current_stage"] == "Production"
    latest = api.post(f"{API}/churn/latest-versions", json={"stages": ["Production"]}).json()["model_versions"]
    assert [v["version"] for v in latest] == [1]
    found = api.post("/api/v1/model-versions/search", json={"filter_string": "run_id = 'r1'"}).json()
    assert [v["version"] for v in found["model_versions"]] == [1] and found["next_page_token"] is None
    page = api.post(f"{API}/search", json={"filter_string": "tags.team = 'growth'", "max_results": 1}).json()
    assert [m["name"] for m in page["registered_models"]] == ["churn"]


def test_a_taken_name_is_a_409(api):
    create(api)
    assert_error(api.post(API, json={"name": "churn"}), 409, "RESOURCE_ALREADY_EXISTS",
                 "Registered model 'churn' already exists")
    create(api, "other")
    assert_error(api.post(f"{API}/other/rename", json={"new_name": "churn"}), 409, "RESOURCE_ALREADY_EXISTS",
                 "'churn' already exists")


def test_unknown_models_versions_aliases_and_tags_are_404s(api):
    assert_error(api.get(f"{API}/nope"), 404, "RESOURCE_DOES_NOT_EXIST", "Registered model 'nope' does not exist")
    create(api)
    add_version(api)
    assert_error(api.get(f"{API}/churn/versions/7"), 404, "RESOURCE_DOES_NOT_EXIST",
                 "'churn' has no version 7; its versions are 1")
    assert_error(api.get(f"{API}/churn/aliases/champion"), 404, "RESOURCE_DOES_NOT_EXIST", "no alias 'champion'")
    assert_error(api.delete(f"{API}/churn/tags", params={"key": "x"}), 404, "RESOURCE_DOES_NOT_EXIST", "no tag 'x'")
    assert_error(api.post(f"{API}/nope/versions", json={"source": "s"}), 404, "RESOURCE_DOES_NOT_EXIST", "'nope'")


@pytest.mark.parametrize("alias", ["latest", "v3", "3"])
def test_an_alias_that_reads_as_a_version_is_a_400(api, alias):
    create(api)
    add_version(api)
    assert_error(api.post(f"{API}/churn/aliases", json={"alias": alias, "version": 1}), 400,
                 "INVALID_PARAMETER_VALUE", "reads as a version")


@pytest.mark.parametrize(("body", "text"), [
    ({"name": "a@b"}, "contains '@'"),
    ({"name": "x" * 501}, "name"),
    ({"name": "ok", "tags": {"": "v"}}, "tags"),
])
def test_bad_names_and_tags_are_4xx(api, body, text):
    answer = api.post(API, json=body)
    assert answer.status_code in (400, 422), answer.text
    assert text in answer.text


@pytest.mark.parametrize("body", [
    {"filter_string": "run_id = 'x'"},
    {"order_by": ["nope DESC"]},
    {"page_token": "not-a-token"},
    {"page_token": "eyJhZnRlciI6WyJ4Il0sInNlYXJjaCI6IngifQ=="},
    {"filter_string": "name = '\ud800'"},
])
def test_bad_searches_are_400s(api, body):
    answer = api.post(f"{API}/search", content=json.dumps(body), headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_bad_stages_and_versions(api):
    create(api)
    add_version(api)
    assert_error(api.post(f"{API}/churn/versions/1/stage", json={"stage": "prod"}), 400, "INVALID_PARAMETER_VALUE",
                 "valid stages are None, Staging, Production, Archived")
    assert api.get(f"{API}/churn/versions/0").status_code == 422
    assert api.get(f"{API}/churn/versions/one").status_code == 422


@pytest.fixture
def server_url(tmp_path):
    """A real server on a SQLite file; the tracking URI (and so the registry URI) set to it."""
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'remote.db'}")))
    server.start()
    close_backends()
    tracekit.set_tracking_uri(server.url)
    yield server.url
    close_backends()
    server.stop()


def test_register_and_load_by_alias_through_a_server(server_url):
    assert tracekit.get_registry_uri() == server_url
    with tracekit.start_run():
        model = tracekit.create_external_model(name="agent")
    version = tracekit.register_model(model.model_uri, "agent", tags={"k": "v"})
    assert (version.version, version.model_id, version.run_id) == (1, model.model_id, model.source_run_id)
    client = tracekit.TracekitClient()
    client.set_registered_model_alias("agent", "champion", 1)
    assert resolve_registry_model_uri("models:/agent@champion") == model.model_uri
    assert tracekit.register_model(model.model_uri, "agent").version == 2
    assert resolve_registry_model_uri("models:/agent/latest") == model.model_uri
    client.transition_model_version_stage("agent", 2, "Staging")
    assert [v.version for v in client.get_latest_versions("agent", ["staging"])] == [2]
    client.set_model_version_tag("agent", 2, "checked", "yes")
    client.delete_model_version_tag("agent", 2, "checked")
    client.update_model_version("agent", 2, description="second")
    client.set_registered_model_tag("agent", "team", "bots")
    client.delete_registered_model_tag("agent", "team")
    client.update_registered_model("agent", description="the agent")
    renamed = client.rename_registered_model("agent", "agent-v2")
    assert (renamed.description, renamed.aliases) == ("the agent", {"champion": 1})
    assert [(v.name, v.version) for v in tracekit.search_model_versions(filter_string="name = 'agent-v2'")] == [
        ("agent-v2", 2), ("agent-v2", 1)]
    assert [m.name for m in tracekit.search_registered_models(filter_string="name LIKE 'agent%'")] == ["agent-v2"]
    client.delete_registered_model_alias("agent-v2", "champion")
    client.delete_model_version("agent-v2", 1)
    assert client.get_model_version("agent-v2", 2).description == "second"
    client.delete_registered_model("agent-v2")
    assert tracekit.search_registered_models() == []


def test_paging_through_a_server(server_url):
    client = tracekit.TracekitClient()
    client.create_registered_model("paged")
    for _ in range(5):
        client.create_model_version("paged", "models:/x")
    first = client.search_model_versions(max_results=2)
    second = client.search_model_versions(max_results=2, page_token=first.token)
    assert [v.version for v in first + second] == [5, 4, 3, 2]
    assert len(tracekit.search_model_versions()) == 5


def test_remote_errors_are_the_exceptions_a_local_registry_raises(server_url):
    client = tracekit.TracekitClient()
    with pytest.raises(ResourceNotFoundError, match="Registered model 'nope' does not exist"):
        client.get_registered_model("nope")
    client.create_registered_model("churn")
    with pytest.raises(TracekitException, match="already exists") as taken:
        client.create_registered_model("churn")
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(ResourceNotFoundError, match="no alias 'gone'"):
        client.get_model_version_by_alias("churn", "gone")
    with pytest.raises(TracekitException, match="reads as a version"):
        client.set_registered_model_alias("churn", "latest", 1)
    with pytest.raises(InvalidFilterError, match="unknown field"):
        tracekit.search_registered_models(filter_string="run_id = 'x'")
    with pytest.raises(ResourceNotFoundError, match="logged model 'm-0+' does not exist"):
        tracekit.register_model("models:/m-" + "0" * 32, "churn")


@pytest.mark.parametrize(("path", "body"), [
    ("/versions", {"source": "models:/a\x00b"}),
    ("/versions", {"source": "s", "tags": {"k": "\x00"}}),
    ("/tags", {"key": "k\x00", "value": "v"}),
])
def test_values_postgresql_cannot_store_are_a_400_not_a_500(make_client, path, body):
    from databases import server_database

    api = make_client(backend_store_uri=server_database("postgresql"))
    create(api)
    answer = api.post(f"{API}/churn{path}", content=json.dumps(body), headers={"content-type": "application/json"})
    assert_error(answer, 400, "INVALID_PARAMETER_VALUE", "cannot contain NUL")
