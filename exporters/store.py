"""The default exporter: writes completed traces to the trace store of a tracking URI (SQLite, PostgreSQL,
MySQL, or a plugin's scheme)."""

from __future__ import annotations

from collections.abc import Sequence

from tracekit.entities import Trace
from tracekit.store.trace_store import TraceStore
from tracekit.tracing.attachments import store_large_values
from tracekit.tracing.exporter import TraceExporter

_MAX_CACHED_LOCATIONS = 1000


class StoreExporter(TraceExporter):
    """Writes each batch in one store transaction. The store is opened on first use, so a database that is down
    when the process starts only delays traces (they are retried, then spilled) instead of failing the program."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        # experiment id -> artifact location (None: none), for span values stored as trace artifacts
        self._experiment_locations: dict[str, str | None] = {}

    @property
    def name(self) -> str:
        """The tracking URI, password hidden."""
        from tracekit.tracking_uri import redact

        return redact(self.tracking_uri)

    @property
    def writes_in_process(self) -> bool:
        """True for an embedded SQLite file; a database or tracking server is reached over the network."""
        return self.tracking_uri.startswith("sqlite:")

    @property
    def store(self) -> TraceStore:
        """The trace store behind the URI (opened and migrated on first use)."""
        from tracekit.store.backend import get_backend

        return get_backend(self.tracking_uri).traces

    def export(self, traces: Sequence[Trace]) -> None:
        """Store span values over `TRACEKIT_MAX_INLINE_BYTES` as artifacts of their trace, then upsert `traces` by
        trace id in one transaction."""
        self.store.write_traces(store_large_values(traces, self._experiment_location))

    def _experiment_location(self, experiment_id: str) -> str | None:
        if experiment_id not in self._experiment_locations:
            from tracekit.exceptions import ResourceNotFoundError
            from tracekit.store.backend import get_backend

            backend = get_backend(self.tracking_uri)
            try:
                location = backend.tracking.get_experiment(experiment_id).artifact_location if backend.has_tracking \
                    else None
            except ResourceNotFoundError:
                location = None
            if len(self._experiment_locations) >= _MAX_CACHED_LOCATIONS:
                self._experiment_locations.clear()
            self._experiment_locations[experiment_id] = location
        return self._experiment_locations[experiment_id]

    def ping(self) -> None:
        """Raise if the store cannot be reached."""
        self.store.ping()
