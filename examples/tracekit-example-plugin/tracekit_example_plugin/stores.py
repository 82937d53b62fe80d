"""The `file-plugin:` store: tracekit's own SQL store on a SQLite file inside the folder the URI names.

`file-plugin:///data/runs` keeps traces, experiments, runs, logged models and registered models in
`/data/runs/tracekit.db`, and new experiments' artifacts under `file-plugin:///data/runs/artifacts` (served by
`FilePluginArtifactRepository`). One class, declared for the `file-plugin` scheme in the groups
`tracekit.tracking_store` and `tracekit.model_registry_store`: built once with the URI, it serves both.
"""

from __future__ import annotations

import os

from tracekit.artifacts.local_repository import local_path_of_uri
from tracekit.store.sql.store import SqlStore

DATABASE_FILE = "tracekit.db"
ARTIFACTS_FOLDER = "artifacts"


def plugin_folder(uri: str) -> str:
    """The absolute folder `file-plugin://<path>` names, created if missing; a tracking URI needs the `//`
    (`file-plugin:///abs/path`, `file-plugin://relative/path`).

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


def folder_artifact_root(uri: str) -> str:
    """Where experiments created without an artifact location keep their files: a `file-plugin:` artifact URI."""
    return "file-plugin://" + os.path.join(plugin_folder(uri), ARTIFACTS_FOLDER)


class FilePluginStore(SqlStore):
    """The store of `file-plugin:<folder>`: traces, tracking and the model registry (the contracts
    `tracekit.plugins.TraceStore`, `TrackingStore` and `ModelRegistryStore`, inherited from tracekit's SQL store).

    `default_artifact_root` is optional in the contract: `tracekit server` passes its own (`tracekit-artifacts:/`
    when it serves artifacts); used alone, the store keeps artifacts in the folder's `artifacts`.
    """

    def __init__(self, uri: str, default_artifact_root: str | None = None) -> None:
        super().__init__(database_uri(uri), default_artifact_root or folder_artifact_root(uri))

    @staticmethod
    def check_uri(uri: str) -> None:
        """Accept the URI as it is (`set_tracking_uri` calls this without connecting): any `file-plugin://<folder>`
        is usable, the folder being created on first use. Overridden because the inherited check reads a SQL URI."""
