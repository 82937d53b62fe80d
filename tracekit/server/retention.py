"""The tracking server's trace retention: a background thread that deletes traces older than the configured number
of days, at start and then at a fixed interval, in batches short enough not to stall ingest."""

from __future__ import annotations

import logging
import threading

from tracekit.store.backend import Backend

logger = logging.getLogger(__name__)

_DAY_MS = 86_400_000


class RetentionSweeper:
    """Deletes the traces of `backend` older than `retention_days`, now and every `interval_seconds`, on a daemon
    thread; `stop()` ends it. A failed sweep is logged and retried at the next interval."""

    def __init__(self, backend: Backend, retention_days: float, interval_seconds: float) -> None:
        self.backend = backend
        self.retention_ms = int(retention_days * _DAY_MS)
        self.interval_seconds = max(1.0, interval_seconds)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracekit-trace-retention", daemon=True)
        self.sweeps = 0
        self.deleted = 0

    def start(self) -> None:
        """Start sweeping in the background."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in progress."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def sweep_once(self) -> int:
        """Delete what has expired now; returns how many traces went."""
        from tracekit.tracking.garbage_collection import collect_garbage

        report = collect_garbage(self.backend, older_than_ms=self.retention_ms, traces=True, runs=False)
        self.sweeps += 1
        self.deleted += report.traces_deleted
        if report.traces_deleted:
            logger.info("Trace retention: deleted %d traces older than %.4g days (longest transaction %.0f ms).",
                        report.traces_deleted, self.retention_ms / _DAY_MS, report.longest_hold_ms)
        return report.traces_deleted

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.sweep_once()
            except Exception:  # noqa: BLE001 - a failed sweep must not kill the server; the next one retries
                logger.exception("Trace retention sweep failed; retrying in %.0f s.", self.interval_seconds)
            self._stopping.wait(self.interval_seconds)
