"""Registry model URIs: `models:/<name>/<version>`, `@<alias>`, `/latest` and `/<stage>` resolve to the version's
source; malformed and dangling ones say what is wrong."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.registry.registered_model_uris import (
    is_registry_model_uri,
    parse_registry_model_uri,
    registry_model_version,
    resolve_registry_model_uri,
)


@pytest.fixture
def churn(registry_uri) -> tracekit.TracekitClient:
    """A registered model `churn` with versions 1-3 (sources models:/v1..v3); 1 in Production, 2 @champion."""
    client = tracekit.TracekitClient()
    client.create_registered_model("churn")
    for number in (1, 2, 3):
        client.create_model_version("churn", f"models:/v{number}")
    client.transition_model_version_stage("churn", 1, "Production")
    client.set_registered_model_alias("churn", "champion", 2)
    return client


@pytest.mark.parametrize(("uri", "source"), [
    ("models:/churn/1", "models:/v1"),
    ("models:/churn/3", "models:/v3"),
    ("models:/churn@champion", "models:/v2"),
    ("models:/churn/latest", "models:/v3"),
    ("models:/churn/production", "models:/v1"),
    ("models:/churn/Production", "models:/v1"),
    ("models://churn/2", "models:/v2"),
])
def test_registry_uris_resolve_to_the_versions_source(churn, uri, source):
    assert is_registry_model_uri(uri)
    assert resolve_registry_model_uri(uri) == source


def test_the_version_of_a_uri_comes_from_the_registry_uri_given(churn, tmp_path):
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with pytest.raises(ResourceNotFoundError, match="'churn' does not exist"):
        registry_model_version("models:/churn/1", registry_uri=other)


def test_a_logged_model_uri_is_not_a_registry_uri():
    assert not is_registry_model_uri("models:/m-" + "a" * 32)
    assert not is_registry_model_uri("runs:/abc/model")
    with pytest.raises(TracekitException, match="is not a registered model URI"):
        parse_registry_model_uri("models:/m-" + "a" * 32)


@pytest.mark.parametrize(("uri", "message"), [
    ("models:/churn/9", "'churn' has no version 9; its versions are 1, 2, 3"),
    ("models:/churn@gone", "'churn' has no alias 'gone'; its aliases are champion"),
    ("models:/churn/staging", "has no version in stage 'Staging'"),
    ("models:/nobody/latest", "Registered model 'nobody' does not exist"),
])
def test_a_uri_naming_nothing_says_what_is_missing(churn, uri, message):
    with pytest.raises(ResourceNotFoundError, match=message):
        resolve_registry_model_uri(uri)


@pytest.mark.parametrize(("uri", "message"), [
    ("models:/churn", "a model's name alone does not say which version"),
    ("models:/churn/1/extra", "expected models:/<name>/<version>"),
    ("models:/churn/newest", "'newest' is neither a version number, 'latest' nor a stage"),
    ("models:/churn@v3", "Invalid alias 'v3'"),
    ("models:/churn/0", "versions are positive integers"),
])
def test_a_malformed_uri_lists_the_valid_forms(uri, message):
    with pytest.raises(TracekitException, match=message):
        resolve_registry_model_uri(uri)
