"""Artifact URIs: runs:/ URIs resolve through the tracking store, other schemes through registered resolvers, and
every function taking a URI takes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.artifacts import (
    FileInfo,
    download_artifacts,
    list_artifacts,
    load_dict,
    load_text,
    register_uri_resolver,
    resolve_artifact_uri,
)
from tracekit.artifacts.artifact_uris import append_to_uri_path, split_artifact_uri


@pytest.fixture
def run_with_files(tmp_path):
    """A finished run holding notes.txt, config/params.json and config/params.yaml."""
    with tracekit.start_run() as run:
        tracekit.log_text("hello", "notes.txt")
        tracekit.log_dict({"lr": 0.1, "layers": [64, 32]}, "config/params.json")
        tracekit.log_dict({"lr": 0.1, "name": "net"}, "config/params.yaml")
    return run


def test_a_runs_uri_resolves_to_the_runs_artifact_location(run_with_files):
    run_id = run_with_files.info.run_id
    root = tracekit.get_run(run_id).info.artifact_uri
    assert resolve_artifact_uri(f"runs:/{run_id}") == root
    assert resolve_artifact_uri(f"runs:/{run_id}/") == root
    assert resolve_artifact_uri(f"runs:/{run_id}/config/params.json") == f"{root}/config/params.json"


@pytest.mark.parametrize("uri", ["s3://bucket/key", "/data/file.txt", "relative/file.txt", "file:///x/y",
                                 "tracekit-artifacts:/1/abc/artifacts"])
def test_other_uris_are_left_as_they_are(uri):
    assert resolve_artifact_uri(uri) == uri


@pytest.mark.parametrize(("uri", "message"), [
    ("runs://abc/x", "one slash after 'runs:'"),
    ("runs:abc/x", "one slash after 'runs:'"),
    ("runs:/", "no run id"),
    ("runs:/abc/../other-run/x", "'..' segments"),
])
def test_malformed_runs_uris_say_how_to_write_them(uri, message):
    with pytest.raises(TracekitException, match=message):
        resolve_artifact_uri(uri)


def test_a_runs_uri_of_an_unknown_run_names_it():
    with pytest.raises(ResourceNotFoundError, match="0123456789abcdef"):
        resolve_artifact_uri("runs:/0123456789abcdef/model")


def test_runs_uris_work_everywhere_a_uri_is_taken(run_with_files, tmp_path):
    run_id = run_with_files.info.run_id
    assert load_text(f"runs:/{run_id}/notes.txt") == "hello"
    assert load_dict(f"runs:/{run_id}/config/params.json") == {"lr": 0.1, "layers": [64, 32]}
    assert load_dict(f"runs:/{run_id}/config/params.yaml") == {"lr": 0.1, "name": "net"}
    assert [info.path for info in list_artifacts(f"runs:/{run_id}")] == ["config", "notes.txt"]
    json_size = len(json.dumps({"lr": 0.1, "layers": [64, 32]}, indent=2))
    assert list_artifacts(f"runs:/{run_id}/config") == [FileInfo("params.json", False, json_size),
                                                        FileInfo("params.yaml", False, len("lr: 0.1\nname: net\n"))]
    local = download_artifacts(f"runs:/{run_id}/config", dst_path=str(tmp_path / "out"))
    assert local == str(tmp_path / "out" / "config")
    assert sorted(p.name for p in Path(local).iterdir()) == ["params.json", "params.yaml"]
    whole = Path(download_artifacts(f"runs:/{run_id}", dst_path=str(tmp_path / "all")))
    assert (whole / "notes.txt").read_text() == "hello"


def test_by_run_id_paths_are_relative_to_the_run_root(run_with_files, tmp_path):
    run_id = run_with_files.info.run_id
    assert [info.path for info in list_artifacts(run_id=run_id, artifact_path="config")] == [
        "config/params.json", "config/params.yaml"]
    local = download_artifacts(run_id=run_id, artifact_path="notes.txt", dst_path=str(tmp_path))
    assert Path(local).read_text() == "hello"
    everything = Path(download_artifacts(run_id=run_id))
    assert (everything / "config" / "params.json").exists()


def test_uri_and_run_id_cannot_be_mixed_and_one_is_needed(run_with_files):
    with pytest.raises(TracekitException, match="either artifact_uri, or run_id"):
        list_artifacts("runs:/x", run_id=run_with_files.info.run_id)
    with pytest.raises(TracekitException, match="needs artifact_uri"):
        download_artifacts()
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        download_artifacts(run_id=run_with_files.info.run_id, artifact_path="../../etc")


def test_plain_local_uris_are_read_directly(tmp_path):
    (tmp_path / "some.json").write_text('{"a": 1}')
    assert load_dict(str(tmp_path / "some.json")) == {"a": 1}
    assert load_text(f"file://{tmp_path}/some.json") == '{"a": 1}'


def test_reading_what_is_not_text_or_not_json_says_so(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "broken.json").write_text("{nope")
    (tmp_path / "folder").mkdir()
    with pytest.raises(TracekitException, match="not UTF-8 text"):
        load_text(str(tmp_path / "blob.bin"))
    with pytest.raises(TracekitException, match="not valid JSON"):
        load_dict(str(tmp_path / "broken.json"))
    with pytest.raises(TracekitException, match="is a folder"):
        load_text(str(tmp_path / "folder"))
    with pytest.raises(ResourceNotFoundError, match="missing.txt"):
        load_text(str(tmp_path / "missing.txt"))


def test_a_registered_resolver_serves_its_scheme_and_may_chain(run_with_files):
    run_id = run_with_files.info.run_id
    register_uri_resolver("alias", lambda uri: f"runs:/{run_id}/{uri.split(':/', 1)[1]}")
    register_uri_resolver("loop", lambda uri: uri)
    try:
        assert load_text("alias:/notes.txt") == "hello"
        with pytest.raises(TracekitException, match="point at each other"):
            resolve_artifact_uri("loop:/x")
    finally:
        register_uri_resolver("alias", None)
        register_uri_resolver("loop", None)
    assert resolve_artifact_uri("alias:/notes.txt") == "alias:/notes.txt"


def test_uris_split_into_their_folder_and_name():
    assert split_artifact_uri("s3://bucket/runs/1/model.pkl") == ("s3://bucket/runs/1", "model.pkl")
    assert split_artifact_uri("s3://bucket/top") == ("s3://bucket/", "top")
    assert split_artifact_uri("tracekit-artifacts:/1/abc/artifacts/") == ("tracekit-artifacts:/1/abc", "artifacts")
    assert split_artifact_uri("file:///data/x.txt") == ("file:///data", "x.txt")
    assert split_artifact_uri("/data/x.txt") == ("/data", "x.txt")
    with pytest.raises(TracekitException, match="names no file or folder"):
        split_artifact_uri("s3://bucket")


def test_paths_appended_to_uris_are_checked():
    assert append_to_uri_path("s3://bucket/root/", "1", None, "a/b") == "s3://bucket/root/1/a/b"
    assert append_to_uri_path("tracekit-artifacts:/", "0") == "tracekit-artifacts:/0"
    assert append_to_uri_path("/data") == "/data"
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        append_to_uri_path("s3://bucket/root", "../other")
