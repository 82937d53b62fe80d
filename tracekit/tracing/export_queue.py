"""The export queue: completed traces go from the thread that ended them to the exporter, in batches, in the
background; failures are retried with backoff, then spilled to disk and replayed when the store answers again.

Nothing is discarded: a full queue makes the caller wait up to TRACEKIT_EXPORT_QUEUE_FULL_WAIT_SECONDS, then the
trace goes straight to the spill folder. A trace is counted as dropped only if even the spill folder refuses it.

A trace the destination refuses for good (`TraceRejectedError`) never holds the others back: its batch is split in
halves until each refused trace stands alone, the rest is stored, and the refused ones go to the dead-letter file
with the reason. Such a refusal says nothing about the destination being down, so later traces go straight through.

Only failures that can heal are retried and spilled (`is_transient_error`: the store did not answer, a 5xx, a locked
database). A permanent one (a tracking URI no backend serves, a missing database driver, HTTP 401/403, an unknown
resource) would fail the same way until the user changes a setting: the batch goes to the dead-letter file at once,
is counted as rejected, and the error is logged once per destination with what to change.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from opentelemetry import context as otel_context

from tracekit.entities import Trace
from tracekit.exceptions import TraceRejectedError, failure_reason, is_transient_error
from tracekit.gc_pause import paused_gc
from tracekit.tracing.buffer import TraceEntry
from tracekit.tracing.dead_letters import DeadLetters
from tracekit.tracing.exporter import TraceExporter
from tracekit.tracing.spill import SpillFolder
from tracekit.tracing.stats import LimitedWarning, StatsCounter

logger = logging.getLogger(__name__)

# OpenTelemetry's "suppress instrumentation" flag (under its key and the plain-string key older packages read).
_SUPPRESSED = otel_context.set_value(
    "suppress_instrumentation", True,
    otel_context.set_value(getattr(otel_context, "_SUPPRESS_INSTRUMENTATION_KEY", "suppress_instrumentation"), True,
                           otel_context.Context()))

_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 2.0
# While the destination is down, try it again at most this often (other batches go straight to the spill folder).
_DOWN_PROBE_INTERVAL = 1.0
# With TRACEKIT_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS set, the worker keeps waking on its timer this long after the
# last trace, then sleeps until a trace wakes it.
_QUIET_SECONDS = 1.0
# This many traces waiting are written at once, whatever the interval (see ExportQueue._full_batch).
_WRITE_NOW_COUNT = 100


@dataclass(frozen=True)
class QueueSettings:
    """How the queue behaves; see `tracekit.config` for the variables behind each field."""

    max_size: int
    batch_size: int
    #: How long the worker waits after a trace arrives for more to write with it (a full batch or a flush ends it).
    max_interval_seconds: float
    async_mode: bool
    full_wait_seconds: float
    retry_max_seconds: float


class Destination:
    """An exporter, the spill folder keeping what it could not take, and whether it is answering now."""

    def __init__(self, exporter: TraceExporter) -> None:
        self.exporter = exporter
        self.spill = SpillFolder(exporter.name)
        self.dead = DeadLetters(self.spill.path, exporter.name)
        self.disk_failing = False  # True after a write to the spill folder failed, until one succeeds
        self.down_since: float | None = None
        self.last_probe = 0.0
        self.replay_checked = False  # False: the spill folder may hold traces to replay
        self.permanent_errors_logged: set[str] = set()  # the permanent failures already logged (each once)

    @property
    def name(self) -> str:
        """The exporter's name (where it delivers)."""
        return self.exporter.name

    def probe_due(self) -> bool:
        """While down, whether it is time to try the destination again."""
        return time.monotonic() - self.last_probe >= _DOWN_PROBE_INTERVAL


