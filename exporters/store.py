"""The default exporter: writes completed traces to the trace store of a tracking URI (SQLite, PostgreSQL,
MySQL, or a plugin's scheme)."""

from __future__ import annotations

from collections.abc import Sequence

from tracekit.entities import Trace
from tracekit.store.trace_store import TraceStore
from tracekit.tracing.exporter import TraceExporter


class StoreExporter(TraceExporter):
    """Writes each batch in one store transaction. The store is opened on first use, so a database that is down
    when the process starts only delays traces (they are retried, then spilled) instead of failing the program."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri

    @property
    def name(self) -> str:
        """The tracking URI, password hidden."""
        from tracekit.tracking_uri import redact

        return redact(self.tracking_uri)

    @property
    def store(self) -> TraceStore:
        """The trace store behind the URI (opened and migrated on first use)."""
        from tracekit.store.backend import get_backend

        return get_backend(self.tracking_uri).traces

    def export(self, traces: Sequence[Trace]) -> None:
        """Upsert `traces` by trace id in one transaction."""
        self.store.write_traces(traces)

    def ping(self) -> None:
        """Raise if the store cannot be reached."""
        self.store.ping()
