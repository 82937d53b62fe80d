"""Counters of what happened to traces in this process: exported, retried, spilled, dropped and why."""

from __future__ import annotations

import dataclasses
import logging
import threading


@dataclasses.dataclass(frozen=True)
class TracingStats:
    """A snapshot of the counters since the process started (or since `tracing.reset()`).

    - `completed`: traces whose root span ended and were handed to export;
    - `exported`: traces the exporter took;
    - `retried`: export attempts that failed and were tried again;
    - `spilled`: traces written to the local spill file because the store did not take them;
    - `replayed`: spilled traces later delivered from the spill file;
    - `evicted_in_progress`: traces pushed out of the buffer before their root span ended (exported as IN_PROGRESS);
    - `late_spans`: spans that ended after their trace had left the buffer (not stored; logged);
    - `dropped`: traces lost for good (the spill file could not be written); always logged as errors;
    - `sampled_out`: traces not recorded because TRACEKIT_TRACE_SAMPLING_RATIO (or a remote caller's or the joined
      provider's sampling decision) left them out; by design, so not a loss.
    """

    completed: int = 0
    exported: int = 0
    retried: int = 0
    spilled: int = 0
    replayed: int = 0
    evicted_in_progress: int = 0
    late_spans: int = 0
    dropped: int = 0
    sampled_out: int = 0


class StatsCounter:
    """Thread-safe counters behind `tracekit.tracing.stats()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {field.name: 0 for field in dataclasses.fields(TracingStats)}

    def add(self, name: str, amount: int = 1) -> None:
        """Increase one counter."""
        with self._lock:
            self._values[name] += amount

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
