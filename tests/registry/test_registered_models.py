"""Registered models and their versions, aliases, tags and stages through `TracekitClient`, on SQLite, PostgreSQL
and MariaDB."""

from __future__ import annotations

import pytest

from tracekit import ModelVersionStatus, ResourceNotFoundError, TracekitException


def add_versions(client, name: str, count: int) -> list[int]:
    return [client.create_model_version(name, f"models:/source-{i}").version for i in range(count)]


def test_a_registered_model_is_created_read_and_described(client):
    created = client.create_registered_model("churn", tags={"team": "growth"}, description="first")
    assert (created.name, created.tags, created.description, created.aliases) == ("churn", {"team": "growth"},
                                                                                  "first", {})
    assert created.latest_versions == [] and created.creation_timestamp > 0
    updated = client.update_registered_model("churn", description="second")
    assert client.get_registered_model("churn").description == "second" == updated.description


def test_versions_count_up_from_one_and_are_ready(client):
    client.create_registered_model("churn")
    assert add_versions(client, "churn", 3) == [1, 2, 3]
    version = client.get_model_version("churn", "2")
    assert (version.version, version.source, version.status, version.current_stage) == (
        2, "models:/source-1", ModelVersionStatus.READY, "None")
    assert version.model_uri == "models:/churn/2"


def test_a_deleted_version_number_is_not_given_again(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 2)
    client.delete_model_version("churn", 2)
    with pytest.raises(ResourceNotFoundError, match=r"'churn' has no version 2; its versions are 1"):
        client.get_model_version("churn", 2)
    assert client.create_model_version("churn", "models:/again").version == 3


def test_a_version_keeps_its_run_model_description_and_tags(client):
    client.create_registered_model("churn")
    client.create_model_version("churn", "runs:/abc/model", run_id="abc", model_id="m-" + "1" * 32,
                                tags={"validated": True}, description="baseline", run_link="http://ui/run/abc")
    version = client.get_model_version("churn", 1)
    assert (version.run_id, version.model_id, version.description, version.run_link, version.tags) == (
        "abc", "m-" + "1" * 32, "baseline", "http://ui/run/abc", {"validated": "True"})
    client.set_model_version_tag("churn", 1, "validated", "no")
    client.delete_model_version_tag("churn", 1, "validated")
    assert client.get_model_version("churn", 1).tags == {}
    with pytest.raises(ResourceNotFoundError, match="Version 1 of registered model 'churn' has no tag 'validated'"):
        client.delete_model_version_tag("churn", 1, "validated")
    assert client.update_model_version("churn", 1, description="tuned").description == "tuned"


def test_tags_of_a_registered_model_are_set_and_deleted(client):
    client.create_registered_model("churn")
    client.set_registered_model_tag("churn", "team", "growth")
    client.set_registered_model_tag("churn", "team", "risk")
    assert client.get_registered_model("churn").tags == {"team": "risk"}
    client.delete_registered_model_tag("churn", "team")
    with pytest.raises(ResourceNotFoundError, match="'churn' has no tag 'team'"):
        client.delete_registered_model_tag("churn", "team")


def test_aliases_point_at_versions_and_move(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 2)
    client.set_registered_model_alias("churn", "champion", 1)
    client.set_registered_model_alias("churn", "challenger", "2")
    assert client.get_model_version_by_alias("churn", "champion").version == 1
    client.set_registered_model_alias("churn", "champion", 2)
    assert client.get_registered_model("churn").aliases == {"challenger": 2, "champion": 2}
    assert client.get_model_version("churn", 2).aliases == ["challenger", "champion"]
    client.delete_registered_model_alias("churn", "challenger")
    with pytest.raises(ResourceNotFoundError, match="no alias 'challenger'; its aliases are champion"):
        client.get_model_version_by_alias("churn", "challenger")


def test_deleting_a_version_drops_its_aliases(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 2)
    client.set_registered_model_alias("churn", "champion", 2)
    client.delete_model_version("churn", 2)
    assert client.get_registered_model("churn").aliases == {}


