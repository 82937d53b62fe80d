"""Counters of what happened to traces in this process: exported, retried, spilled, dropped and why."""

from __future__ import annotations

import dataclasses
import logging
import threading


@dataclasses.dataclass(frozen=True)
class TracingStats:
    """A snapshot of the counters since the process started (or since `tracing.reset()`).

    Every trace of this process ends in exactly one of five counters, so whenever nothing is being exported
    (after `tracekit.flush_trace_async_logging()`, say):
    `completed == exported + spilled_pending + rejected + dropped + sampled_out`.

    - `completed`: traces this process finished: their root span ended (or was evicted, see below) and they were
      handed to export, or sampling left them out;
    - `exported`: traces of this process the destination took, at once or later from the spill folder;
    - `spilled_pending`: traces of this process waiting in the spill folder for the destination to answer again
      (another process may replay them meanwhile; this process does not see that);
    - `rejected`: traces of this process the destination refused for good (a value it cannot store, a trace over
      the server's body limit, a 4xx answer): moved to the dead-letter file with the reason
      (`tracekit spill list --dead`), so they never block the traces after them;
    - `dropped`: traces lost for good, because neither the destination nor the spill folder took them; logged as
      errors;
    - `sampled_out`: traces not recorded because TRACEKIT_TRACE_SAMPLING_RATIO (or a remote caller's or the joined
      provider's sampling decision) left them out; by design, so not a loss.

    Traffic counters, outside that sum:
    - `retried`: export attempts that failed and were tried again;
    - `spilled`: traces written to the spill folder (whether or not replayed since);
    - `replayed`: spilled traces delivered from the spill folder, this process's and earlier processes';
    - `inherited_rejected`: traces spilled by earlier processes that the destination refused for good when this
      process replayed them (moved to the dead-letter file);
    - `evicted_in_progress`: traces pushed out of the buffer before their root span ended (exported as IN_PROGRESS);
    - `late_spans`: spans that ended after their trace had left the buffer (not stored; logged).
    """

    completed: int = 0
    exported: int = 0
    spilled_pending: int = 0
    rejected: int = 0
    dropped: int = 0
    sampled_out: int = 0
    retried: int = 0
    spilled: int = 0
    replayed: int = 0
    inherited_rejected: int = 0
    evicted_in_progress: int = 0
    late_spans: int = 0


class StatsCounter:
    """Thread-safe counters behind `tracekit.tracing.stats()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {field.name: 0 for field in dataclasses.fields(TracingStats)}

    def add(self, name: str, amount: int = 1) -> None:
        """Increase one counter."""
        with self._lock:
            self._values[name] += amount

    def move(self, source: str, target: str, amount: int = 1) -> None:
        """Move `amount` from one counter to another at once (a spilled trace that was delivered, say)."""
        with self._lock:
            self._values[source] -= amount
            self._values[target] += amount

    def snapshot(self) -> TracingStats:
        """The counters now."""
        with self._lock:
            return TracingStats(**self._values)

    def reset(self) -> None:
        """Set every counter to zero."""
        with self._lock:
            for name in self._values:
                self._values[name] = 0


class LimitedWarning:
    """Logs the first few occurrences of a recurring problem, then one in every `every`, so logs stay readable."""

    def __init__(self, log: logging.Logger, first: int = 5, every: int = 1000) -> None:
        self._log = log
        self._first = first
        self._every = every
        self._seen = 0
        self._lock = threading.Lock()

    def warn(self, message: str, *args: object) -> None:
        """Log `message` at WARNING if this occurrence is one to show."""
        with self._lock:
            self._seen += 1
            seen = self._seen
        if seen <= self._first or seen % self._every == 0:
            self._log.warning(message + " (occurrence %d)", *args, seen)
