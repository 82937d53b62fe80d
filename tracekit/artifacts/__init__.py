"""Artifacts: the files logged to runs, logged models and traces, kept by an `ArtifactRepository` chosen by URI.

`get_artifact_repository(artifact_uri)` picks the repository by the URI's scheme (local paths and `file:`, `s3:`,
`tracekit-artifacts:` through a tracking server, and plugins in the `tracekit.artifact_repository` group). The
functions here read and write artifacts by URI or by run, as MLflow's `mlflow.artifacts` does; URIs such as
`runs:/<run_id>/<path>` are resolved first (`resolve_artifact_uri`, `register_uri_resolver`).

>>> tracekit.artifacts.download_artifacts("runs:/<run_id>/model", dst_path="downloads")
"""

from tracekit.artifacts.artifact_reads import download_artifacts, list_artifacts, load_dict, load_text
from tracekit.artifacts.artifact_uris import register_uri_resolver, resolve_artifact_uri
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.artifacts.repository_registry import get_artifact_repository, register_artifact_repository
from tracekit.artifacts.run_artifacts import log_artifact

__all__ = [
    "ArtifactRepository",
    "FileInfo",
    "download_artifacts",
    "get_artifact_repository",
    "list_artifacts",
    "load_dict",
    "load_text",
    "log_artifact",
    "register_artifact_repository",
    "register_uri_resolver",
    "resolve_artifact_uri",
]
