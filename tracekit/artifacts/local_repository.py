"""`LocalArtifactRepository`: artifacts as files under a local folder (`file:` URIs and plain paths).

Every path is checked twice: as text (`normalize_artifact_path` refuses `..`, absolute paths, backslashes) and on
disk (the real path, symlinks resolved, must stay under the real root), so a symlink placed in the folder cannot
lead a read, write or listing elsewhere. Files are written under a temporary name and renamed (`atomic_file`).
"""

from __future__ import annotations

import logging
import os
import shutil
from urllib.parse import unquote, urlsplit

from tracekit.artifacts.artifact_paths import join_artifact_path, normalize_artifact_path
from tracekit.artifacts.local_files import (
    PARTIAL_FILE_PREFIX,
    copy_file_atomically,
    existing_local_path,
    walk_files,
)
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.exceptions import ResourceNotFoundError, TracekitException

logger = logging.getLogger(__name__)


def local_path_of_uri(artifact_uri: str) -> str:
    """The absolute local path a `file:` URI or a plain path names.

    `file:///abs/path` and `file://localhost/abs/path` are absolute; `file:relative/path` and plain relative paths
    are taken from the working directory. Percent-escapes are decoded.

    >>> local_path_of_uri("file:///data/artifacts")
    '/data/artifacts'
    """
    if not artifact_uri.lower().startswith("file:"):
        return os.path.abspath(os.path.expanduser(artifact_uri))
    parts = urlsplit(artifact_uri)
    if parts.netloc not in ("", "localhost"):
        raise TracekitException.invalid_parameter_value(
            f"Invalid artifact URI {artifact_uri!r}: a file: URI names a path on this machine, not on host "
            f"{parts.netloc!r}. Write file:///absolute/path or a plain path.")
    if parts.query or parts.fragment:
        raise TracekitException.invalid_parameter_value(
            f"Invalid artifact URI {artifact_uri!r}: a file: URI takes no '?' query or '#' fragment.")
    return os.path.abspath(unquote(parts.path))


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class LocalArtifactRepository(ArtifactRepository):
    """Artifacts under a local folder, created when the first file is written.

    >>> repository = LocalArtifactRepository("file:///data/tracekit-artifacts/1/<run_id>/artifacts")
    >>> repository.log_artifact("model.pkl", artifact_path="model")
    >>> [info.path for info in repository.list_artifacts("model")]
    ['model/model.pkl']
    """

    def __init__(self, artifact_uri: str) -> None:
        super().__init__(artifact_uri)
        self.root = local_path_of_uri(artifact_uri)

    # --- checked paths ----------------------------------------------------------------------------------------------
    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def _checked(self, artifact_path: str | None) -> str:
        """The local path of `artifact_path` (the root when empty); TracekitException if it, or a symlink on the way
        to it, leads outside the root."""
        relative = normalize_artifact_path(artifact_path, allow_root=True)
        local = os.path.join(self.root, *relative.split("/")) if relative else self.root
        if relative and not _is_within(os.path.realpath(local), self._real_root()):
            raise TracekitException.invalid_parameter_value(
                f"Invalid artifact path {relative!r}: a symlink under the artifact root {self.root!r} leads outside "
                f"it. Remove the link, or log the file itself.")
        return local

    # --- writing ----------------------------------------------------------------------------------------------------
    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        """Copy the file `local_file` into the folder `artifact_path` (the root when None), keeping its name."""
        source = existing_local_path(local_file, "file")
        target = join_artifact_path(artifact_path, os.path.basename(source))
        copy_file_atomically(source, self._checked(target))

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        """Copy every file under `local_dir` into the folder `artifact_path` (the root when None)."""
        source = existing_local_path(local_dir, "directory")
        folder = normalize_artifact_path(artifact_path, allow_root=True)
        os.makedirs(self._checked(folder), exist_ok=True)
        # Listed in full before copying, and without the artifact root, in case the root lies inside `local_dir`.
        for local_file, relative in list(walk_files(source, skip=self.root)):
            copy_file_atomically(local_file, self._checked(join_artifact_path(folder, relative)))

    # --- reading ----------------------------------------------------------------------------------------------------
    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """The direct children of the folder `path` (the root when None), sorted; empty if it is not a folder.
        Files being written and symlinks that lead outside the root are left out."""
        relative = normalize_artifact_path(path, allow_root=True)
        folder = self._checked(relative)
        if not os.path.isdir(folder):
            return []
        real_root = self._real_root()
        found = []
        for name in sorted(os.listdir(folder)):
            if name.startswith(PARTIAL_FILE_PREFIX):
                continue
            local = os.path.join(folder, name)
            if not _is_within(os.path.realpath(local), real_root):
                logger.warning("Skipping %s in the artifact listing: it is a symlink leading outside %s.", local,
                               self.root)
                continue
            child = f"{relative}/{name}" if relative else name
            if os.path.isdir(local):
                found.append(FileInfo(child, True, None))
            elif os.path.isfile(local):
                found.append(FileInfo(child, False, os.path.getsize(local)))
        return found

    def _is_directory(self, artifact_path: str) -> bool:
        return os.path.isdir(self._checked(artifact_path))

    def _download_file(self, remote_file_path: str, local_path: str) -> None:
        source = self._checked(remote_file_path)
        if not os.path.isfile(source):
            raise ResourceNotFoundError(
                f"No artifact {remote_file_path!r} under {self.artifact_uri!r}: the file {source!r} does not exist.")
        copy_file_atomically(source, local_path)

    # --- deleting ---------------------------------------------------------------------------------------------------
    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        """Delete the file or folder `artifact_path` (everything when None); a symlink is removed, never followed."""
        relative = normalize_artifact_path(artifact_path, allow_root=True)
        if not relative:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        parent, _, name = relative.rpartition("/")
        local = os.path.join(self._checked(parent), name)
        if os.path.islink(local) or os.path.isfile(local):
            os.remove(local)
        elif os.path.isdir(local):
            shutil.rmtree(local)
