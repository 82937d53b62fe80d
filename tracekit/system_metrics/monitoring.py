"""The switch, the settings and the background sampler of system metrics.

One `SystemMetricsMonitor` thread per run that logs them: every sampling interval (default 10 s) it reads the
collectors; every `samples_before_logging` samples (default 1) it logs their average as one step of the
`system/<name>` metrics (`system/<node_id>/<name>` with a node id). It stops with the run (`end_run`, the end of a
`with start_run()` block, process exit), logging what it sampled since its last write, so a run shorter than the
interval still gets one point. A failure to sample or to log is logged and never reaches the user's program.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Any

from tracekit import config
from tracekit.entities import Metric
from tracekit.exceptions import TracekitException
from tracekit.system_metrics.collectors import default_collectors, require_psutil
from tracekit.validation import invalid

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_enabled: bool | None = None  # set in code; None: TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING
_sampling_interval: float | None = None
_samples_before_logging: int | None = None
_node_id: str | None = None
_monitors: dict[str, SystemMetricsMonitor] = {}


def enable_system_metrics_logging() -> None:
    """Log system metrics for every run started from now on, unless `start_run(log_system_metrics=False)` opts a
    run out. TracekitException, saying what to install, when psutil is missing."""
    global _enabled
    require_psutil()
    _enabled = True


def disable_system_metrics_logging() -> None:
    """Stop logging system metrics for runs started from now on, unless `start_run(log_system_metrics=True)` opts
    a run in."""
    global _enabled
    _enabled = False


def set_system_metrics_sampling_interval(interval: float | None) -> None:
    """Sample system metrics every `interval` seconds (default 10; None: back to the default or
    TRACEKIT_SYSTEM_METRICS_SAMPLING_INTERVAL)."""
    global _sampling_interval
    if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))
                                 or not interval > 0):
        raise invalid(f"set_system_metrics_sampling_interval(): the interval is a positive number of seconds, got "
                      f"{interval!r}.")
    _sampling_interval = None if interval is None else float(interval)


def set_system_metrics_samples_before_logging(samples: int | None) -> None:
    """Average `samples` samples into each logged point (default 1; None: back to the default or
    TRACEKIT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING)."""
    global _samples_before_logging
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1):
        raise invalid(f"set_system_metrics_samples_before_logging(): samples is a positive integer, got "
                      f"{samples!r}.")
    _samples_before_logging = samples


def set_system_metrics_node_id(node_id: str | None) -> None:
    """Name this machine in system metric keys (`system/<node_id>/cpu_utilization_percentage`), for runs spread
    over several nodes; None: back to TRACEKIT_SYSTEM_METRICS_NODE_ID (unset: no node in the names)."""
    global _node_id
    if node_id is not None and (not isinstance(node_id, str) or not node_id or "/" in node_id):
        raise invalid(f"set_system_metrics_node_id(): the node id is a non-empty string without '/', got "
                      f"{node_id!r}.")
    _node_id = node_id


def sampling_interval() -> float:
    """Seconds between samples: set in code, else TRACEKIT_SYSTEM_METRICS_SAMPLING_INTERVAL, else 10."""
    value = _sampling_interval if _sampling_interval is not None else config.SYSTEM_METRICS_SAMPLING_INTERVAL.get()
    return value if value > 0 else config.SYSTEM_METRICS_SAMPLING_INTERVAL.default


def samples_before_logging() -> int:
    """Samples averaged per logged point: set in code, else the environment, else 1."""
    value = (_samples_before_logging if _samples_before_logging is not None
             else config.SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING.get())
    return max(1, int(value))


def node_id() -> str:
    """The node id in metric names ("" for none)."""
    return _node_id if _node_id is not None else config.SYSTEM_METRICS_NODE_ID.get()


def wanted(log_system_metrics: bool | None) -> bool:
    """Whether a run started with `log_system_metrics` logs system metrics: as given, else as enabled in code, else
    TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING."""
    if log_system_metrics is not None:
        return bool(log_system_metrics)
    return _enabled if _enabled is not None else config.ENABLE_SYSTEM_METRICS_LOGGING.get()


class SystemMetricsMonitor:
    """Samples the collectors on a daemon thread and logs averages to one run through `store`."""

    def __init__(self, run_id: str, store: Any, collectors: list[Any], interval: float, samples_per_point: int,
                 node: str) -> None:
        self.run_id = run_id
        self._store = store
        self._collectors = collectors
        self._interval = interval
        self._samples_per_point = samples_per_point
        self._prefix = f"system/{node}/" if node else "system/"
        self._stop = threading.Event()
        self._pending: list[dict[str, float]] = []
        self._step = 0
        self._thread = threading.Thread(target=self._run, name=f"tracekit-system-metrics-{run_id[:8]}",
                                        daemon=True)

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop sampling and log what was sampled since the last point (a fresh sample if none ever was)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        try:
            if not self._pending and self._step == 0:
                self._sample()
            self._log_pending()
        finally:
            for collector in self._collectors:
                collector.close()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()
            if len(self._pending) >= self._samples_per_point:
                self._log_pending()

    def _sample(self) -> None:
        reading: dict[str, float] = {}
        for collector in self._collectors:
            try:
                reading.update(collector.sample())
            except Exception as error:  # noqa: BLE001 - a sampling failure loses one reading, never the run
                logger.warning("tracekit could not sample system metrics (%s): %s", type(collector).__name__, error)
        if reading:
            self._pending.append(reading)

    def _log_pending(self) -> None:
        samples, self._pending = self._pending, []
        if not samples:
            return
        keys = sorted({key for sample in samples for key in sample})
        now = int(time.time() * 1000)
        points = []
        for key in keys:
            values = [sample[key] for sample in samples if key in sample]
            points.append(Metric(key=self._prefix + key, value=round(sum(values) / len(values), 3), timestamp=now,
                                 step=self._step))
        self._step += 1
        try:
            self._store.log_batch(self.run_id, metrics=points)
        except Exception as error:  # noqa: BLE001 - never break the user's run
            logger.warning("tracekit could not log system metrics to run %s: %s", self.run_id, error)


def start_for_run(run_id: str) -> SystemMetricsMonitor | None:
    """Start logging system metrics to run `run_id` (None, with a warning, when psutil is missing)."""
    from tracekit.store.backend import get_backend

    try:
        collectors = default_collectors()
    except TracekitException as error:
        logger.warning("No system metrics for run %s: %s", run_id, error)
        return None
    monitor = SystemMetricsMonitor(run_id, get_backend().tracking, collectors, sampling_interval(),
                                   samples_before_logging(), node_id())
    with _lock:
        previous = _monitors.pop(run_id, None)
        _monitors[run_id] = monitor
    if previous is not None:
        previous.stop()
    monitor.start()
    return monitor


def stop_for_run(run_id: str) -> None:
    """Stop the system metrics monitor of run `run_id`, if it has one, logging its last samples."""
    with _lock:
        monitor = _monitors.pop(run_id, None)
    if monitor is not None:
        monitor.stop()


def stop_all() -> None:
    """Stop every monitor (at exit)."""
    with _lock:
        monitors = list(_monitors.values())
        _monitors.clear()
    for monitor in monitors:
        try:
            monitor.stop()
        except Exception:  # noqa: BLE001 - never fail interpreter shutdown
            logger.exception("tracekit could not stop a system metrics monitor.")


def reset() -> None:
    """Stop every monitor and forget settings made in code (tests)."""
    global _enabled, _sampling_interval, _samples_before_logging, _node_id
    stop_all()
    _enabled = _sampling_interval = _samples_before_logging = _node_id = None


atexit.register(stop_all)
