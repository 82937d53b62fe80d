"""The `file-plugin:` artifact repository: files under the local folder the URI names."""

from __future__ import annotations

from tracekit.artifacts.local_repository import LocalArtifactRepository


class FilePluginArtifactRepository(LocalArtifactRepository):
    """Artifacts of `file-plugin://<folder>` kept in `<folder>` (tracekit's local repository, with its path checks).

    >>> FilePluginArtifactRepository("file-plugin:///data/runs/artifacts").log_artifact("model.pkl")
    """

    def __init__(self, artifact_uri: str) -> None:
        _, _, location = artifact_uri.partition(":")
        super().__init__("file:" + location)
        self.artifact_uri = artifact_uri
