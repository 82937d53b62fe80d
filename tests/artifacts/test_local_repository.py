"""LocalArtifactRepository: files under a local folder, written whole or not at all, never outside the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracekit.artifacts import FileInfo, get_artifact_repository
from tracekit.artifacts.local_files import atomic_file
from tracekit.artifacts.local_repository import LocalArtifactRepository
from tracekit.exceptions import ResourceNotFoundError, TracekitException


@pytest.fixture
def repository(tmp_path) -> LocalArtifactRepository:
    return LocalArtifactRepository(str(tmp_path / "root"))


@pytest.mark.parametrize("spelling", ["file://{path}", "file://localhost{path}", "{path}"])
def test_file_uris_and_plain_paths_name_the_same_folder(tmp_path, spelling):
    repository = get_artifact_repository(spelling.format(path=tmp_path / "some dir"))
    assert isinstance(repository, LocalArtifactRepository)
    assert repository.root == str(tmp_path / "some dir")


def test_relative_uris_are_taken_from_the_working_directory(tmp_path):
    # tests/conftest.py changes into tmp_path
    assert LocalArtifactRepository("file:rel/dir").root == str(tmp_path / "rel" / "dir")
    assert LocalArtifactRepository("rel/dir").root == str(tmp_path / "rel" / "dir")
    assert LocalArtifactRepository("file:///a%20b/c").root == "/a b/c"


def test_a_file_uri_of_another_host_is_refused():
    with pytest.raises(TracekitException, match="not on host 'example.com'"):
        LocalArtifactRepository("file://example.com/data")


def test_logged_files_are_listed_sorted_with_sizes(repository, files):
    repository.log_artifact(str(files / "a.txt"))
    repository.log_artifact(str(files / "sub" / "b.bin"), artifact_path="bins/raw")
    repository.log_artifacts(str(files / "sub"), artifact_path="tree")
    assert repository.list_artifacts() == [FileInfo("a.txt", False, 5), FileInfo("bins", True, None),
                                           FileInfo("tree", True, None)]
    assert repository.list_artifacts("bins/raw") == [FileInfo("bins/raw/b.bin", False, 3)]
    assert repository.list_artifacts("tree") == [FileInfo("tree/b.bin", False, 3), FileInfo("tree/deeper", True)]
    assert repository.list_artifacts("tree/deeper") == [FileInfo("tree/deeper/c.txt", False, 5)]
    assert repository.list_artifacts("nothing/here") == []
    assert repository.list_artifacts("a.txt") == []


def test_log_artifacts_without_a_path_copies_into_the_root(repository, files):
    repository.log_artifacts(str(files))
    assert [info.path for info in repository.list_artifacts()] == ["a.txt", "sub"]


def test_download_a_file_a_folder_and_everything(repository, files, tmp_path):
    repository.log_artifacts(str(files), artifact_path="data")
    one = repository.download_artifacts("data/sub/deeper/c.txt", dst_path=str(tmp_path))
    assert one == str(tmp_path / "data" / "sub" / "deeper" / "c.txt")
    assert Path(one).read_text() == "gamma"
    folder = Path(repository.download_artifacts("data/sub"))
    assert folder.name == "sub"
    assert (folder / "b.bin").read_bytes() == b"\x00\x01\x02"
    assert (folder / "deeper" / "c.txt").read_text() == "gamma"
    everything = Path(repository.download_artifacts())
    assert (everything / "data" / "a.txt").read_text() == "alpha"


def test_a_missing_local_file_names_its_path(repository, tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(ResourceNotFoundError, match=str(missing)):
        repository.log_artifact(str(missing))
    with pytest.raises(ResourceNotFoundError, match="nope"):
        repository.log_artifacts(str(tmp_path / "nope"))
    with pytest.raises(TracekitException, match="not a file"):
        repository.log_artifact(str(tmp_path))


def test_a_missing_artifact_names_its_path(repository, files):
    repository.log_artifact(str(files / "a.txt"))
    with pytest.raises(ResourceNotFoundError, match="'missing.txt'"):
        repository.download_artifacts("missing.txt")


@pytest.mark.parametrize("hostile", ["../outside", "a/../../outside", "/etc", "C:/Windows", "a\\..\\b"])
def test_paths_leaving_the_root_are_refused_everywhere(repository, files, hostile, tmp_path):
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.log_artifact(str(files / "a.txt"), artifact_path=hostile)
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.log_artifacts(str(files), artifact_path=hostile)
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.list_artifacts(hostile)
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.download_artifacts(hostile, dst_path=str(tmp_path))
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.delete_artifacts(hostile)
    assert not (tmp_path / "outside").exists()


def test_symlinks_leading_out_of_the_root_are_refused(repository, files, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("do not leak")
    repository.log_artifact(str(files / "a.txt"))
    root = Path(repository.root)
    (root / "escape").symlink_to(secret, target_is_directory=True)
    (root / "escape.txt").symlink_to(secret / "key.txt")
    # The listing leaves them out, downloads and writes through them are refused.
    assert [info.path for info in repository.list_artifacts()] == ["a.txt"]
    for path in ("escape.txt", "escape/key.txt", "escape"):
        with pytest.raises(TracekitException, match="symlink"):
            repository.download_artifacts(path, dst_path=str(tmp_path))
    with pytest.raises(TracekitException, match="symlink"):
        repository.list_artifacts("escape")
    with pytest.raises(TracekitException, match="symlink"):
        repository.log_artifact(str(files / "a.txt"), artifact_path="escape")
    assert sorted(os.listdir(secret)) == ["key.txt"]
    downloaded = Path(repository.download_artifacts())
    assert sorted(os.listdir(downloaded)) == ["a.txt"]
    # Deleting the link removes the link, not what it points to.
    repository.delete_artifacts("escape")
    repository.delete_artifacts("escape.txt")
    assert (secret / "key.txt").read_text() == "do not leak"
    assert not (root / "escape").exists()


def test_a_symlink_inside_the_root_is_followed(repository, files):
    repository.log_artifacts(str(files), artifact_path="data")
    root = Path(repository.root)
    (root / "alias").symlink_to(root / "data", target_is_directory=True)
    assert [info.path for info in repository.list_artifacts("alias")] == ["alias/a.txt", "alias/sub"]


def test_an_interrupted_copy_leaves_no_file_under_the_final_name(repository, tmp_path):
    destination = Path(repository.root) / "big.bin"

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), atomic_file(str(destination)) as out:
        out.write(b"half of it")
        raise Interrupted
    assert not destination.exists()
    assert os.listdir(repository.root) == []


def test_a_file_being_written_is_not_listed(repository, files):
    repository.log_artifact(str(files / "a.txt"))
    with atomic_file(os.path.join(repository.root, "later.bin")) as out:
        out.write(b"partial")
        assert [info.path for info in repository.list_artifacts()] == ["a.txt"]
    assert [info.path for info in repository.list_artifacts()] == ["a.txt", "later.bin"]


def test_logging_again_replaces_the_file(repository, files):
    repository.log_artifact(str(files / "a.txt"))
    (files / "a.txt").write_text("a longer second version")
    repository.log_artifact(str(files / "a.txt"))
    assert repository.list_artifacts() == [FileInfo("a.txt", False, len("a longer second version"))]


def test_delete_a_file_a_folder_and_everything(repository, files):
    repository.log_artifacts(str(files))
    repository.delete_artifacts("a.txt")
    assert [info.path for info in repository.list_artifacts()] == ["sub"]
    repository.delete_artifacts("sub/deeper")
    assert [info.path for info in repository.list_artifacts("sub")] == ["sub/b.bin"]
    repository.delete_artifacts("not/there")
    repository.delete_artifacts()
    assert repository.list_artifacts() == []
