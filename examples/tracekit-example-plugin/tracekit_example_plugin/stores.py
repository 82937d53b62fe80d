"""The `file-plugin:` stores: tracekit's own SQL stores on a SQLite file inside the folder the URI names.

`file-plugin:///data/runs` keeps everything in `/data/runs/tracekit.db`, and new experiments' artifacts under
`file-plugin:///data/runs/artifacts` (served by `FilePluginArtifactRepository`). The `file-plugin` scheme is served by
one `tracekit.backend` entry point (the stores share one database); the `file-plugin-split` scheme shows the other
way, one entry point per store (`tracekit.trace_store`, `tracekit.tracking_store`, `tracekit.model_registry_store`),
each store opening the file on its own.
"""

from __future__ import annotations

import os

from tracekit.artifacts.local_repository import local_path_of_uri
from tracekit.plugins import Backend
from tracekit.registry.sql_registry import SqlModelRegistryStore
from tracekit.store.backend import sql_backend
from tracekit.store.sql.database import SqlDatabase
from tracekit.store.sql.traces import SqlTraceStore
from tracekit.store.sql.tracking import SqlTrackingStore

DATABASE_FILE = "tracekit.db"
ARTIFACTS_FOLDER = "artifacts"


def plugin_folder(uri: str) -> str:
    """The absolute folder `file-plugin://<path>` (or `file-plugin-split://<path>`) names, created if missing; a
    tracking URI needs the `//` (`file-plugin:///abs/path`, `file-plugin://relative/path`).

    >>> plugin_folder("file-plugin:///data/runs")
    '/data/runs'
    """
    _, _, location = uri.partition(":")
    folder = local_path_of_uri("file:" + location)
    os.makedirs(folder, exist_ok=True)
    return folder


def database_uri(uri: str) -> str:
    """The SQLite URI of the database file kept in the folder `uri` names."""
    return f"sqlite:///{os.path.join(plugin_folder(uri), DATABASE_FILE)}"


def default_artifact_root(uri: str) -> str:
    """Where experiments created without an artifact location keep their files: a `file-plugin:` artifact URI."""
    return "file-plugin://" + os.path.join(plugin_folder(uri), ARTIFACTS_FOLDER)


def file_plugin_backend(uri: str) -> Backend:
    """The backend of `file-plugin:<folder>`: trace, tracking and registry stores on one SQLite database."""
    return sql_backend(database_uri(uri), default_artifact_root(uri))


class FilePluginTraceStore(SqlTraceStore):
    """The trace store of `file-plugin-split:<folder>`."""

    def __init__(self, uri: str) -> None:
        super().__init__(database_uri(uri))


class FilePluginTrackingStore(SqlTrackingStore):
    """The tracking store of `file-plugin-split:<folder>`."""

    def __init__(self, uri: str) -> None:
        super().__init__(SqlDatabase(database_uri(uri)), default_artifact_root(uri))


class FilePluginModelRegistryStore(SqlModelRegistryStore):
    """The model registry store of `file-plugin-split:<folder>`."""

    def __init__(self, uri: str) -> None:
        super().__init__(SqlDatabase(database_uri(uri)))
