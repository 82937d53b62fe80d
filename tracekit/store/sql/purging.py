"""Permanent deletion of soft-deleted runs and experiments (what `tracekit gc` does to a SQL store).

Each call is one short transaction over a bounded number of rows, so a purge never holds the writer long; the
caller loops (see `tracekit.tracking.garbage_collection`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from tracekit.entities import LifecycleStage
from tracekit.store.sql.database import SqlDatabase, chunks
from tracekit.store.sql.schema import (
    datasets,
    experiment_tags,
    experiments,
    latest_metrics,
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
    metrics,
    params,
    run_input_tags,
    run_inputs,
    run_tags,
    runs,
)

# Tables whose rows belong to one run, emptied before the run row itself.
RUN_CHILD_TABLES = (metrics, latest_metrics, params, run_tags, run_input_tags, run_inputs)
MODEL_CHILD_TABLES = (logged_model_metrics, logged_model_params, logged_model_tags)


@dataclass(frozen=True)
class DeletedRecord:
    """A soft-deleted run or experiment: its id, where its artifacts live, and when it was deleted (ms; None if
    unknown)."""

    record_id: str
    artifact_location: str | None
    deleted_time: int | None


def deleted_runs(database: SqlDatabase, older_than_ms: int | None = None,
                 experiment_ids: Sequence[str] | None = None, run_ids: Sequence[str] | None = None,
                 ) -> list[DeletedRecord]:
    """Runs in the deleted stage, deleted at or before `older_than_ms` when given, of `experiment_ids` / among
    `run_ids` when given."""
    query = select(runs.c.run_id, runs.c.artifact_uri, runs.c.deleted_time).where(
        runs.c.lifecycle_stage == LifecycleStage.DELETED)
    if older_than_ms is not None:
        query = query.where(runs.c.deleted_time <= older_than_ms)
    if experiment_ids:
        query = query.where(runs.c.experiment_id.in_([str(e) for e in experiment_ids]))
    found: list[DeletedRecord] = []
    with database.reading() as connection:
        if run_ids is None:
            rows = list(connection.execute(query.order_by(runs.c.run_id)))
        else:
            rows = []
            for chunk in chunks(sorted({str(r) for r in run_ids})):
                rows.extend(connection.execute(query.where(runs.c.run_id.in_(chunk))))
        for row in rows:
            found.append(DeletedRecord(row.run_id, row.artifact_uri, row.deleted_time))
    return found


def deleted_experiments(database: SqlDatabase, older_than_ms: int | None = None,
                        experiment_ids: Sequence[str] | None = None) -> list[DeletedRecord]:
    """Experiments in the deleted stage, deleted (last updated) at or before `older_than_ms` when given."""
    query = select(experiments.c.experiment_id, experiments.c.artifact_location,
                   experiments.c.last_update_time).where(experiments.c.lifecycle_stage == LifecycleStage.DELETED)
    if older_than_ms is not None:
        query = query.where(experiments.c.last_update_time <= older_than_ms)
    if experiment_ids:
        query = query.where(experiments.c.experiment_id.in_([str(e) for e in experiment_ids]))
    with database.reading() as connection:
        return [DeletedRecord(row.experiment_id, row.artifact_location, row.last_update_time)
                for row in connection.execute(query.order_by(experiments.c.experiment_id))]


def purge_runs(database: SqlDatabase, run_ids: Sequence[str]) -> int:
    """Delete these runs and everything stored under them (metrics, params, tags) in one transaction; returns how
    many run rows went. Callers pass a bounded batch."""

    def work(connection: Connection) -> int:
        gone = 0
        for chunk in chunks(list(run_ids)):
            for table in RUN_CHILD_TABLES:
                connection.execute(delete(table).where(table.c.run_id.in_(chunk)))
            gone += connection.execute(delete(runs).where(runs.c.run_id.in_(chunk))).rowcount or 0
        return gone

    return database.write(work)


def runs_of_experiment(database: SqlDatabase, experiment_id: str, limit: int) -> list[DeletedRecord]:
    """Up to `limit` runs of an experiment, whatever their stage."""
    query = (select(runs.c.run_id, runs.c.artifact_uri, runs.c.deleted_time)
             .where(runs.c.experiment_id == str(experiment_id)).order_by(runs.c.run_id).limit(limit))
    with database.reading() as connection:
        return [DeletedRecord(row.run_id, row.artifact_uri, row.deleted_time) for row in connection.execute(query)]


def purge_experiment_rows(database: SqlDatabase, experiment_id: str) -> None:
    """Delete an experiment's logged models, datasets, tags and the experiment itself. Its runs and traces must be gone
    first (they hold keys to it)."""

    def work(connection: Connection) -> None:
        model_ids = list(connection.scalars(select(logged_models.c.model_id)
                                            .where(logged_models.c.experiment_id == str(experiment_id))))
        for chunk in chunks(model_ids):
            for table in MODEL_CHILD_TABLES:
                connection.execute(delete(table).where(table.c.model_id.in_(chunk)))
            connection.execute(delete(logged_models).where(logged_models.c.model_id.in_(chunk)))
        connection.execute(delete(datasets).where(datasets.c.experiment_id == str(experiment_id)))
        connection.execute(delete(experiment_tags).where(experiment_tags.c.experiment_id == str(experiment_id)))
        connection.execute(delete(experiments).where(experiments.c.experiment_id == str(experiment_id)))

    database.write(work)
