"""Whatever a client sends, a user's error is answered 4xx, never 500 or 503 (which clients take for an outage and
retry or spill): forged page tokens, lone surrogates, integers beyond 64 bits, over-long ids, oversized filters and id
lists. Each case against a real server app on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json

import pytest
from databases import server_database

from tracekit.store.search.grammar import MAX_FILTER_COMPARISONS, MAX_FILTER_VALUES
from tracekit.store.sql.trace_search import search_fingerprint
from tracekit.validation import MAX_IDS_PER_REQUEST

SEARCH_ROUTES = ["/api/v1/traces/search", "/api/v1/runs/search", "/api/v1/logged-models/search"]
SURROGATE = "\ud800"


@pytest.fixture(params=["sqlite", "postgresql"])
def hostile_api(request, make_client, server_db):
    """A client of the app on each backend."""
    uri = server_db if request.param == "sqlite" else server_database("postgresql")
    return make_client(backend_store_uri=uri)


def send(api, path: str, body: object):
    """POST `body` as JSON text as a client may write it (lone surrogates as \\u escapes)."""
    return api.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


def forged_token(after: list[object], *search: object) -> str:
    payload = {"after": after, "search": search_fingerprint(*search)}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def assert_user_error(response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("after", [["a", "tr-1"], [{"x": 1}, "tr-1"], [2**70, "tr-1"], [1, 2], [True, "tr-1"],
                                   [1, "\x00"], [1, SURROGATE]])
def test_forged_trace_page_token_is_a_400(hostile_api, after):
    token = forged_token(after, [], None, [], None, None)
    assert_user_error(send(hostile_api, "/api/v1/traces/search", {"page_token": token}))


@pytest.mark.parametrize("offset", ["10", 2**70, True, {"a": 1}, -1])
@pytest.mark.parametrize("table", ["runs", "logged_models"])
def test_forged_offset_page_token_is_a_400(hostile_api, table, offset):
    token = forged_token([offset], table, None, [], [])
    assert_user_error(send(hostile_api, f"/api/v1/{table.replace('_', '-')}/search", {"page_token": token}))


@pytest.mark.parametrize("route", [*SEARCH_ROUTES, "/api/v1/experiments/search"])
def test_surrogate_in_order_by_is_a_400(hostile_api, route):
    response = send(hostile_api, route, {"order_by": [SURROGATE]})
    assert_user_error(response)
    assert "\\ud800" in response.text


@pytest.mark.parametrize("route", SEARCH_ROUTES)
def test_experiment_id_over_the_column_width_is_a_400_on_every_backend(hostile_api, route):
    response = send(hostile_api, route, {"experiment_ids": ["9" * 40]})
    assert_user_error(response)
    assert "32 characters" in response.json()["message"]


def test_experiment_id_over_the_column_width_in_a_count_is_a_400(hostile_api):
    assert_user_error(hostile_api.get("/api/v1/traces/count", params={"experiment_id": "9" * 40}))


@pytest.mark.parametrize("route", SEARCH_ROUTES)
def test_too_many_experiment_ids_is_a_400_naming_the_limit(hostile_api, route):
    response = send(hostile_api, route, {"experiment_ids": [str(i) for i in range(MAX_IDS_PER_REQUEST + 1)]})
    assert_user_error(response)
    assert f"At most {MAX_IDS_PER_REQUEST} experiment ids" in response.json()["message"]


def test_too_many_trace_ids_to_delete_is_a_400_naming_the_limit(hostile_api):
    trace_ids = [f"tr-{i:032x}" for i in range(MAX_IDS_PER_REQUEST + 1)]
    response = send(hostile_api, "/api/v1/traces/delete", {"experiment_id": "0", "trace_ids": trace_ids})
    assert_user_error(response)
    assert f"At most {MAX_IDS_PER_REQUEST} trace ids" in response.json()["message"]


@pytest.mark.parametrize("route", [*SEARCH_ROUTES, "/api/v1/experiments/search"])
def test_a_filter_of_20000_terms_is_a_400_naming_the_limit(hostile_api, route):
    response = send(hostile_api, route, {"filter_string": " AND ".join(["tags.a = 'b'"] * 20_000)})
    assert_user_error(response)
    assert f"more than {MAX_FILTER_COMPARISONS} comparisons" in response.json()["message"]


@pytest.mark.parametrize("route", SEARCH_ROUTES)
def test_a_filter_at_the_limit_is_answered(hostile_api, route):
    response = send(hostile_api, route, {"filter_string": " AND ".join(["tags.a = 'b'"] * MAX_FILTER_COMPARISONS)})
    assert response.status_code == 200, response.text


def test_an_in_list_over_the_value_limit_is_a_400(hostile_api):
    values = ", ".join(f"'{i}'" for i in range(MAX_FILTER_VALUES + 1))
    response = send(hostile_api, "/api/v1/traces/search", {"filter_string": f"tags.a IN ({values})"})
    assert_user_error(response)
    assert f"more than {MAX_FILTER_VALUES} values" in response.json()["message"]


def test_a_single_valued_query_parameter_given_twice_is_refused_naming_it(api):
    answer = api.get("/api/v1/traces/count", params=[("run_id", "a"), ("run_id", "b")])
    assert answer.status_code == 400
    assert "'run_id' was given 2 times" in answer.json()["message"]


def test_a_list_query_parameter_may_repeat(api):
    answer = api.get("/api/v1/traces/count", params=[("experiment_id", "0"), ("experiment_id", "1")])
    assert answer.status_code == 200
