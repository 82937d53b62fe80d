"""The contract every artifact store implements: files under one root URI, addressed by relative POSIX paths."""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass

from tracekit.artifacts.artifact_paths import normalize_artifact_path
from tracekit.exceptions import TracekitException


@dataclass(frozen=True)
class FileInfo:
    """One entry of `list_artifacts`: `path` relative to the repository root (POSIX separators), whether it is a
    directory, and its size in bytes (None for a directory)."""

    path: str
    is_dir: bool
    file_size: int | None = None


class ArtifactRepository(ABC):
    """Files under `artifact_uri`. Every `artifact_path` is relative to that root and may not leave it
    (`normalize_artifact_path` refuses `..`, absolute paths and drive letters).

    Implementations write a file under a temporary name and rename it, so an interrupted upload never leaves a
    half file visible under the final name.
    """

    def __init__(self, artifact_uri: str) -> None:
        self.artifact_uri = artifact_uri

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.artifact_uri!r})"

    @abstractmethod
    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        """Copy the file `local_file` into the directory `artifact_path` (the root when None), keeping its name."""

    @abstractmethod
    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        """Copy the contents of the directory `local_dir` into `artifact_path` (the root when None), recursively."""

    @abstractmethod
    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """The direct children of `path` (the root when None), sorted by path; empty if `path` holds nothing."""

    @abstractmethod
    def _download_file(self, remote_file_path: str, local_path: str) -> None:
        """Write the artifact file `remote_file_path` (normalized, relative) to `local_path` (its folder exists)."""

    @abstractmethod
    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        """Delete the file or directory `artifact_path` (everything when None); no error if it does not exist."""

    def download_artifacts(self, artifact_path: str = "", dst_path: str | None = None) -> str:
        """Download the file or directory `artifact_path` (everything when empty) under `dst_path` (created if
        missing; a new temporary directory when None) and return the local path of what was downloaded."""
        relative = normalize_artifact_path(artifact_path, allow_root=True)
        destination = os.path.abspath(dst_path) if dst_path is not None else tempfile.mkdtemp(prefix="tracekit-")
        if os.path.exists(destination) and not os.path.isdir(destination):
            raise TracekitException.invalid_parameter_value(
                f"The download destination {destination!r} is a file; give a directory (created if missing).")
        os.makedirs(destination, exist_ok=True)
        if relative and not self._is_directory(relative):
            local_file = os.path.join(destination, *relative.split("/"))
            os.makedirs(os.path.dirname(local_file), exist_ok=True)
            self._download_file(relative, local_file)
            return local_file
        self._download_directory(relative, destination)
        return os.path.join(destination, *relative.split("/")) if relative else destination

    def _is_directory(self, artifact_path: str) -> bool:
        parent, _, _ = artifact_path.rpartition("/")
        for info in self.list_artifacts(parent or None):
            if info.path == artifact_path:
                return info.is_dir
        # Not listed under its parent: a directory only if something lies under it.
        return bool(self.list_artifacts(artifact_path))

    def _download_directory(self, artifact_path: str, destination: str) -> None:
        local_dir = os.path.join(destination, *artifact_path.split("/")) if artifact_path else destination
        os.makedirs(local_dir, exist_ok=True)
        for info in self.list_artifacts(artifact_path or None):
            # A listed name comes from the store (an S3 key anyone with write access chose): checked again here, so
            # that a name such as "a/../../x" cannot place a file outside `destination`.
            child = normalize_artifact_path(info.path)
            if info.is_dir:
                self._download_directory(child, destination)
            else:
                self._download_file(child, os.path.join(destination, *child.split("/")))

