"""MLflow's names carry over: its environment variables are read when tracekit's are unset (a value set in code
wins, then TRACEKIT_*, then MLFLOW_*, then the default), and runs carry MLflow's system tags, searchable by them."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import config

FALLBACK_SETTINGS = [config.TRACKING_URI, config.EXPERIMENT_NAME, config.EXPERIMENT_ID, config.TRACKING_USERNAME,
                     config.TRACKING_PASSWORD, config.TRACKING_TOKEN, config.REGISTRY_URI]


@pytest.fixture(autouse=True)
def no_tracking_variables(monkeypatch):
    for setting in FALLBACK_SETTINGS:
        for name in setting.names:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("setting", FALLBACK_SETTINGS, ids=lambda setting: setting.name)
def test_each_mlflow_variable_is_read_when_the_tracekit_one_is_unset(setting, monkeypatch):
    assert setting.fallback == setting.name.replace("TRACEKIT_", "MLFLOW_")
    monkeypatch.setenv(setting.fallback, "from-mlflow")
    assert setting.get() == "from-mlflow"
    monkeypatch.setenv(setting.name, "from-tracekit")
    assert setting.get() == "from-tracekit"
    monkeypatch.setenv(setting.name, "  ")
    assert setting.get() == "from-mlflow"


def test_tracking_uri_from_mlflow_tracking_uri(tracking_uri, monkeypatch):
    tracekit.set_tracking_uri(None)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    assert tracekit.get_tracking_uri() == tracking_uri
    with tracekit.start_run(run_name="via-mlflow-uri") as run:
        pass
    tracekit.set_tracking_uri(tracking_uri)
    assert tracekit.get_run(run.info.run_id).info.run_name == "via-mlflow-uri"


def test_tracking_uri_precedence_code_then_tracekit_then_mlflow(tracking_uri, tmp_path, monkeypatch):
    tracekit.set_tracking_uri(None)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("TRACEKIT_TRACKING_URI", tracking_uri)
    assert tracekit.get_tracking_uri() == tracking_uri
    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'code.db'}")
    assert tracekit.get_tracking_uri() == f"sqlite:///{tmp_path / 'code.db'}"


def experiment_of_a_new_run() -> str:
    with tracekit.start_run() as run:
        pass
    return tracekit.get_experiment(run.info.experiment_id).name


def test_experiment_name_from_mlflow_experiment_name(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "named-for-mlflow")
    assert experiment_of_a_new_run() == "named-for-mlflow"


def test_experiment_name_precedence_code_then_tracekit_then_mlflow(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "mlflow-name")
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_NAME", "tracekit-name")
    assert experiment_of_a_new_run() == "tracekit-name"
    tracekit.set_experiment("code-name")
    assert experiment_of_a_new_run() == "code-name"


def test_experiment_id_from_mlflow_experiment_id(tracking_uri, monkeypatch):
    experiment_id = tracekit.create_experiment("by-mlflow-id")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", experiment_id)
    assert experiment_of_a_new_run() == "by-mlflow-id"


def test_experiment_id_precedence_tracekit_then_mlflow(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", tracekit.create_experiment("mlflow-id"))
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_ID", tracekit.create_experiment("tracekit-id"))
    assert experiment_of_a_new_run() == "tracekit-id"


def test_seed_nested_runs_found_by_mlflow_parent_run_id(tracking_uri):
    experiment_id = tracekit.create_experiment("nested-runs")
    with tracekit.start_run(run_name="PARENT_RUN", experiment_id=experiment_id, tags={"version": "v1"},
                            description="parent") as parent:
        tracekit.log_param("parent", "yes")
        with tracekit.start_run(run_name="CHILD_RUN", experiment_id=experiment_id, description="child",
                                nested=True):
            tracekit.log_param("child", "yes")
    query = f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    children = tracekit.search_runs(experiment_ids=[experiment_id], filter_string=query)
    assert list(children["params.child"]) == ["yes"]
    assert list(children["tags.mlflow.runName"]) == ["CHILD_RUN"]
    assert tracekit.get_run(parent.info.run_id).data.tags["mlflow.note.content"] == "parent"
    with tracekit.start_run(run_name="NEW_CHILD_RUN", experiment_id=experiment_id,
                            parent_run_id=parent.info.run_id):
        pass
    children = tracekit.search_runs(experiment_ids=[experiment_id], filter_string=query,
                                    order_by=["tags.mlflow.runName"])
    assert list(children["tags.mlflow.runName"]) == ["CHILD_RUN", "NEW_CHILD_RUN"]


def test_new_runs_carry_mlflow_system_tags(tracking_uri):
    with tracekit.start_run(run_name="tagged") as run:
        pass
    tags = tracekit.get_run(run.info.run_id).data.tags
    assert tags["mlflow.runName"] == "tagged"
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.name"]
    assert tags["mlflow.user"] == run.info.user_id
    assert "mlflow.parentRunId" not in tags and "mlflow.note.content" not in tags
    assert not any(key.startswith("tracekit.") for key in tags)


def test_note_content_is_settable_with_set_tag(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.set_tag("mlflow.note.content", "what this run tried")
    assert tracekit.get_run(run.info.run_id).data.tags["mlflow.note.content"] == "what this run tried"


def test_setting_mlflow_run_name_tag_renames_the_run(tracking_uri):
    with tracekit.start_run(run_name="before") as run:
        tracekit.set_tag("mlflow.runName", "after")
    assert tracekit.get_run(run.info.run_id).info.run_name == "after"


def test_legacy_tracekit_tag_names_still_work(tracking_uri):
    with tracekit.start_run(run_name="parent") as parent:
        with tracekit.start_run(nested=True, run_name="child") as child:
            tracekit.set_tag("tracekit.note.content", "old name")
    assert tracekit.get_run(child.info.run_id).data.tags["mlflow.note.content"] == "old name"
    children = tracekit.search_runs(filter_string=f"tags.tracekit.parentRunId = '{parent.info.run_id}'",
                                    order_by=["tags.tracekit.runName"])
    assert list(children["run_id"]) == [child.info.run_id]
