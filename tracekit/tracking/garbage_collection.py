"""Retention and garbage collection: delete traces older than a cutoff, and purge soft-deleted runs and experiments
for good (with their artifacts). Work is done in small transactions sized so that none holds the database's writer
for more than about `max_hold_ms`, so tracing and logging carry on while it runs.

>>> report = collect_garbage("sqlite:///tracekit.db", older_than_ms=parse_duration("30d"))
>>> report.traces_deleted, report.runs_purged
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracekit.entities import ViewType
from tracekit.exceptions import TracekitException
from tracekit.store.backend import Backend
from tracekit.store.trace_store import TraceStore

if TYPE_CHECKING:
    from tracekit.store.sql.database import SqlDatabase
    from tracekit.store.sql.purging import DeletedRecord

logger = logging.getLogger(__name__)

_DURATION = re.compile(r"(\d+)([dhms])")
_UNIT_MS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000}
#: Traces per delete transaction at first; the batch then grows or shrinks to stay under the hold target.
INITIAL_TRACE_BATCH = 500
MIN_TRACE_BATCH = 10
MAX_TRACE_BATCH = 20_000
RUN_BATCH = 100
DEFAULT_MAX_HOLD_MS = 100.0
#: The pause after each full delete batch, in ms. A SQLite writer that found the database locked sleeps and tries
#: again (steps of up to 25 ms in its first ~130 ms of waiting); with batches back to back its tries kept landing
#: inside the next batch, and one waited 1.1 s behind 64 ms batches (benchmarks/retention.py). A pause longer than
#: that step lets a waiting writer in between two batches.
BATCH_PAUSE_MS = 30.0
#: `max_timestamp_millis` that takes every trace of an experiment being purged.
_ALL_TIME_MS = 2**62


def parse_duration(text: str) -> int:
    """Milliseconds in a duration written as days, hours, minutes and seconds: `30d`, `1d2h`, `90m`, `45s`."""
    cleaned = text.strip().lower() if isinstance(text, str) else ""
    if not cleaned or _DURATION.sub("", cleaned) != "":
        raise TracekitException.invalid_parameter_value(
            f"Unknown duration {text!r}: write it as days, hours, minutes and seconds, e.g. '30d', '1d2h', '90m'.")
    return sum(int(amount) * _UNIT_MS[unit] for amount, unit in _DURATION.findall(cleaned))


@dataclass
class GcReport:
    """What a garbage collection deleted (or, in a dry run, would delete)."""

    traces_deleted: int = 0
    runs_purged: int = 0
    experiments_purged: int = 0
    longest_hold_ms: float = 0.0
    artifact_failures: list[str] = field(default_factory=list)
    dry_run: bool = False


def delete_traces_older_than(traces: TraceStore, cutoff_ms: int, experiment_ids: Sequence[str],
                             max_hold_ms: float = DEFAULT_MAX_HOLD_MS,
                             on_batch: Callable[[int, float], None] | None = None) -> int:
    """Delete every trace of `experiment_ids` that started at or before `cutoff_ms` (spans, tags, metadata and
    assessments go with it), oldest first, in batches that each take about `max_hold_ms` or less, with a pause of
    `BATCH_PAUSE_MS` after each for writers waiting on the database. `on_batch` is
    called with each batch's count and duration in ms. Returns how many traces were deleted."""
    total = 0
    for experiment_id in experiment_ids:
        batch = INITIAL_TRACE_BATCH
        while True:
            started = time.perf_counter()
            deleted = traces.delete_traces(str(experiment_id), max_timestamp_millis=cutoff_ms, max_traces=batch)
            elapsed_ms = (time.perf_counter() - started) * 1000
            total += deleted
            if on_batch is not None:
                on_batch(deleted, elapsed_ms)
            if deleted < batch:
                break
            if elapsed_ms > max_hold_ms:
                batch = max(MIN_TRACE_BATCH, int(batch * max_hold_ms / elapsed_ms * 0.8))
            elif elapsed_ms < max_hold_ms / 4:
                batch = min(MAX_TRACE_BATCH, batch * 2)
            time.sleep(BATCH_PAUSE_MS / 1000)
    return total


def _count_traces_older_than(traces: TraceStore, cutoff_ms: int, experiment_ids: Sequence[str]) -> int:
    total = 0
    for experiment_id in experiment_ids:
        token = None
        while True:
            page = traces.search_traces([str(experiment_id)], filter_string=f"timestamp_ms <= {cutoff_ms}",
                                        max_results=1000, page_token=token, include_spans=False)
            total += len(page)
            token = page.token
            if not token:
                break
    return total


