"""Removing the artifact folders of deleted traces (the large span values moved out by the exporter).

The folder of a trace is always derived from its experiment's artifact location and its id, never read from a tag:
a tag is data a client sent, and `delete_traces` must not become a way to delete any folder a caller names.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from urllib.parse import urlparse

from tracekit.artifacts.artifact_uris import append_to_uri_path, artifact_uri_scheme
from tracekit.artifacts.local_repository import LocalArtifactRepository

logger = logging.getLogger(__name__)

_SERVED_SCHEME = "tracekit-artifacts"
#: Where this process serves `tracekit-artifacts:/` from, when it is a tracking server serving artifacts.
_served_destination: str | None = None


def serve_trace_folders_from(destination: str | None) -> None:
    """Tell trace deletion that `tracekit-artifacts:/<path>` is `<destination>/<path>` in this process (the
    tracking server calls this when it serves artifacts), so it deletes there rather than through its own routes."""
    global _served_destination
    _served_destination = destination


def trace_artifact_location(experiment_location: str, trace_id: str) -> str:
    """Where the files of trace `trace_id` go: `<experiment location>/traces/<trace_id>/artifacts`."""
    return append_to_uri_path(experiment_location, "traces", trace_id, "artifacts")


def remove_trace_folders(folders: Iterable[tuple[str, str]]) -> list[str]:
    """Delete `<experiment location>/traces/<trace_id>` for each (experiment location, trace id); returns one line
    per folder that could not be deleted (each is also logged), so a caller can report them. A trace without files
    has no folder, which is not a failure."""
    failures = []
    for experiment_location, trace_id in folders:
        if not _is_one_segment(trace_id):
            logger.warning("Trace id %r is not a plain name; its files, if any, are left alone.", trace_id)
            failures.append(f"trace {trace_id!r}: not a plain name")
            continue
        location = trace_artifact_location(experiment_location, trace_id)
        try:
            _delete_folder(location)
        except Exception as error:  # noqa: BLE001 - one unreachable artifact store must not undo the deletion
            logger.warning("Trace %s is deleted but its files at %s could not be: %s", trace_id, location, error)
            failures.append(f"trace {trace_id}: {location}: {error}")
    return failures


def _delete_folder(location: str) -> None:
    from tracekit.artifacts.repository_registry import get_artifact_repository

    parsed = urlparse(location)
    if artifact_uri_scheme(location) == _SERVED_SCHEME and _served_destination and not parsed.netloc:
        location = append_to_uri_path(_served_destination, parsed.path.lstrip("/"))
    repository = get_artifact_repository(location)
    repository.delete_artifacts()
    if isinstance(repository, LocalArtifactRepository):
        _remove_empty_parent(repository.root)


def _is_one_segment(trace_id: str) -> bool:
    return bool(trace_id) and trace_id not in (".", "..") and not any(c in trace_id for c in "/\\:\0")


def _remove_empty_parent(root: str) -> None:
    # `traces/<trace_id>` holds only `artifacts`; leave no empty folder per deleted trace behind.
    try:
        os.rmdir(os.path.dirname(os.path.normpath(root)))
    except OSError:
        pass
