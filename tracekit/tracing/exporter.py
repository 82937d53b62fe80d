"""The exporter contract: where completed traces go. An exporter receives batches of finished `Trace` objects from
tracekit's export queue; the queue retries a batch whose `export` failed in a way that can heal and spills it to disk
if the failure lasts.

Write your own by subclassing `TraceExporter` (importable as `tracekit.exporters.TraceExporter`); `export` must be
safe to call again with traces it has already taken (a retried batch), which the built-in ones ensure by keying on
the trace id.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from tracekit.entities import Trace


class TraceExporter(abc.ABC):
    """Receives completed traces in batches; raise from `export` to have the batch retried.

    >>> class PrintExporter(TraceExporter):
    ...     def export(self, traces):
    ...         print([trace.info.trace_id for trace in traces])
    >>> tracekit.tracing.set_exporter(PrintExporter())
    """

    @property
    def name(self) -> str:
        """A stable name for where this exporter delivers. Traces it could not take are spilled under this name
        and replayed by the next exporter with the same name, in this process or a later one."""
        return f"{type(self).__module__}.{type(self).__qualname__}"

    @property
    def writes_in_process(self) -> bool:
        """Whether `export` finishes within this process in about the time it takes to build the rows (an
        embedded database, memory) rather than waiting on a server. The queue keeps Python's garbage collector
        paused through such an export; a network call, which may block for its whole timeout, runs with it on.
        False unless an exporter says otherwise."""
        return False

    @abc.abstractmethod
    def export(self, traces: Sequence[Trace]) -> None:
        """Deliver `traces`; raise on failure. Called from one background thread at a time.

        Raise `tracekit.TraceRejectedError` when the destination refuses the traces for good: the queue then splits
        the batch to find the refused ones and moves them to the dead-letter file instead of retrying. A
        `TracekitException` whose code is not transient (a wrong setting, refused credentials: see
        `tracekit.exceptions.is_transient_error`) moves the whole batch there at once, logged once. Any other
        exception means "try again later": the batch is retried, then spilled."""

    def ping(self) -> None:
        """Raise if the destination cannot be reached. While it is down, the queue calls this before trying a
        full export again, so override it with a cheap check (a connection, a `SELECT 1`); the default does
        nothing, and the next export attempt is the probe."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Push out anything the exporter itself holds; True when done within the timeout."""
        return True

    def shutdown(self) -> None:
        """Release connections and threads; no `export` follows."""
