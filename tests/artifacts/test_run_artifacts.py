"""The fluent artifact calls: files, folders, text and dicts logged to the active run (started if none is) or to a
run named by id, read back through the public API."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import tracekit
from tracekit import ResourceNotFoundError, TracekitClient, TracekitException
from tracekit.artifacts import download_artifacts, list_artifacts, load_dict, load_text
from tracekit.store.backend import get_backend


def _paths(run_id: str, path: str | None = None) -> list[str]:
    return [info.path for info in list_artifacts(run_id=run_id, artifact_path=path)]


def test_log_artifact_copies_a_file_into_the_runs_artifacts(tmp_path):
    features = tmp_path / "features.txt"
    features.write_text("rooms, zipcode")
    with tracekit.start_run() as run:
        tracekit.log_artifact(features, artifact_path="features")
        tracekit.log_artifact(str(features))
        artifact_uri = tracekit.get_artifact_uri()
        file_uri = tracekit.get_artifact_uri(artifact_path="features/features.txt")
    assert artifact_uri == run.info.artifact_uri
    assert file_uri == f"{artifact_uri}/features/features.txt"
    assert Path(file_uri).read_text() == "rooms, zipcode"
    assert _paths(run.info.run_id) == ["features", "features.txt"]


def test_logging_without_an_active_run_starts_one_as_log_param_does(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    assert tracekit.active_run() is None
    tracekit.log_artifact(tmp_path / "a.txt")
    started = tracekit.active_run()
    assert started is not None
    tracekit.log_text("more", "b.txt")
    assert tracekit.active_run().info.run_id == started.info.run_id
    tracekit.end_run()
    assert _paths(started.info.run_id) == ["a.txt", "b.txt"]


def test_a_directory_given_to_log_artifact_keeps_its_name(tmp_path):
    folder = tmp_path / "states"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "x.json").write_text("{}")
    with tracekit.start_run() as run:
        tracekit.log_artifact(folder, artifact_path="saved")
    assert _paths(run.info.run_id, "saved/states/inner") == ["saved/states/inner/x.json"]


def test_log_artifacts_copies_a_directorys_contents(tmp_path):
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "data.json").write_text('{"state": "TX"}')
    (source / "sub" / "features.json").write_text("[]")
    with tracekit.start_run() as run:
        tracekit.log_artifacts(source, artifact_path="states")
    assert _paths(run.info.run_id, "states") == ["states/data.json", "states/sub"]
    assert load_dict(f"runs:/{run.info.run_id}/states/data.json") == {"state": "TX"}


def test_logging_the_folder_that_holds_the_artifact_root_does_not_copy_the_root_into_itself(tmp_path):
    # The working directory holds tracekit.db and, beside it, tracekit-artifacts/ with this run's files.
    (tmp_path / "notes.txt").write_text("n")
    with tracekit.start_run() as run:
        tracekit.log_text("first", "first.txt")
        tracekit.log_artifacts(".", artifact_path="snapshot")
    snapshot = _paths(run.info.run_id, "snapshot")
    assert "snapshot/notes.txt" in snapshot
    assert "snapshot/tracekit-artifacts" not in snapshot


def test_log_text_and_log_dict_write_files_that_read_back(tmp_path):
    with tracekit.start_run() as run:
        tracekit.log_text("text1", "file1.txt")
        tracekit.log_text("<h1>h\u00e9ader</h1>", "dir/index.html")
        tracekit.log_dict({"k": "v", "n": [1, 2]}, "data.json")
        tracekit.log_dict({"k": "v", "n": [1, 2]}, "dir/data.yml")
        tracekit.log_dict({"k": "v"}, "data")
        tracekit.log_dict({"k": "v"}, "data.txt")
    uri = f"runs:/{run.info.run_id}"
    assert load_text(f"{uri}/file1.txt") == "text1"
    assert load_text(f"{uri}/dir/index.html") == "<h1>h\u00e9ader</h1>"
    assert load_dict(f"{uri}/data.json") == {"k": "v", "n": [1, 2]}
    assert yaml.safe_load(load_text(f"{uri}/dir/data.yml")) == {"k": "v", "n": [1, 2]}
    assert load_dict(f"{uri}/dir/data.yml") == {"k": "v", "n": [1, 2]}
    assert load_dict(f"{uri}/data") == {"k": "v"}  # no known extension: JSON
    assert load_text(f"{uri}/data.txt").startswith("{")


def test_logging_to_a_run_by_id_leaves_the_active_run_alone(tmp_path):
    with tracekit.start_run() as earlier:
        pass
    (tmp_path / "late.txt").write_text("late")
    with tracekit.start_run() as current:
        tracekit.log_artifact(tmp_path / "late.txt", run_id=earlier.info.run_id)
        tracekit.log_artifacts(tmp_path, artifact_path="all", run_id=earlier.info.run_id)
        tracekit.log_text("t", "t.txt", run_id=earlier.info.run_id)
        tracekit.log_dict({"a": 1}, "d.json", run_id=earlier.info.run_id)
    assert _paths(earlier.info.run_id) == ["all", "d.json", "late.txt", "t.txt"]
    assert _paths(current.info.run_id) == []


def test_bad_input_is_refused_before_a_run_is_started(tmp_path):
    with pytest.raises(ResourceNotFoundError, match="missing.txt"):
        tracekit.log_artifact(tmp_path / "missing.txt")
    with pytest.raises(ResourceNotFoundError, match="nowhere"):
        tracekit.log_artifacts(tmp_path / "nowhere")
    with pytest.raises(TracekitException, match="takes a string"):
        tracekit.log_text(b"bytes", "x.txt")
    with pytest.raises(TracekitException, match="Cannot log dict as JSON.*type set is not JSON serializable"):
        tracekit.log_dict({"a": {1, 2}}, "x.json")
    with pytest.raises(TracekitException, match="as YAML"):
        tracekit.log_dict({"a": object()}, "x.yaml")
    assert tracekit.active_run() is None


@pytest.mark.parametrize("hostile", ["../escape.txt", "/etc/escape.txt", "a/../../escape.txt", "a\\b.txt"])
def test_hostile_artifact_paths_are_refused(tmp_path, hostile):
    (tmp_path / "f.txt").write_text("x")
    with tracekit.start_run() as run:
        with pytest.raises(TracekitException, match="Invalid artifact path"):
            tracekit.log_text("x", hostile)
        with pytest.raises(TracekitException, match="Invalid artifact path"):
            tracekit.log_artifact(tmp_path / "f.txt", artifact_path=hostile)
        with pytest.raises(TracekitException, match="Invalid artifact path"):
            tracekit.get_artifact_uri(hostile)
    assert _paths(run.info.run_id) == []
    assert not (Path(run.info.artifact_uri).parent / "escape.txt").exists()


def test_the_client_reads_and_writes_a_runs_artifacts(tmp_path):
    client = TracekitClient()
    with tracekit.start_run() as run:
        pass
    run_id = run.info.run_id
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.txt").write_text("x")
    client.log_artifact(run_id, tmp_path / "model.pkl", artifact_path="model")
    client.log_artifacts(run_id, tmp_path / "folder", artifact_path="logs")
    client.log_text(run_id, "hello", "notes/readme.md")
    client.log_dict(run_id, {"a": 1}, "notes/config.yaml")
    assert [info.path for info in client.list_artifacts(run_id)] == ["logs", "model", "notes"]
    assert [(i.path, i.file_size) for i in client.list_artifacts(run_id, "model")] == [("model/model.pkl", 2)]
    local = client.download_artifacts(run_id, "notes", dst_path=str(tmp_path / "out"))
    assert sorted(p.name for p in Path(local).iterdir()) == ["config.yaml", "readme.md"]
    assert yaml.safe_load((Path(local) / "config.yaml").read_text()) == {"a": 1}
    assert Path(download_artifacts(run_id=run_id, artifact_path="logs/x.txt")).read_text() == "x"


def test_the_client_uses_its_own_tracking_uri(tmp_path):
    other_uri = f"sqlite:///{tmp_path / 'other' / 'other.db'}"
    (tmp_path / "other").mkdir()
    client_run = get_backend(other_uri).tracking.create_run("0", "elsewhere", 0)
    client = TracekitClient(tracking_uri=other_uri)
    client.log_text(client_run.info.run_id, "far away", "where.txt")
    assert [info.path for info in client.list_artifacts(client_run.info.run_id)] == ["where.txt"]
    assert client_run.info.artifact_uri.startswith(str(tmp_path / "other" / "tracekit-artifacts"))
    with pytest.raises(ResourceNotFoundError):
        tracekit.get_run(client_run.info.run_id)  # not in the current tracking store
