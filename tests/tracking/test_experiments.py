"""Experiments: create, set, look up, search, tag, delete; TRACEKIT_EXPERIMENT_NAME / TRACEKIT_EXPERIMENT_ID."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException, ViewType


def names(experiments: list[tracekit.Experiment]) -> list[str]:
    return [e.name for e in experiments if e.name != "Default"]


def test_create_experiment_returns_a_string_id_and_stores_everything(tracking_uri):
    experiment_id = tracekit.create_experiment("Social NLP", artifact_location="s3://bucket/exp",
                                               tags={"version": "v1", "priority": 1})
    assert isinstance(experiment_id, str)
    experiment = tracekit.get_experiment(experiment_id)
    assert experiment.name == "Social NLP"
    assert experiment.artifact_location == "s3://bucket/exp"
    assert experiment.tags == {"version": "v1", "priority": "1"}
    assert experiment.lifecycle_stage == "active"
    assert experiment.creation_time > 1_600_000_000_000


def test_experiment_ids_count_up_from_the_default(tracking_uri):
    ids = [tracekit.create_experiment(f"exp-{n}") for n in range(11)]
    assert ids == [str(n) for n in range(1, 12)]
    assert tracekit.get_experiment("0").name == "Default"


def test_duplicate_name_is_refused_naming_it(tracking_uri):
    tracekit.create_experiment("dup")
    with pytest.raises(TracekitException, match="'dup' already exists") as raised:
        tracekit.create_experiment("dup")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_names_are_case_sensitive(tracking_uri):
    lower = tracekit.create_experiment("model")
    upper = tracekit.create_experiment("Model")
    assert lower != upper
    assert tracekit.get_experiment_by_name("MODEL") is None
    assert tracekit.get_experiment_by_name("Model").experiment_id == upper


def test_set_experiment_by_name_creates_it_once():
    first = tracekit.set_experiment("tuning")
    again = tracekit.set_experiment("tuning")
    assert first.experiment_id == again.experiment_id
    assert len(names(tracekit.search_experiments())) == 1


def test_set_experiment_by_unknown_id_names_it():
    with pytest.raises(ResourceNotFoundError, match="'42'"):
        tracekit.set_experiment(experiment_id="42")


def test_set_experiment_needs_exactly_one_argument():
    with pytest.raises(TracekitException, match="exactly one"):
        tracekit.set_experiment()
    with pytest.raises(TracekitException, match="exactly one"):
        tracekit.set_experiment("a", experiment_id="0")


def test_get_experiment_of_unknown_id_names_it():
    with pytest.raises(ResourceNotFoundError, match="'777' does not exist"):
        tracekit.get_experiment("777")


def test_delete_experiment_keeps_it_readable_and_hides_it_from_search(tracking_uri):
    experiment_id = tracekit.create_experiment("old")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        pass
    tracekit.delete_experiment(experiment_id)
    deleted = tracekit.get_experiment(experiment_id)
    assert deleted.lifecycle_stage == "deleted"
    assert deleted.last_update_time >= deleted.creation_time
    assert names(tracekit.search_experiments()) == []
    assert names(tracekit.search_experiments(view_type=ViewType.DELETED_ONLY)) == ["old"]
    assert names(tracekit.search_experiments(view_type=ViewType.ALL)) == ["old"]
    assert tracekit.get_run(run.info.run_id).info.lifecycle_stage == "deleted"


def test_deleted_experiment_cannot_be_set_or_run_in():
    experiment = tracekit.set_experiment("gone")
    tracekit.delete_experiment(experiment.experiment_id)
    with pytest.raises(TracekitException, match="deleted experiment 'gone'"):
        tracekit.set_experiment("gone")
    with pytest.raises(TracekitException, match="deleted"):
        tracekit.start_run(experiment_id=experiment.experiment_id)


def test_default_experiment_cannot_be_deleted():
    with pytest.raises(TracekitException, match="default experiment"):
        tracekit.delete_experiment("0")


def test_search_experiments_filters_and_orders_like_mlflow(tracking_uri):
    for name, tags in [("a", None), ("b", None), ("ab", {"k": "v"}), ("bb", {"k": "V"})]:
        tracekit.create_experiment(name, tags=tags)
    assert names(tracekit.search_experiments(filter_string="name = 'a'")) == ["a"]
    assert sorted(names(tracekit.search_experiments(filter_string="name LIKE 'a%'"))) == ["a", "ab"]
    assert sorted(names(tracekit.search_experiments(filter_string="tags.k ILIKE '%v'"))) == ["ab", "bb"]
    assert names(tracekit.search_experiments(filter_string="name LIKE '%b' AND tags.k = 'v'")) == ["ab"]
    assert names(tracekit.search_experiments(order_by=["name"])) == ["a", "ab", "b", "bb"]
    assert names(tracekit.search_experiments(order_by=["experiment_id DESC"])) == ["bb", "ab", "b", "a"]
    assert len(tracekit.search_experiments(max_results=2)) == 2


def test_experiment_ids_sort_as_numbers(tracking_uri):
    for n in range(10):
        tracekit.create_experiment(f"e{n}")
    ordered = [e.experiment_id for e in tracekit.search_experiments(order_by=["experiment_id"])]
    assert ordered == [str(n) for n in range(11)]


def test_search_experiments_bad_filter_lists_valid_fields():
    with pytest.raises(TracekitException, match="unknown field 'owner'") as raised:
        tracekit.search_experiments(filter_string="owner = 'me'")
    assert "last_update_time" in str(raised.value) and "tags.<key>" in str(raised.value)


def test_set_experiment_tags_on_the_current_experiment():
    experiment = tracekit.set_experiment("tagged")
    tracekit.set_experiment_tags({"team": "nlp", "stage": 2})
    tracekit.set_experiment_tag("team", "vision")
    assert tracekit.get_experiment(experiment.experiment_id).tags == {"team": "vision", "stage": "2"}


def test_experiment_name_variable_chooses_and_creates_the_experiment(monkeypatch):
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_NAME", "from-env")
    with tracekit.start_run() as run:
        pass
    experiment = tracekit.get_experiment_by_name("from-env")
    assert experiment is not None and run.info.experiment_id == experiment.experiment_id


def test_experiment_id_variable_chooses_the_experiment(monkeypatch):
    experiment_id = tracekit.create_experiment("by-id")
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_ID", experiment_id)
    with tracekit.start_run() as run:
        pass
    assert run.info.experiment_id == experiment_id


def test_set_experiment_beats_the_name_variable_which_beats_the_id_variable(monkeypatch):
    by_id = tracekit.create_experiment("by-id")
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_ID", by_id)
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_NAME", "by-name")
    with tracekit.start_run() as from_name:
        pass
    chosen = tracekit.set_experiment("chosen")
    with tracekit.start_run() as from_code:
        pass
    assert from_name.info.experiment_id == tracekit.get_experiment_by_name("by-name").experiment_id
    assert from_code.info.experiment_id == chosen.experiment_id
