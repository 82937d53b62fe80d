"""Artifact paths from callers and clients are hostile: nothing may name a place outside the artifact root."""

import pytest

from tracekit.artifacts import ArtifactRepository, FileInfo, get_artifact_repository, register_artifact_repository
from tracekit.artifacts.artifact_paths import join_artifact_path, normalize_artifact_path
from tracekit.exceptions import TracekitException


@pytest.mark.parametrize("path", ["../secret", "a/../../b", "/etc/passwd", "C:/Windows", "a\\..\\b", "a\x00b", ".."])
def test_paths_that_leave_the_root_are_refused(path):
    with pytest.raises(TracekitException, match="Invalid artifact path") as raised:
        normalize_artifact_path(path)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_clean_relative_paths_are_normalized():
    assert normalize_artifact_path("plots/./roc.png") == "plots/roc.png"
    assert normalize_artifact_path("a//b/") == "a/b"
    assert normalize_artifact_path(None, allow_root=True) == ""
    assert join_artifact_path("model", None, "data/", "x.pkl") == "model/data/x.pkl"
    assert join_artifact_path(None, "") == ""
    with pytest.raises(TracekitException):
        join_artifact_path("model", "../..", "x")
    with pytest.raises(TracekitException, match="absolute"):
        join_artifact_path("/etc", "passwd")


def test_the_root_is_refused_where_a_file_is_needed():
    with pytest.raises(TracekitException, match="no path was given"):
        normalize_artifact_path(None)


def test_an_unknown_scheme_names_itself():
    with pytest.raises(TracekitException, match="'nosuch'"):
        get_artifact_repository("nosuch://bucket/x")


def test_a_registered_factory_serves_its_scheme_and_must_return_a_repository():
    class Memory(ArtifactRepository):
        def log_artifact(self, local_file, artifact_path=None): ...
        def log_artifacts(self, local_dir, artifact_path=None): ...
        def list_artifacts(self, path=None): return []
        def _download_file(self, remote_file_path, local_path): ...
        def delete_artifacts(self, artifact_path=None): ...

    register_artifact_repository("mem", Memory)
    register_artifact_repository("broken", lambda uri: object())
    try:
        assert isinstance(get_artifact_repository("mem://x"), Memory)
        with pytest.raises(TracekitException, match="not an ArtifactRepository"):
            get_artifact_repository("broken://x")
    finally:
        register_artifact_repository("mem", None)
        register_artifact_repository("broken", None)


def test_a_hostile_name_listed_by_a_store_is_refused_on_download(tmp_path):
    written = []

    class Planted(ArtifactRepository):
        """A store whose listing holds a name that leads out of the download folder."""

        def log_artifact(self, local_file, artifact_path=None): ...
        def log_artifacts(self, local_dir, artifact_path=None): ...
        def list_artifacts(self, path=None):
            return [FileInfo("../../escaped.txt", False, 1)] if path is None else []
        def _download_file(self, remote_file_path, local_path): written.append(local_path)
        def delete_artifacts(self, artifact_path=None): ...

    with pytest.raises(TracekitException, match="Invalid artifact path '../../escaped.txt'"):
        Planted("mem://x").download_artifacts(dst_path=str(tmp_path / "dst"))
    assert written == []
