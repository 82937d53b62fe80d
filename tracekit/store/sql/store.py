"""`SqlStore`: what a SQL tracking URI serves (traces, experiments, runs, logged models and registered models) on one
database, as one class built with the URI: tracekit's `sqlite`, `postgresql` and `mysql` entries of the store groups
(`tracekit.plugins.built_ins`), on the same contract as a plugin's store."""

from __future__ import annotations

from tracekit.registry.sql_registry import SqlModelRegistryStore
from tracekit.store.sql.database import SqlDatabase
from tracekit.store.sql.traces import SqlTraceStore
from tracekit.store.sql.tracking import SqlTrackingStore
from tracekit.store.uri import redact_uri


class SqlStore(SqlTraceStore, SqlTrackingStore, SqlModelRegistryStore):
    """Traces, tracking and the model registry on the database of a SQL tracking URI (connected and migrated on
    construction), sharing one engine.

    `default_artifact_root`: where experiments created without an artifact location keep their files (None:
    TRACEKIT_DEFAULT_ARTIFACT_ROOT, else `tracekit-artifacts` beside a SQLite file or in the working directory).

    >>> store = SqlStore("sqlite:///tracekit.db")
    >>> store.create_run("0", "baseline", start_time=now_ms())
    >>> store.search_traces(["0"], max_results=10)
    """

    def __init__(self, uri: str | SqlDatabase, default_artifact_root: str | None = None) -> None:
        database = uri if isinstance(uri, SqlDatabase) else SqlDatabase(uri)
        try:
            SqlTraceStore.__init__(self, database)
            SqlTrackingStore.__init__(self, database, default_artifact_root)
            SqlModelRegistryStore.__init__(self, database)
        except BaseException:
            database.close()
            raise

    def __repr__(self) -> str:
        return f"SqlStore({redact_uri(self.uri)!r})"

    @staticmethod
    def check_uri(uri: str) -> None:
        """Raise TracekitException if `uri` is not a usable SQL URI (malformed, a SQLite path naming a folder, a
        driver that is not installed), without connecting."""
        from tracekit.store.sql.engine import check_driver, check_sqlite_path
        from tracekit.store.uri import to_sqlalchemy_url

        url = to_sqlalchemy_url(uri)
        check_driver(uri, url)
        check_sqlite_path(url)
