"""Artifacts: the files logged to runs, logged models and traces, kept by an `ArtifactRepository` chosen by URI.

`get_artifact_repository(artifact_uri)` picks the repository by the URI's scheme (local paths and `file:`, `s3:`,
`tracekit-artifacts:` through a tracking server, and plugins in the `tracekit.artifact_repository` group).
"""

from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.artifacts.repository_registry import get_artifact_repository, register_artifact_repository

__all__ = ["ArtifactRepository", "FileInfo", "get_artifact_repository", "register_artifact_repository"]
