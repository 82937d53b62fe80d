"""Asynchronous logging of metrics, params and tags (`synchronous=False`): calls queue their batch and return a
`RunOperations`; one background thread writes what is queued, merging consecutive calls for the same run into one
store call.

Nothing is dropped: the queue is bounded (TRACEKIT_ASYNC_LOGGING_QUEUE_SIZE) and a caller finding it full waits
for room; `flush_async_logging()` and process exit (atexit) wait until everything queued is written. A failed write
is logged and raised by the `wait()` of each call it carried (a merged batch that fails is retried call by call, so
each call gets its own outcome).
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from tracekit import config
from tracekit.entities import Metric
from tracekit.store.tracking_store import TrackingStore

logger = logging.getLogger(__name__)


class RunOperations:
    """The pending result of one or more asynchronous log calls; `wait()` blocks until they are written and raises
    the first error one of them met."""

    def __init__(self, operation_futures: Sequence[Future[None]] | None = None) -> None:
        self._futures = list(operation_futures or [])

    def wait(self, timeout: float | None = None) -> None:
        """Block until every operation is written (at most `timeout` seconds each); re-raise the first failure."""
        first_error: BaseException | None = None
        for future in self._futures:
            error = future.exception(timeout=timeout)
            if error is not None and first_error is None:
                first_error = error
        if first_error is not None:
            raise first_error

    def done(self) -> bool:
        """Whether every operation has finished (written or failed)."""
        return all(future.done() for future in self._futures)


@dataclass
class _Operation:
    store: TrackingStore
    run_id: str
    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    future: Future[None] = field(default_factory=Future)

    @property
    def size(self) -> int:
        return len(self.metrics) + len(self.params) + len(self.tags)


class AsyncLogger:
    """The queue and its one worker thread (started on first use; a daemon, so exit waits on `flush` at atexit,
    not on the thread)."""

    def __init__(self, max_queue_size: int, batch_size: int) -> None:
        self._queue: queue.Queue[_Operation] = queue.Queue(maxsize=max(1, max_queue_size))
        self._batch_size = max(1, batch_size)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, store: TrackingStore, run_id: str, metrics: Sequence[Metric] = (),
               params: Mapping[str, str] | None = None, tags: Mapping[str, str] | None = None) -> RunOperations:
        """Queue one call's batch (waiting for room when the queue is full) and return its RunOperations."""
        operation = _Operation(store, run_id, list(metrics), dict(params or {}), dict(tags or {}))
        self._ensure_worker()
        self._queue.put(operation)
        return RunOperations([operation.future])

    def flush(self) -> None:
        """Wait until everything queued so far is written (or has failed)."""
        if self._thread is not None:
            self._queue.join()

    def _ensure_worker(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="tracekit-async-logging", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            taken = [self._queue.get()]
            size = taken[0].size
            while size < self._batch_size:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                taken.append(item)
                size += item.size
            try:
                self._write(taken)
            except Exception:  # noqa: BLE001 - the worker must survive anything
                logger.exception("tracekit's async logger failed on a batch.")
                for operation in taken:
                    if not operation.future.done():
                        operation.future.set_exception(RuntimeError("tracekit's async logger failed."))
            finally:
                for _ in taken:
                    self._queue.task_done()

    def _write(self, operations: list[_Operation]) -> None:
        for group in _mergeable_groups(operations):
            head = group[0]
            if len(group) == 1:
                _write_one(head)
                continue
            params: dict[str, str] = {}
            tags: dict[str, str] = {}
            metrics: list[Metric] = []
            for operation in group:
                params.update(operation.params)
                tags.update(operation.tags)
                metrics.extend(operation.metrics)
            try:
                head.store.log_batch(head.run_id, metrics=metrics, params=params, tags=tags)
            except Exception:  # noqa: BLE001 - retried call by call so each call gets its own error
                for operation in group:
                    _write_one(operation)
            else:
                for operation in group:
                    operation.future.set_result(None)


def _mergeable_groups(operations: list[_Operation]) -> list[list[_Operation]]:
    """Consecutive operations on the same store and run, split where a param key repeats (so that a param logged
    twice with different values still fails as it would synchronously)."""
    groups: list[list[_Operation]] = []
    seen_params: set[str] = set()
    for operation in operations:
        current = groups[-1] if groups else None
        if (current is not None and current[0].store is operation.store and current[0].run_id == operation.run_id
                and not seen_params & operation.params.keys()):
            current.append(operation)
            seen_params |= operation.params.keys()
        else:
            groups.append([operation])
            seen_params = set(operation.params)
    return groups


def _write_one(operation: _Operation) -> None:
    try:
        operation.store.log_batch(operation.run_id, metrics=operation.metrics, params=operation.params,
                                  tags=operation.tags)
    except Exception as error:  # noqa: BLE001 - reported through the future and the log
        logger.error("tracekit could not log asynchronously to run %s: %s", operation.run_id, error)
        operation.future.set_exception(error)
    else:
        operation.future.set_result(None)


_logger_lock = threading.Lock()
_async_logger: AsyncLogger | None = None


def async_logger() -> AsyncLogger:
    """The process's async logger, created on first use with the configured queue and batch sizes."""
    global _async_logger
    if _async_logger is None:
        with _logger_lock:
            if _async_logger is None:
                _async_logger = AsyncLogger(config.ASYNC_LOGGING_QUEUE_SIZE.get(),
                                            config.ASYNC_LOGGING_BATCH_SIZE.get())
    return _async_logger


def is_synchronous(synchronous: bool | None) -> bool:
    """The `synchronous` argument resolved: as given, else the opposite of TRACEKIT_ENABLE_ASYNC_LOGGING."""
    return (not config.ENABLE_ASYNC_LOGGING.get()) if synchronous is None else bool(synchronous)


def flush_async_logging() -> None:
    """Wait until every metric, param and tag logged with `synchronous=False` so far is written (or has failed:
    failures are logged, and raised by their RunOperations' `wait()`)."""
    if _async_logger is not None:
        _async_logger.flush()


atexit.register(flush_async_logging)
