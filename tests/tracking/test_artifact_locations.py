"""Where files go: every experiment has an artifact location, every run and logged model a place under it, on each
database and through the tracking server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import tracekit
from tracekit import TracekitException
from tracekit.store.backend import close_backends, sql_backend
from tracekit.store.uri import to_sqlalchemy_url


def _expected_default_root(uri: str, working_dir: Path) -> str:
    url = to_sqlalchemy_url(uri)
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database).resolve().parent / "tracekit-artifacts")
    return str(working_dir / "tracekit-artifacts")


def test_the_default_experiment_has_a_location_under_the_default_root(tracking_uri, tmp_path):
    root = _expected_default_root(tracking_uri, tmp_path)
    assert os.path.isabs(root)
    assert tracekit.get_experiment("0").artifact_location == f"{root}/0"
    assert tracekit.get_experiment_by_name("Default").artifact_location == f"{root}/0"


def test_a_new_experiment_gets_root_slash_id_unless_given_a_location(tracking_uri, tmp_path):
    root = _expected_default_root(tracking_uri, tmp_path)
    plain = tracekit.create_experiment("plain")
    assert tracekit.get_experiment(plain).artifact_location == f"{root}/{plain}"
    on_s3 = tracekit.create_experiment("on-s3", artifact_location="s3://bucket/team/exp")
    assert tracekit.get_experiment(on_s3).artifact_location == "s3://bucket/team/exp"
    relative = tracekit.create_experiment("relative", artifact_location="somewhere/else")
    assert tracekit.get_experiment(relative).artifact_location == str(tmp_path / "somewhere" / "else")
    listed = {e.name: e.artifact_location for e in tracekit.search_experiments()}
    assert listed["plain"] == f"{root}/{plain}" and listed["Default"] == f"{root}/0"


def test_runs_and_models_live_under_their_experiment(tracking_uri, tmp_path):
    root = _expected_default_root(tracking_uri, tmp_path)
    experiment_id = tracekit.create_experiment("placed", artifact_location="s3://bucket/placed/")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        model = tracekit.initialize_logged_model(name="net")
    assert run.info.artifact_uri == f"s3://bucket/placed/{run.info.run_id}/artifacts"
    assert tracekit.get_run(run.info.run_id).info.artifact_uri == run.info.artifact_uri
    assert model.artifact_location == f"s3://bucket/placed/models/{model.model_id}/artifacts"
    assert tracekit.get_logged_model(model.model_id).artifact_location == model.artifact_location
    with tracekit.start_run() as default_run:
        pass
    assert default_run.info.artifact_uri == f"{root}/0/{default_run.info.run_id}/artifacts"
    external = tracekit.create_external_model(name="agent")
    assert external.artifact_location == f"{root}/0/models/{external.model_id}/artifacts"
    assert [m.artifact_location for m in tracekit.search_logged_models(experiment_ids=["0"], output_format="list")] == [
        external.artifact_location]


def test_the_setting_overrides_the_default_root(tracking_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_DEFAULT_ARTIFACT_ROOT", "s3://shared-bucket/tracekit")
    close_backends()
    assert tracekit.get_experiment("0").artifact_location == "s3://shared-bucket/tracekit/0"
    experiment_id = tracekit.create_experiment("configured")
    assert tracekit.get_experiment(experiment_id).artifact_location == f"s3://shared-bucket/tracekit/{experiment_id}"


def test_a_relative_setting_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_DEFAULT_ARTIFACT_ROOT", "my-artifacts")
    assert tracekit.get_experiment("0").artifact_location == f"{tmp_path / 'my-artifacts'}/0"


def test_a_root_given_in_code_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_DEFAULT_ARTIFACT_ROOT", "s3://ignored")
    backend = sql_backend(f"sqlite:///{tmp_path / 'served.db'}", default_artifact_root="tracekit-artifacts:/")
    try:
        tracking = backend.tracking
        assert tracking.get_experiment("0").artifact_location == "tracekit-artifacts:/0"
        experiment_id = tracking.create_experiment("proxied")
        run = tracking.create_run(experiment_id, "r", 0)
        assert run.info.artifact_uri == f"tracekit-artifacts:/{experiment_id}/{run.info.run_id}/artifacts"
    finally:
        backend.close()


def test_sqlite_root_sits_beside_the_database_file_wherever_the_process_runs(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    tracekit.set_tracking_uri("sqlite:///../data/tracking.db")
    assert tracekit.get_experiment("0").artifact_location == f"{tmp_path / 'data' / 'tracekit-artifacts'}/0"
    close_backends()


def test_a_location_too_long_for_the_runs_under_it_is_refused():
    with pytest.raises(TracekitException, match="Choose a shorter artifact_location"):
        tracekit.create_experiment("long", artifact_location="s3://bucket/" + "x" * 990)
    assert tracekit.get_experiment_by_name("long") is None


def test_runs_and_models_stored_without_a_location_get_one_when_read(tracking_uri, tmp_path):
    """Rows written before tracekit stored artifacts have no location; readers still get the place of their files."""
    from sqlalchemy import update

    from tracekit.store.backend import get_backend
    from tracekit.store.sql.schema import logged_models, runs

    root = _expected_default_root(tracking_uri, tmp_path)
    with tracekit.start_run() as run:
        model = tracekit.initialize_logged_model(name="old")
    store = get_backend().tracking

    def forget_locations(connection):
        connection.execute(update(runs).values(artifact_uri=None))
        connection.execute(update(logged_models).values(artifact_location=None))

    store.database.write(forget_locations)
    assert tracekit.get_run(run.info.run_id).info.artifact_uri == f"{root}/0/{run.info.run_id}/artifacts"
    assert tracekit.get_logged_model(model.model_id).artifact_location == \
        f"{root}/0/models/{model.model_id}/artifacts"
    found = tracekit.search_runs(experiment_ids=["0"], output_format="list")
    assert [r.info.artifact_uri for r in found] == [f"{root}/0/{run.info.run_id}/artifacts"]