@pytest.mark.parametrize("alias", ["latest", "LATEST", "v3", "V12", "7"])
def test_an_alias_that_reads_as_a_version_is_refused(client, alias):
    client.create_registered_model("churn")
    add_versions(client, "churn", 1)
    with pytest.raises(TracekitException, match=f"Invalid alias '{alias}': it reads as a version"):
        client.set_registered_model_alias("churn", alias, 1)


def test_an_alias_to_a_missing_version_names_the_versions_there_are(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 2)
    with pytest.raises(ResourceNotFoundError, match="'churn' has no version 9; its versions are 1, 2"):
        client.set_registered_model_alias("churn", "champion", 9)


def test_a_taken_name_is_refused_with_the_name(client):
    client.create_registered_model("churn")
    with pytest.raises(TracekitException, match="Registered model 'churn' already exists") as raised:
        client.create_registered_model("churn")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


@pytest.mark.parametrize("name", ["a/b", "a@b", "", "   "])
def test_a_name_that_cannot_appear_in_a_model_uri_is_refused(client, name):
    with pytest.raises(TracekitException, match="Registered model name"):
        client.create_registered_model(name)


def test_an_unknown_model_is_named_in_the_error(client):
    with pytest.raises(ResourceNotFoundError, match="Registered model 'nope' does not exist"):
        client.get_registered_model("nope")
    with pytest.raises(ResourceNotFoundError, match="Registered model 'nope' does not exist"):
        client.create_model_version("nope", "models:/x")


def test_renaming_carries_versions_tags_and_aliases(client):
    client.create_registered_model("churn", tags={"team": "growth"})
    add_versions(client, "churn", 2)
    client.set_model_version_tag("churn", 2, "validated", "yes")
    client.set_registered_model_alias("churn", "champion", 2)
    renamed = client.rename_registered_model("churn", "churn-v2")
    assert (renamed.name, renamed.tags, renamed.aliases) == ("churn-v2", {"team": "growth"}, {"champion": 2})
    assert client.get_model_version_by_alias("churn-v2", "champion").tags == {"validated": "yes"}
    with pytest.raises(ResourceNotFoundError):
        client.get_registered_model("churn")
    client.create_registered_model("other")
    with pytest.raises(TracekitException, match="'other' already exists"):
        client.rename_registered_model("churn-v2", "other")
    assert client.create_model_version("churn-v2", "models:/next").version == 3


def test_deleting_a_model_deletes_its_versions(client):
    client.create_registered_model("churn", tags={"a": "1"})
    add_versions(client, "churn", 2)
    client.set_registered_model_alias("churn", "champion", 1)
    client.delete_registered_model("churn")
    assert list(client.search_model_versions("name = 'churn'")) == []
    client.create_registered_model("churn")
    assert client.create_model_version("churn", "models:/fresh").version == 1


def test_stages_and_latest_versions(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 4)
    client.transition_model_version_stage("churn", 1, "production")
    client.transition_model_version_stage("churn", 2, "Staging")
    moved = client.transition_model_version_stage("churn", 3, "PRODUCTION", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert client.get_model_version("churn", 1).current_stage == "Archived"
    latest = {v.current_stage: v.version for v in client.get_latest_versions("churn")}
    assert latest == {"None": 4, "Staging": 2, "Production": 3, "Archived": 1}
    assert [v.version for v in client.get_latest_versions("churn", ["production"])] == [3]
    assert sorted(v.version for v in client.get_registered_model("churn").latest_versions) == [1, 2, 3, 4]


def test_a_bad_stage_lists_the_valid_ones(client):
    client.create_registered_model("churn")
    add_versions(client, "churn", 1)
    with pytest.raises(TracekitException, match="valid stages are None, Staging, Production, Archived"):
        client.transition_model_version_stage("churn", 1, "prod")
    with pytest.raises(TracekitException, match="archive_existing_versions applies to the stages Staging and"):
        client.transition_model_version_stage("churn", 1, "Archived", archive_existing_versions=True)


@pytest.mark.parametrize("version", [0, -1, "one", "1.5", True])
def test_a_version_that_is_not_a_positive_integer_is_refused(client, version):
    with pytest.raises(TracekitException, match="versions are positive integers"):
        client.get_model_version("churn", version)