def _sql_database(backend: Backend) -> SqlDatabase:
    from tracekit.store.sql.database import SqlDatabase

    database = getattr(backend.tracking, "database", None)
    if not isinstance(database, SqlDatabase):
        raise TracekitException.invalid_parameter_value(
            f"{backend!r} is not a SQL database: purging deleted runs and experiments works on the database itself "
            f"(sqlite, postgresql, mysql). Run gc where the database is, or start the server with "
            f"--trace-retention-days to expire traces.")
    return database


def _delete_artifacts(location: str | None, what: str, report: GcReport) -> None:
    if not location:
        return
    from tracekit.artifacts.repository_registry import get_artifact_repository

    try:
        get_artifact_repository(location).delete_artifacts()
    except Exception as error:  # noqa: BLE001 - one unreachable artifact store must not stop the purge
        logger.warning("Could not delete the artifacts of %s at %s: %s", what, location, error)
        report.artifact_failures.append(f"{what}: {location}: {error}")


def collect_garbage(backend: Backend, *, older_than_ms: int | None = None,
                    experiment_ids: Sequence[str] | None = None, run_ids: Sequence[str] | None = None,
                    traces: bool = True, runs: bool = True, dry_run: bool = False,
                    max_hold_ms: float = DEFAULT_MAX_HOLD_MS) -> GcReport:
    """Garbage-collect one backend.

    With `traces` and `older_than_ms`: delete the traces of `experiment_ids` (every experiment when None) that
    started more than `older_than_ms` ago. With `runs`: purge runs in the deleted stage (only those deleted more than
    `older_than_ms` ago when given; only `run_ids` / those of `experiment_ids` when given) with their metrics, params,
    tags and artifacts, then experiments in the deleted stage with their traces, runs and logged models. `dry_run`
    counts without deleting.
    """
    from tracekit.store.sql import purging

    report = GcReport(dry_run=dry_run)
    now = int(time.time() * 1000)
    cutoff = None if older_than_ms is None else now - int(older_than_ms)
    if older_than_ms is not None and older_than_ms < 0:
        raise TracekitException.invalid_parameter_value(f"gc: older_than must not be negative, got {older_than_ms}.")

    def note_batch(count: int, elapsed_ms: float) -> None:
        report.longest_hold_ms = max(report.longest_hold_ms, elapsed_ms)

    if traces and cutoff is not None:
        scope = list(experiment_ids) if experiment_ids else _all_experiment_ids(backend)
        if dry_run:
            report.traces_deleted = _count_traces_older_than(backend.traces, cutoff, scope)
        else:
            report.traces_deleted = delete_traces_older_than(backend.traces, cutoff, scope, max_hold_ms, note_batch)

    if not runs:
        return report
    database = _sql_database(backend)
    doomed_runs = purging.deleted_runs(database, cutoff, experiment_ids, run_ids)
    if run_ids is not None:
        missing = sorted(set(map(str, run_ids)) - {record.record_id for record in doomed_runs})
        if missing:
            raise TracekitException.invalid_parameter_value(
                f"gc: these runs are not in the deleted stage (delete them first, or check the ids): "
                f"{', '.join(missing)}")
    doomed_experiments = [] if run_ids is not None else purging.deleted_experiments(
        database, cutoff, experiment_ids)
    if dry_run:
        report.runs_purged = len(doomed_runs)
        report.experiments_purged = len(doomed_experiments)
        return report

    for start in range(0, len(doomed_runs), RUN_BATCH):
        _purge_run_batch(database, doomed_runs[start:start + RUN_BATCH], report)

    for experiment in doomed_experiments:
        report.traces_deleted += delete_traces_older_than(backend.traces, _ALL_TIME_MS, [experiment.record_id],
                                                          max_hold_ms, note_batch)
        while batch := purging.runs_of_experiment(database, experiment.record_id, RUN_BATCH):
            _purge_run_batch(database, batch, report)
        purging.purge_experiment_rows(database, experiment.record_id)
        report.experiments_purged += 1
    return report


def _purge_run_batch(database: SqlDatabase, batch: Sequence[DeletedRecord], report: GcReport) -> None:
    from tracekit.store.sql import purging

    for record in batch:
        _delete_artifacts(record.artifact_location, f"run {record.record_id}", report)
    started = time.perf_counter()
    report.runs_purged += purging.purge_runs(database, [record.record_id for record in batch])
    report.longest_hold_ms = max(report.longest_hold_ms, (time.perf_counter() - started) * 1000)


def _all_experiment_ids(backend: Backend) -> list[str]:
    if not backend.has_tracking:
        raise TracekitException.invalid_parameter_value(
            f"{backend!r} stores traces only: name the experiments whose traces to expire (--experiment-ids).")
    return [experiment.experiment_id
            for experiment in backend.tracking.search_experiments(view_type=ViewType.ALL, max_results=None)]