class _FlushMarker:
    """Put in the queue by `flush`; the worker sets it once everything queued before it was handled."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class ExportQueue:
    """Bounded queue + one worker thread that batches completed traces into the current destination.

    The producer side is lock-free (a deque append and, only when the worker sleeps, an Event.set), because it
    runs on the user's thread at the end of every trace.

    While traces keep coming, the worker wakes every `max_interval_seconds` and writes what arrived meanwhile in one
    go (100 waiting traces, a flush or shutdown wake it sooner); after a quiet second it sleeps until a trace wakes
    it. Waking per trace, a steady trickle of traces (a served model's requests) made it convert and commit once per
    trace, each time taking the GIL and a core from the program in between.
    """

    def __init__(self, destinations: Callable[[], list[Destination]], stats: StatsCounter,
                 settings: QueueSettings) -> None:
        self._destinations = destinations
        self._stats = stats
        self._settings = settings
        # How many waiting traces end the worker's wait early (a queue smaller than that fills sooner). Kept well
        # under a batch: traces held longer outlive the garbage collector's young generations, and every later full
        # collection then pays for them.
        self._full_batch = min(settings.batch_size, settings.max_size, _WRITE_NOW_COUNT)
        self._items: deque[TraceEntry | Trace | _FlushMarker] = deque()
        self._wakeup = threading.Event()
        self._start_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._worker_pid = 0
        self._worker_idle = True
        # True while the worker waits for a batch to fill: then only a full batch (or a flush) wakes it.
        self._lingering = False
        self._flushes_waiting = 0  # flush markers queued and not handled yet: the worker must not linger
        self._in_flight = 0
        # The batch the worker is writing now, so that shutdown can spill it when the store hangs.
        self._writing: list[Trace] | None = None
        self._abandoned: list[Trace] | None = None
        self._closing = False
        self._retry_warning = LimitedWarning(logger)
        self._reject_warning = LimitedWarning(logger)

    # --- producer side --------------------------------------------------------------------------------------
    def put(self, item: TraceEntry | Trace) -> None:
        """Hand over one completed trace. Never blocks longer than the configured full-queue wait."""
        if not self._settings.async_mode or self._closing:
            self._stats.add("completed")
            self._deliver([item], may_retry=False)
            return
        if len(self._items) >= self._settings.max_size and not self._wait_for_room():
            # Still full: keep the trace on disk rather than discard it; the worker replays it later.
            self._stats.add("completed")
            trace = self._to_trace(item)
            for destination in self._destinations():
                self._spill([trace], destination, reason="the export queue is full")
            return
        self._items.append(item)
        if self._worker_idle:
            self._wake()
        elif self._lingering and len(self._items) >= self._full_batch and not self._wakeup.is_set():
            # A full batch need not wait for the timer. Set once: until the worker takes the batch, later traces
            # would otherwise each take the event's lock and notify it again.
            self._wakeup.set()

    def _wait_for_room(self) -> bool:
        self._wake()  # idle or waiting for a batch to fill: a full queue is worth writing now
        deadline = time.monotonic() + self._settings.full_wait_seconds
        while len(self._items) >= self._settings.max_size:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.001)
        return True

    def _wake(self) -> None:
        worker = self._worker
        if worker is None or self._worker_pid != os.getpid() or not worker.is_alive():
            with self._start_lock:
                if self._worker is None or self._worker_pid != os.getpid() or not self._worker.is_alive():
                    self._worker_pid = os.getpid()
                    self._worker = threading.Thread(target=self._run, name="tracekit-export", daemon=True)
                    self._worker.start()
                    return  # a new worker looks at the queue first thing; a wake-up would only cut its wait short
        self._wakeup.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every trace handed over so far was delivered or spilled; False on timeout."""
        if not self._items and self._in_flight == 0:
            return True
        marker = _FlushMarker()
        with self._start_lock:
            self._flushes_waiting += 1
        self._items.append(marker)
        self._wake()
        return marker.done.wait(timeout)

    def pending(self) -> int:
        """Traces waiting or being written now."""
        waiting = sum(1 for item in list(self._items) if not isinstance(item, _FlushMarker))
        return waiting + self._in_flight

    def shutdown(self, timeout: float = 10.0) -> None:
        """Flush within `timeout`, spill whatever is left (the batch a hung store holds included), stop the worker,
        close the exporter's spill file."""
        flushed = self.flush(timeout)
        self._closing = True
        left = []
        while self._items:
            item = self._items.popleft()
            if isinstance(item, _FlushMarker):
                item.done.set()
            else:
                left.append(item)
        self._wakeup.set()
        traces = [self._to_trace(item) for item in left]
        if left:
            self._stats.add("completed", len(left))
        writing = self._writing
        if not flushed and writing is not None:
            # The store has not answered for `timeout`: keep the batch it holds on disk (the worker, a daemon
            # thread, dies with the process). Should the store answer after all, the copy replayed later is
            # upserted onto the stored one, so it is still stored once.
            self._abandoned = writing
            traces = writing + traces
        if not flushed:
            logger.error("Trace export did not finish within %.1f s at exit; %d trace(s) go to the spill folder.",
                         timeout, len(traces))
        for destination in self._destinations():
            if traces:
                self._spill(traces, destination, reason="the process is exiting")
            try:
                destination.spill.seal()
            except OSError:
                logger.exception("Could not close the spill file %s", destination.spill.path)

    def reset_after_fork(self) -> None:
        """A forked child inherits the queue but not the worker thread: start afresh."""
        self._items.clear()
        self._wakeup = threading.Event()
        self._start_lock = threading.Lock()
        self._worker = None
        self._worker_idle = True
        self._lingering = False
        self._flushes_waiting = 0
        self._in_flight = 0

    # --- worker side ----------------------------------------------------------------------------------------
    def _take_batch(self) -> tuple[list[TraceEntry | Trace], _FlushMarker | None]:
        batch: list[TraceEntry | Trace] = []
        while len(batch) < self._settings.batch_size:
            try:
                item = self._items.popleft()
            except IndexError:
                break
            if isinstance(item, _FlushMarker):
                with self._start_lock:
                    self._flushes_waiting -= 1
                return batch, item  # deliver what came before the marker, then release the flusher
            batch.append(item)
        return batch, None

    def _run(self) -> None:
        otel_context.attach(_SUPPRESSED)  # this thread only exports (see _deliver); never detached
        interval = self._settings.max_interval_seconds
        quiet_ticks = 0
        self._worker_idle = False  # running: producers need not wake it (a fork's child starts over from True)
        if interval > 0:
            self._gather(interval)  # the trace that started the worker waits for company (unless flushed)
        while True:
            # Something is in flight before the queue is emptied, so a flush never sees neither queue nor batch.
            self._in_flight = 1 if self._items else 0
            batch, marker = self._take_batch()
            self._in_flight = len(batch)
            try:
                if batch:
                    self._stats.add("completed", len(batch))
                    self._deliver(batch, may_retry=True)
                self._maybe_replay()
            except Exception:  # noqa: BLE001 - the worker must survive anything
                logger.exception("Unexpected error in the trace export worker")
            finally:
                self._in_flight = 0
            if marker is not None:
                marker.done.set()
            busy = bool(batch) or marker is not None
            # Let go of the batch now rather than hold it through the wait below: objects kept that long are
            # promoted into the collector's older generations, and every full collection walks them again.
            del batch, marker
            if busy and (interval <= 0 or self._closing or self._flushes_waiting
                         or len(self._items) >= self._full_batch):
                continue
            if self._closing and not busy:
                return
            # While traces keep coming, wake on a timer rather than per trace: producers then never signal this
            # thread, and what arrived since the last write goes in one transaction.
            quiet_ticks = 0 if busy or self._items else quiet_ticks + 1
            if interval > 0 and quiet_ticks <= _QUIET_SECONDS / interval:
                self._gather(interval)
                continue
            # Nothing queued for a while: sleep until a producer wakes us (or, while the destination is down, until
            # it is time to probe it again). Clearing before re-checking the queue means no wake-up is lost.
            self._worker_idle = True
            self._wakeup.clear()
            if not self._items:
                destinations = self._destinations()
                if any(d.down_since is not None for d in destinations):
                    self._wakeup.wait(_DOWN_PROBE_INTERVAL)
                elif all(d.replay_checked for d in destinations):
                    self._wakeup.wait()
            self._worker_idle = False
            quiet_ticks = 0
            if interval > 0:
                self._gather(interval)  # the trace that woke us waits for company (unless a flush woke us)

    def _gather(self, seconds: float) -> None:
        """Wait up to `seconds` for traces to fill a batch; a full batch, a flush or shutdown ends the wait."""
        # Clear first, then check: a flush or a full batch arriving after the check sets the event again.
        self._wakeup.clear()
        self._lingering = True
        try:
            if not self._closing and not self._flushes_waiting and len(self._items) < self._full_batch:
                self._wakeup.wait(seconds)
        finally:
            self._lingering = False

    def _deliver(self, batch: Sequence[TraceEntry | Trace], may_retry: bool) -> None:
        on_worker = threading.current_thread() is self._worker
        # Converting and writing a batch builds thousands of short-lived, acyclic objects (entities, rows, driver
        # parameters) that reference counting frees. Counted as allocations, they set off cyclic collections on
        # whichever thread allocates next, the user's mostly, and each collection promotes the batch's live objects
        # into older generations until a full collection walks the whole heap: this doubled the collector's time per
        # trace. So the collector waits for the batch, except during the waits between retries.
        with paused_gc() as pause:
            traces = [self._to_trace(item) for item in batch]
            if on_worker:
                self._writing = traces
            # Exporting must not be traced itself: with the global provider joined, instrumented HTTP or database
            # clients inside an exporter would otherwise make new traces to export, without end.
            token = otel_context.attach(_SUPPRESSED)
            try:
                for destination in self._destinations():
                    if destination.exporter.writes_in_process:
                        self._deliver_to(destination, traces, may_retry, pause.sleep)
                    else:  # a network call may block for its whole timeout: not that long without the collector
                        with pause.resumed():
                            self._deliver_to(destination, traces, may_retry, time.sleep)
            finally:
                otel_context.detach(token)
                if on_worker:
                    self._writing = None
            del traces  # freed before the collector resumes, so its first collection does not promote them

    def _deliver_to(self, destination: Destination, traces: list[Trace], may_retry: bool,
                    sleep: Callable[[float], None]) -> None:
        if destination.down_since is not None and not (destination.probe_due() and self._answers(destination)):
            self._spill(traces, destination, reason="the destination is down")
            return
        retry_for = self._settings.retry_max_seconds if may_retry and destination.down_since is None else 0.0
        deadline = time.monotonic() + retry_for
        delay = _FIRST_RETRY_DELAY
        while True:
            destination.last_probe = time.monotonic()
            try:
                refused = self._export_isolating(destination, traces)
            except Exception as exc:  # noqa: BLE001 - any exporter failure is retried, then spilled
                if not is_transient_error(exc):
                    self._refuse_batch(destination, traces, exc)
                    return
                if self._closing or time.monotonic() + delay > deadline:
                    if destination.down_since is None:
                        destination.down_since = time.monotonic()
                        logger.error("Trace export to %s failed (%s); keeping traces in %s until it answers.",
                                     destination.name, failure_reason(exc), destination.spill.path)
                    self._spill(traces, destination, reason=f"export failed: {failure_reason(exc)}")
                    return
                self._stats.add("retried")
                self._retry_warning.warn("Trace export to %s failed (%s); retrying in %.2f s", destination.name,
                                         failure_reason(exc), delay)
                sleep(delay)
                delay = min(delay * 2, _MAX_RETRY_DELAY)
                continue
            self._stats.add("exported", len(traces) - len(refused))
            if refused:
                self._reject(destination, refused, own=True)
            if destination.down_since is not None:
                logger.warning("Trace export to %s works again after %.1f s; replaying spilled traces.",
                               destination.name, time.monotonic() - destination.down_since)
                destination.down_since = None
                destination.replay_checked = False
            return

    def _refuse_batch(self, destination: Destination, traces: list[Trace], error: BaseException) -> None:
        """A permanent failure (a wrong setting rather than a store that is down): retrying or spilling would only
        postpone the same failure, so the traces go to the dead-letter file now, and the error, which says what to
        change, is logged once per destination."""
        reason = failure_reason(error, limit=1000)
        destination.down_since = None  # it answered (with a refusal): later batches try it, rather than spill
        if reason not in destination.permanent_errors_logged:
            destination.permanent_errors_logged.add(reason)
            logger.error("Traces cannot be exported to %s: %s. This will not heal by retrying, so traces are not "
                         "retried: they are kept in %s (`tracekit spill list --dead`) and counted in "
                         "tracekit.tracing.stats().rejected.", destination.name, reason.rstrip("."),
                         destination.dead.path)
        self._reject(destination, [(trace, reason) for trace in traces], own=True, announce=False)

    def _export_isolating(self, destination: Destination, traces: list[Trace]) -> list[tuple[Trace, str]]:
        """Export `traces`; when the destination refuses the batch for good, split it in halves until each refused
        trace stands alone, so all the others are stored. Returns the refused traces with the reasons. Any other
        failure propagates (the whole batch is then retried: stores upsert by trace id, so what was stored before
        the failure is stored once)."""
        try:
            destination.exporter.export(traces)
            return []
        except TraceRejectedError as error:
            if len(traces) == 1:
                return [(traces[0], error.message)]
        middle = len(traces) // 2
        return (self._export_isolating(destination, traces[:middle])
                + self._export_isolating(destination, traces[middle:]))

    def _reject(self, destination: Destination, refused: list[tuple[Trace, str]], own: bool,
                pending: bool = False, announce: bool = True) -> None:
        """Move refused traces to the dead-letter file and count them: `own` traces (completed in this process) as
        rejected, an earlier process's as inherited_rejected; `pending` ones come out of spilled_pending."""
        count = len(refused)
        if not self._write_to_disk(destination, lambda: destination.dead.write(refused), count,
                                   f"{count} trace(s) refused for good", own=own, pending=pending):
            return
        if pending:
            self._stats.move("spilled_pending", "rejected" if own else "inherited_rejected", count)
        else:
            self._stats.add("rejected" if own else "inherited_rejected", count)
        if announce:
            self._reject_warning.warn("%s refused %d trace(s) for good (first: %s: %s); they are kept in %s, see "
                                      "`tracekit spill list --dead`", destination.name, count,
                                      refused[0][0].info.trace_id, refused[0][1], destination.dead.path)

    def _write_to_disk(self, destination: Destination, write: Callable[[], None], count: int, what: str,
                       own: bool = True, pending: bool = False) -> bool:
        """Run a spill or dead-letter `write`. A folder that cannot be written (full, read-only) is reported by one
        error until a write succeeds again, not one traceback per batch; the traces are counted as dropped."""
        try:
            write()
        except OSError as error:
            if own:
                if pending:
                    self._stats.move("spilled_pending", "dropped", count)
                else:
                    self._stats.add("dropped", count)
            if not destination.disk_failing:
                destination.disk_failing = True
                logger.error("tracekit cannot write to the spill folder %s (%s): traces the destination %s does not "
                             "take are DROPPED (counted in tracekit.tracing.stats().dropped) until it can. Free "
                             "space, fix its permissions or set TRACEKIT_SPILL_DIR to a writable folder.",
                             destination.spill.path, error, destination.name)
            else:
                logger.debug("DROPPED %s: the spill folder %s cannot be written (%s)", what, destination.spill.path,
                             error)
            return False
        if destination.disk_failing:
            destination.disk_failing = False
            logger.warning("The spill folder %s can be written again.", destination.spill.path)
        return True

    @staticmethod
    def _answers(destination: Destination) -> bool:
        """While down: probe with the exporter's `ping`, so a dead destination costs a quick check rather than a
        full export attempt with its timeouts (an exporter without a cheap check answers at once)."""
        destination.last_probe = time.monotonic()
        try:
            destination.exporter.ping()
        except Exception as exc:  # noqa: BLE001 - still down, unless the failure is one that no wait heals
            return not is_transient_error(exc)  # then the export fails for good and its traces are dead-lettered
        return True

    def _maybe_replay(self) -> None:
        """Replay spilled traces (ours or an earlier process's) to each destination that answers."""
        for destination in self._destinations():
            if destination.replay_checked and destination.down_since is None:
                continue
            if destination.down_since is not None:
                if not destination.probe_due():
                    continue
                destination.last_probe = time.monotonic()
                try:
                    destination.exporter.ping()
                except Exception as exc:  # noqa: BLE001 - still down, or refusing for good: the replay reports it
                    if is_transient_error(exc):
                        continue
                destination.down_since = None
                logger.warning("Trace destination %s answers again; replaying spilled traces.", destination.name)
            destination.replay_checked = True
            self.replay(destination)

    def replay(self, destination: Destination) -> int:
        """Deliver every spilled trace for the destination; returns how many were delivered."""
        delivered = 0
        try:
            claimed_files = destination.spill.claim_all()
        except OSError:
            logger.exception("Could not read the spill folder %s", destination.spill.path)
            return 0
        for claimed in claimed_files:
            own = SpillFolder.written_here(claimed)
            # Counted and dead-lettered once the whole file went through, so a file replayed again after a failure
            # half way is not counted twice.
            in_file, refused, unreadable = 0, [], []
            try:
                for traces, bad_lines in SpillFolder.read_batches(claimed, self._settings.batch_size):
                    unreadable.extend(bad_lines)
                    if traces:
                        refused_here = self._export_isolating(destination, traces)
                        refused.extend(refused_here)
                        in_file += len(traces) - len(refused_here)
                if unreadable:
                    self._reject_lines(destination, unreadable, claimed, own)
                if refused:
                    self._reject(destination, refused, own=own, pending=own)
                claimed.unlink()
                delivered += in_file
                self._stats.add("replayed", in_file)
                if own:
                    self._stats.move("spilled_pending", "exported", in_file)
            except Exception as exc:  # noqa: BLE001 - leave the file for the next attempt
                destination.spill.release(claimed)
                if not is_transient_error(exc):
                    # A wrong setting: the file stays for `tracekit spill replay` once the setting is fixed; the
                    # destination is not down (new traces go to the dead-letter file with the reason).
                    logger.error("Replaying %s into %s failed: %s. The file stays in %s; fix the setting, then run "
                                 "`tracekit spill replay`.", claimed.name, destination.name,
                                 failure_reason(exc, limit=1000), destination.spill.path)
                    break
                logger.warning("Replaying %s failed (%s); it will be tried again later.", claimed, failure_reason(exc))
                destination.down_since = destination.down_since or time.monotonic()
                break
        return delivered

    def _reject_lines(self, destination: Destination, lines: list[str], claimed: Path, own: bool) -> None:
        reason = f"unreadable line in spill file {claimed} (a process may have died while writing it)"
        if not self._write_to_disk(destination, lambda: destination.dead.write_lines(lines, reason), len(lines),
                                   f"{len(lines)} unreadable spilled trace(s)", own=own, pending=own):
            return
        if own:
            self._stats.move("spilled_pending", "rejected", len(lines))
        else:
            self._stats.add("inherited_rejected", len(lines))
        logger.error("%d unreadable line(s) in spill file %s were moved to %s", len(lines), claimed,
                     destination.dead.path)

    # --- helpers --------------------------------------------------------------------------------------------
    def _to_trace(self, item: TraceEntry | Trace) -> Trace:
        return item if isinstance(item, Trace) else item.build_trace()

    def _spill(self, traces: list[Trace], destination: Destination, reason: str) -> None:
        if traces is self._abandoned:
            return  # shutdown spilled this batch already
        try:
            written = self._write_to_disk(destination, lambda: destination.spill.write(traces), len(traces),
                                          f"{len(traces)} trace(s) ({reason})")
        except (TypeError, ValueError):  # a trace JSON cannot hold (text with lone surrogates): isolate it
            if len(traces) > 1:
                for trace in traces:
                    self._spill([trace], destination, reason)
            else:
                self._reject(destination, [(traces[0], f"{reason}, and it cannot be written as JSON")], own=True)
            return
        if not written:
            return
        self._stats.add("spilled", len(traces))
        self._stats.add("spilled_pending", len(traces))
        destination.replay_checked = False
        if not self._closing and threading.current_thread() is not self._worker:
            self._wake()  # in synchronous mode too: the worker replays once the destination answers
