"""Searching registered models and versions with the filter grammar, compiled to SQL, on every database: fields,
LIKE/ILIKE, tags, IN lists, order_by, max_results and page tokens."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import InvalidFilterError


@pytest.fixture
def registry(registry_uri) -> tracekit.TracekitClient:
    """Models Boston (2 versions, run r1 then r2), Cordoba (1 version, run r1) and boston-small (tag size=s)."""
    client = tracekit.TracekitClient()
    client.create_registered_model("Boston", tags={"region": "us"})
    client.create_registered_model("Cordoba", tags={"region": "ar"})
    client.create_registered_model("boston-small", tags={"size": "s"})
    client.create_model_version("Boston", "runs:/r1/model", run_id="r1", tags={"validated": "yes"})
    client.create_model_version("Boston", "runs:/r2/model", run_id="r2")
    client.create_model_version("Cordoba", "runs:/r1/other", run_id="r1", model_id="m-" + "c" * 32)
    return client


def names(models) -> list[str]:
    return [model.name for model in models]


def versions(found) -> list[tuple[str, int]]:
    return [(version.name, version.version) for version in found]


def test_registered_models_are_listed_by_name(registry):
    assert names(tracekit.search_registered_models()) == ["Boston", "Cordoba", "boston-small"]


@pytest.mark.parametrize(("filter_string", "expected"), [
    ("name = 'Cordoba'", ["Cordoba"]),
    ("name != 'Cordoba'", ["Boston", "boston-small"]),
    ("name LIKE 'Bos%'", ["Boston"]),
    ("name ILIKE 'bos%'", ["Boston", "boston-small"]),
    ("tags.region = 'us'", ["Boston"]),
    ("tags.region LIKE '%'", ["Boston", "Cordoba"]),
    ("name ILIKE 'b%' AND tags.size = 's'", ["boston-small"]),
])
def test_registered_models_filter(registry, filter_string, expected):
    assert names(tracekit.search_registered_models(filter_string=filter_string)) == expected


def test_registered_models_order_by(registry):
    assert names(tracekit.search_registered_models(order_by=["name DESC"])) == ["boston-small", "Cordoba", "Boston"]
    newest_first = tracekit.search_registered_models(order_by=["last_updated_timestamp DESC"])
    times = [model.last_updated_timestamp for model in newest_first]
    assert len(times) == 3 and times == sorted(times, reverse=True)


def test_registered_models_come_with_their_latest_versions(registry):
    boston = tracekit.search_registered_models(filter_string="name = 'Boston'")[0]
    assert [(v.version, v.run_id) for v in boston.latest_versions] == [(2, "r2")]


def test_versions_are_listed_by_name_then_newest_first(registry):
    assert versions(tracekit.search_model_versions()) == [("Boston", 2), ("Boston", 1), ("Cordoba", 1)]


@pytest.mark.parametrize(("filter_string", "expected"), [
    ("name = 'Boston'", [("Boston", 2), ("Boston", 1)]),
    ("run_id = 'r1'", [("Boston", 1), ("Cordoba", 1)]),
    ("run_id IN ('r2', 'r9')", [("Boston", 2)]),
    ("version_number > 1", [("Boston", 2)]),
    ("name = 'Boston' AND version_number = 1", [("Boston", 1)]),
    ("source_path LIKE '%/other'", [("Cordoba", 1)]),
    ("model_id = 'm-" + "c" * 32 + "'", [("Cordoba", 1)]),
    ("tags.validated = 'yes'", [("Boston", 1)]),
    ("name ILIKE 'cor%'", [("Cordoba", 1)]),
])
def test_versions_filter(registry, filter_string, expected):
    assert versions(tracekit.search_model_versions(filter_string=filter_string)) == expected


def test_versions_order_by(registry):
    found = tracekit.search_model_versions(order_by=["version_number ASC", "name DESC"])
    assert versions(found) == [("Cordoba", 1), ("Boston", 1), ("Boston", 2)]


def test_pages_follow_with_tokens(registry):
    first = registry.search_model_versions(max_results=2)
    assert versions(first) == [("Boston", 2), ("Boston", 1)] and first.token
    second = registry.search_model_versions(max_results=2, page_token=first.token)
    assert versions(second) == [("Cordoba", 1)] and second.token is None
    page = registry.search_registered_models(max_results=1, order_by=["name DESC"])
    assert names(page) == ["boston-small"]
    assert names(registry.search_registered_models(max_results=5, order_by=["name DESC"],
                                                   page_token=page.token)) == ["Cordoba", "Boston"]


def test_a_token_of_another_search_is_refused(registry):
    token = registry.search_model_versions(max_results=1).token
    with pytest.raises(tracekit.TracekitException, match="page_token"):
        registry.search_model_versions("name = 'Boston'", max_results=1, page_token=token)


@pytest.mark.parametrize(("call", "filter_string", "message"), [
    ("search_registered_models", "run_id = 'r1'", "unknown field 'run_id'"),
    ("search_registered_models", "params.x = '1'", "unknown field 'params.x'"),
    ("search_model_versions", "version_number = 'one'", "needs a number"),
    ("search_model_versions", "name = Boston", "String values must be quoted"),
])
def test_a_bad_filter_names_the_field_and_the_valid_ones(registry, call, filter_string, message):
    with pytest.raises(InvalidFilterError, match=message):
        getattr(tracekit, call)(filter_string=filter_string)


def test_ordering_by_an_unknown_field_lists_the_sortable_ones(registry):
    with pytest.raises(InvalidFilterError, match="Valid fields are: name"):
        tracekit.search_registered_models(order_by=["run_id"])
