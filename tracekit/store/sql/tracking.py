"""`SqlTrackingStore`: experiments, runs and logged models in the SQL database that holds the traces.

Writes that change a run or a model lock its row first (`SELECT ... FOR UPDATE`; SQLite's write transaction does
the same), so concurrent writers to one run take turns, and reading the current params and latest metrics before
writing cannot race. A batch of params, metrics and tags is one transaction and a few statements: one executemany
per table, whatever the batch size.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from tracekit.artifacts.artifact_uris import append_to_uri_path, has_uri_scheme
from tracekit.constants import RunTagKey, run_tag_key
from tracekit.entities import (
    DatasetInput,
    Experiment,
    LifecycleStage,
    LoggedModel,
    LoggedModelInput,
    LoggedModelStatus,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunStatus,
    ViewType,
)
from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.entities.logged_model import MODEL_ID_PREFIX
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.store.paging import PagedList
from tracekit.store.search.grammar import (
    EXPERIMENT_FIELDS,
    LOGGED_MODEL_FIELDS,
    RUN_FIELDS,
    FieldSet,
)
from tracekit.store.sql import tracking_inputs, tracking_rows, tracking_search
from tracekit.store.sql.database import SqlDatabase, chunks
from tracekit.store.sql.schema import (
    LOCATION_LENGTH,
    experiment_tags,
    experiments,
    latest_metrics,
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
    run_tags,
    runs,
)
from tracekit.store.sql.schema import metrics as metrics_table
from tracekit.store.sql.schema import params as params_table
from tracekit.store.tracking_store import MetricSeries, TrackingStore
from tracekit.store.uri import redact_uri, to_sqlalchemy_url
from tracekit.validation import check_dataset_filters, check_experiment_ids, invalid, now_ms

logger = logging.getLogger(__name__)

_CREATE_ATTEMPTS = 5
_FINAL_MODEL_STATUSES = (LoggedModelStatus.READY, LoggedModelStatus.FAILED)
DEFAULT_ARTIFACT_FOLDER = "tracekit-artifacts"


def default_artifact_root_for(uri: str) -> str:
    """Where the experiments of the database at `uri` keep their files unless told otherwise:
    TRACEKIT_DEFAULT_ARTIFACT_ROOT if set, else `tracekit-artifacts` beside a SQLite file (in the working directory
    for an in-memory database), else `./tracekit-artifacts` in the working directory; local paths made absolute."""
    from tracekit import config

    configured = config.DEFAULT_ARTIFACT_ROOT.get()
    if configured:
        return absolute_if_local(configured)
    url = to_sqlalchemy_url(uri)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return os.path.join(os.path.dirname(os.path.abspath(url.database)), DEFAULT_ARTIFACT_FOLDER)
    return os.path.abspath(DEFAULT_ARTIFACT_FOLDER)


def absolute_if_local(location: str) -> str:
    """A plain relative path made absolute (from the working directory); URIs and absolute paths unchanged."""
    return location if has_uri_scheme(location) else os.path.abspath(os.path.expanduser(location))


class SqlTrackingStore(TrackingStore):
    """Tracking store on the SQL database of a tracking URI, sharing the trace store's engine.

    Experiments created without an `artifact_location` keep their files under `<default_artifact_root>/<id>`
    (default: see `default_artifact_root_for`), as does the Default experiment "0"; a run's files go to
    `<experiment location>/<run_id>/artifacts`, a logged model's to `<experiment location>/models/<id>/artifacts`.

    >>> store = SqlTrackingStore(SqlDatabase("sqlite:///tracekit.db"))
    >>> run = store.create_run("0", "baseline", start_time=now_ms())
    """

    def __init__(self, database: SqlDatabase, default_artifact_root: str | None = None) -> None:
        self.database = database
        self.default_artifact_root = (absolute_if_local(default_artifact_root) if default_artifact_root
                                      else default_artifact_root_for(database.uri))

    def __repr__(self) -> str:
        return f"SqlTrackingStore({redact_uri(self.database.uri)!r})"

    def _experiment_location(self, row: Any) -> str:
        """An experiment's artifact location; one stored without (the Default experiment "0", made by the first
        migration) gets `<default root>/<id>`."""
        return row.artifact_location or append_to_uri_path(self.default_artifact_root, row.experiment_id)

    # --- lookups inside a transaction -----------------------------------------------------------------------------
    @staticmethod
    def _experiment_row(connection: Connection, experiment_id: str) -> Any:
        row = connection.execute(select(experiments).where(experiments.c.experiment_id == str(experiment_id))).first()
        if row is None:
            raise ResourceNotFoundError(
                f"Experiment with id {str(experiment_id)!r} does not exist. See the experiments there are with "
                f"`tracekit experiments search` (or tracekit.search_experiments()); tracekit.set_experiment("
                f"experiment_name=...) creates one by name.")
        return row

    def _active_experiment_row(self, connection: Connection, experiment_id: str) -> Any:
        row = self._experiment_row(connection, experiment_id)
        if row.lifecycle_stage != LifecycleStage.ACTIVE:
            raise TracekitException.invalid_state(
                f"Experiment {row.name!r} (id {row.experiment_id}) is deleted; use an active "
                f"experiment.")
        return row

    @staticmethod
    def _run_row(connection: Connection, run_id: str, lock: bool = False) -> Any:
        query = select(runs).where(runs.c.run_id == str(run_id))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise ResourceNotFoundError(f"Run with id {str(run_id)!r} does not exist.")
        return row

    def _active_run_row(self, connection: Connection, run_id: str) -> Any:
        row = self._run_row(connection, run_id, lock=True)
        if row.lifecycle_stage != LifecycleStage.ACTIVE:
            raise TracekitException.invalid_state(f"Run {run_id} is deleted; nothing can be logged to it.")
        return row

    @staticmethod
    def _model_row(connection: Connection, model_id: str, lock: bool = False) -> Any:
        query = select(logged_models).where(logged_models.c.model_id == str(model_id))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise ResourceNotFoundError(f"Logged model with id {str(model_id)!r} does not exist.")
        return row

    # --- experiments ----------------------------------------------------------------------------------------------
    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        """Create an experiment (ids count up from 1) and return its id."""

        def work(connection: Connection) -> str:
            taken = connection.execute(select(experiments.c.experiment_id, experiments.c.lifecycle_stage)
                                       .where(experiments.c.name == name)).first()
            if taken is not None:
                state = " (deleted; its name stays reserved)" if taken.lifecycle_stage != "active" else ""
                raise TracekitException.already_exists(
                    f"Experiment {name!r} already exists with id {taken.experiment_id}{state}. "
                    f"Choose another name, or use set_experiment({name!r}) to use it.")
            numbers = [int(i) for i in connection.scalars(select(experiments.c.experiment_id)) if i.isdigit()]
            experiment_id = str(max(numbers, default=0) + 1)
            now = now_ms()
            location = (absolute_if_local(artifact_location) if artifact_location
                        else append_to_uri_path(self.default_artifact_root, experiment_id))
            _check_location_fits(location)
            connection.execute(experiments.insert(), [{
                "experiment_id": experiment_id, "name": name, "artifact_location": location,
                "lifecycle_stage": LifecycleStage.ACTIVE, "creation_time": now, "last_update_time": now}])
            if tags:
                connection.execute(experiment_tags.insert(), [
                    {"experiment_id": experiment_id, "key": key, "value": value} for key, value in tags.items()])
            return experiment_id

        for attempt in range(1, _CREATE_ATTEMPTS + 1):
            try:
                return self.database.write(work)
            except TracekitException as error:
                # Another process took the same id or name at the same moment; the next attempt sees it.
                if attempt == _CREATE_ATTEMPTS or not isinstance(error.__cause__, IntegrityError):
                    raise
        raise AssertionError("unreachable")

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with that id (deleted ones too); ResourceNotFoundError naming it otherwise."""
        with self.database.reading() as connection:
            row = self._experiment_row(connection, experiment_id)
            return self._experiments(connection, [row])[0]

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with exactly that name (deleted ones too), or None."""
        with self.database.reading() as connection:
            row = connection.execute(select(experiments).where(experiments.c.name == name)).first()
            return None if row is None else self._experiments(connection, [row])[0]

    def _experiments(self, connection: Connection, rows: Sequence[Any]) -> list[Experiment]:
        tags = tracking_rows.load_key_values(connection, experiment_tags, "experiment_id",
                                             [row.experiment_id for row in rows])
        return [tracking_rows.experiment_from_row(row, tags.get(row.experiment_id, {}),
                                                  self._experiment_location(row)) for row in rows]

    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                           filter_string: str | None = None, order_by: Sequence[str] | None = None,
                           page_token: str | None = None) -> PagedList[Experiment]:
        """Experiments matching the filter, most recently updated first unless `order_by` says otherwise."""
        stages = ViewType.parse(view_type).stages()
        rows, token = self._search_page(
            tracking_search.EXPERIMENTS, EXPERIMENT_FIELDS, [experiments.c.lifecycle_stage.in_(stages)],
            filter_string, order_by, max_results, page_token, fingerprint=(list(stages),))
        with self.database.reading() as connection:
            return PagedList(self._experiments(connection, rows), token)

    def delete_experiment(self, experiment_id: str) -> None:
        """Mark the experiment and all its runs deleted; the default experiment "0" cannot be deleted."""
        if str(experiment_id) == DEFAULT_EXPERIMENT_ID:
            raise TracekitException.invalid_parameter_value("The default experiment (id '0') cannot be deleted.")

        def work(connection: Connection) -> None:
            self._experiment_row(connection, experiment_id)
            now = now_ms()
            connection.execute(update(experiments).where(experiments.c.experiment_id == str(experiment_id))
                               .values(lifecycle_stage=LifecycleStage.DELETED, last_update_time=now))
            connection.execute(update(runs).where(runs.c.experiment_id == str(experiment_id),
                                                  runs.c.lifecycle_stage == LifecycleStage.ACTIVE)
                               .values(lifecycle_stage=LifecycleStage.DELETED, deleted_time=now))

        self.database.write(work)

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Add or replace one tag of an experiment."""

        def work(connection: Connection) -> None:
            self._experiment_row(connection, experiment_id)
            self.database.upsert(connection, experiment_tags,
                                 [{"experiment_id": str(experiment_id), "key": key, "value": value}],
                                 ["experiment_id", "key"])
            connection.execute(update(experiments).where(experiments.c.experiment_id == str(experiment_id))
                               .values(last_update_time=now_ms()))

        self.database.write(work)

    # --- runs -----------------------------------------------------------------------------------------------------
    def create_run(self, experiment_id: str, run_name: str | None, start_time: int,
                   tags: Mapping[str, str] | None = None, user_id: str | None = None) -> Run:
        """Create a RUNNING run (its name also kept as the `mlflow.runName` tag)."""
        run_id = uuid.uuid4().hex
        all_tags = _stored_run_tags(tags)
        if run_name:
            all_tags[RunTagKey.RUN_NAME] = run_name
        else:
            run_name = all_tags.get(RunTagKey.RUN_NAME)

        def work(connection: Connection) -> Run:
            experiment = self._active_experiment_row(connection, experiment_id)
            artifact_uri = append_to_uri_path(self._experiment_location(experiment), run_id, "artifacts")
            info = RunInfo(run_id=run_id, experiment_id=experiment.experiment_id, run_name=run_name,
                           status=RunStatus.RUNNING.value, start_time=int(start_time), end_time=None,
                           user_id=user_id, lifecycle_stage=LifecycleStage.ACTIVE, artifact_uri=artifact_uri)
            connection.execute(runs.insert(), [vars(info)])
            if all_tags:
                connection.execute(run_tags.insert(), [{"run_id": run_id, "key": key, "value": value}
                                                       for key, value in all_tags.items()])
            return Run(info=info, data=RunData(tags=all_tags))

        return self.database.write(work)

    def get_run(self, run_id: str) -> Run:
        """The run with its params, latest metrics and tags; ResourceNotFoundError naming it otherwise."""
        with self.database.reading() as connection:
            return self._runs(connection, [self._run_row(connection, run_id)])[0]

    def _runs(self, connection: Connection, rows: Sequence[Any]) -> list[Run]:
        ids = [row.run_id for row in rows]
        tags = tracking_rows.load_key_values(connection, run_tags, "run_id", ids)
        run_params = tracking_rows.load_key_values(connection, params_table, "run_id", ids)
        latest = tracking_rows.load_latest_values(connection, latest_metrics, "run_id", ids)
        inputs = tracking_inputs.load_inputs(connection, ids)
        found = [Run(info=tracking_rows.run_info_from_row(row),
                     data=RunData(metrics=latest.get(row.run_id, {}), params=run_params.get(row.run_id, {}),
                                  tags=tags.get(row.run_id, {})),
                     inputs=inputs.get(row.run_id) or RunInputs())
                 for row in rows]
        unplaced = [run.info for run in found if run.info.artifact_uri is None]
        if unplaced:
            locations = self._experiment_locations(connection, {info.experiment_id for info in unplaced})
            for info in unplaced:
                info.artifact_uri = append_to_uri_path(locations[info.experiment_id], info.run_id, "artifacts")
        return found

    def _experiment_locations(self, connection: Connection, experiment_ids: set[str]) -> dict[str, str]:
        """{experiment id: artifact location} of `experiment_ids`, for runs and models stored without a location
        (made before tracekit stored artifacts)."""
        found: dict[str, str] = {}
        for chunk in chunks(sorted(experiment_ids)):
            for row in connection.execute(select(experiments).where(experiments.c.experiment_id.in_(chunk))):
                found[row.experiment_id] = self._experiment_location(row)
        return found

    def update_run_info(self, run_id: str, status: str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        """Set a run's status and end time, and its name (and `mlflow.runName` tag) if given."""
        status = RunStatus(status).value

        def work(connection: Connection) -> RunInfo:
            self._run_row(connection, run_id, lock=True)
            values: dict[str, Any] = {"status": status, "end_time": end_time}
            if run_name:
                values["run_name"] = run_name
                self.database.upsert(connection, run_tags,
                                     [{"run_id": run_id, "key": RunTagKey.RUN_NAME, "value": run_name}],
                                     ["run_id", "key"])
            connection.execute(update(runs).where(runs.c.run_id == run_id).values(**values))
            return tracking_rows.run_info_from_row(self._run_row(connection, run_id))

        return self.database.write(work)

    def delete_run(self, run_id: str) -> None:
        """Mark the run deleted (its data stays; searches skip it unless asked for deleted runs)."""

        def work(connection: Connection) -> None:
            self._run_row(connection, run_id, lock=True)
            connection.execute(update(runs).where(runs.c.run_id == run_id)
                               .values(lifecycle_stage=LifecycleStage.DELETED, deleted_time=now_ms()))

        self.database.write(work)

    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (), params: Mapping[str, str] | None = None,
                  tags: Mapping[str, str] | None = None) -> None:
        """Log metrics, params and tags to a run in one transaction (see `TrackingStore.log_batch`)."""
        points = list(metrics)
        new_params = dict(params or {})
        new_tags = _stored_run_tags(tags)
        if not (points or new_params or new_tags):
            return
        model_ids = sorted({point.model_id for point in points if point.model_id})

        def work(connection: Connection) -> None:
            self._active_run_row(connection, run_id)
            if new_params:
                self._insert_params(connection, params_table, "run_id", run_id, new_params, "run")
            if new_tags:
                self.database.upsert(connection, run_tags, [{"run_id": run_id, "key": key, "value": value}
                                                            for key, value in new_tags.items()], ["run_id", "key"])
                if new_tags.get(RunTagKey.RUN_NAME):
                    connection.execute(update(runs).where(runs.c.run_id == run_id)
                                       .values(run_name=new_tags[RunTagKey.RUN_NAME]))
            if points:
                self._log_metric_points(connection, run_id, points, model_ids)

        self.database.write(work)

    def _insert_params(self, connection: Connection, table: Table, owner: str, owner_id: str,
                       new_params: Mapping[str, str], what: str) -> None:
        """Insert params not logged yet; TracekitException if one was logged with another value."""
        owner_column = table.c[owner]
        existing: dict[str, str] = {}
        keys = sorted(new_params)
        for chunk in chunks(keys):
            query = select(table.c.key, table.c.value).where(owner_column == owner_id, table.c.key.in_(chunk))
            existing.update({key: value for key, value in connection.execute(query)})
        for key in keys:
            if key in existing and existing[key] != new_params[key]:
                raise TracekitException.invalid_parameter_value(
                    f"Param {key!r} of {what} {owner_id} already has the value {existing[key]!r} and cannot be "
                    f"changed to {new_params[key]!r}: params are set once. Log the new value under another key, or "
                    f"in a new {what}.")
        missing = [{owner: owner_id, "key": key, "value": new_params[key]} for key in keys if key not in existing]
        if missing:
            connection.execute(table.insert(), missing)

    def _log_metric_points(self, connection: Connection, run_id: str, points: list[Metric],
                           model_ids: list[str]) -> None:
        if model_ids:
            found = set(connection.scalars(select(logged_models.c.model_id)
                                           .where(logged_models.c.model_id.in_(model_ids)).with_for_update()))
            missing = [model_id for model_id in model_ids if model_id not in found]
            if missing:
                keys = sorted({p.key for p in points if p.model_id == missing[0]})
                raise ResourceNotFoundError(f"Logged model with id {missing[0]!r} does not exist: metric "
                                            f"{keys[0]!r} cannot be linked to it.")
        self.database.insert_missing(connection, metrics_table, [
            tracking_rows.metric_row(point, with_dataset=True, run_id=run_id, model_id=point.model_id)
            for point in points])
        self._update_latest(connection, latest_metrics, "run_id", run_id, points, {})
        for model_id in model_ids:
            linked = [point for point in points if point.model_id == model_id]
            self._update_latest(connection, logged_model_metrics, "model_id", model_id, linked, {"run_id": run_id})

    def _update_latest(self, connection: Connection, table: Table, owner: str, owner_id: str,
                       points: Sequence[Metric], extra: Mapping[str, Any]) -> None:
        """Make `table` hold the current value of each key among `points` and what it already held."""
        newest = tracking_rows.newest_per_key(points)
        stored: dict[str, Any] = {}
        owner_column = table.c[owner]
        for chunk in chunks(sorted(newest)):
            for row in connection.execute(select(table).where(owner_column == owner_id, table.c.key.in_(chunk))):
                stored[row.key] = row
        with_dataset = "dataset_name" in table.c
        changed = [tracking_rows.metric_row(point, with_dataset, **{owner: owner_id}, **extra)
                   for key, point in newest.items() if tracking_rows.replaces(point, stored.get(key))]
        if changed:
            self.database.upsert(connection, table, changed, [owner, "key"])

    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput] = (),
                   models: Sequence[LoggedModelInput] = ()) -> None:
        """Record datasets and logged models run `run_id` used, in one transaction (see
        `TrackingStore.log_inputs`)."""
        if not (datasets or models):
            return

        def work(connection: Connection) -> None:
            run = self._active_run_row(connection, run_id)
            tracking_inputs.write_inputs(self.database, connection, run_id, run.experiment_id, list(datasets),
                                         list(models), now_ms())

        self.database.write(work)

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one tag of a run; ResourceNotFoundError naming the run and key if it has no such tag."""
        key = run_tag_key(key)

        def work(connection: Connection) -> None:
            self._active_run_row(connection, run_id)
            deleted = connection.execute(delete(run_tags).where(run_tags.c.run_id == run_id,
                                                                run_tags.c.key == key)).rowcount
            if not deleted:
                raise ResourceNotFoundError(f"Run {run_id} has no tag {key!r}.")

        self.database.write(work)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every logged point of one metric of a run, by step then time."""
        with self.database.reading() as connection:
            self._run_row(connection, run_id)
            rows = connection.execute(select(metrics_table)
                                      .where(metrics_table.c.run_id == run_id, metrics_table.c.key == key)
                                      .order_by(metrics_table.c.step, metrics_table.c.timestamp))
            return [Metric(key=row.key, value=tracking_rows.stored_value(row), timestamp=int(row.timestamp),
                           step=int(row.step), run_id=run_id, model_id=row.model_id, dataset_name=row.dataset_name,
                           dataset_digest=row.dataset_digest) for row in rows]

    def get_metric_series(self, run_id: str, key: str, max_results: int, offset: int = 0) -> MetricSeries:
        """One page of a metric's history as columns, read with LIMIT/OFFSET (one row more tells whether more
        follow) and only the columns a chart needs."""
        with self.database.reading() as connection:
            self._run_row(connection, run_id)
            rows = connection.execute(
                select(metrics_table.c.step, metrics_table.c.timestamp, metrics_table.c.value, metrics_table.c.is_nan)
                .where(metrics_table.c.run_id == run_id, metrics_table.c.key == key)
                .order_by(metrics_table.c.step, metrics_table.c.timestamp).offset(offset).limit(max_results + 1)).all()
        page = rows[:max_results]
        return MetricSeries([int(row[0]) for row in page], [int(row[1]) for row in page],
                            [math.nan if row[3] else float(row[2]) for row in page], len(rows) > max_results)

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                    order_by: Sequence[str] | None = None, page_token: str | None = None) -> PagedList[Run]:
        """Runs of the experiments (all experiments if none are given) matching the filter, newest first unless
        `order_by` says otherwise; one page of `max_results` (None: all), `token` fetching the next."""
        ids = check_experiment_ids(experiment_ids)
        stages = ViewType.parse(run_view_type).stages()
        scope = [runs.c.lifecycle_stage.in_(stages)]
        if ids:
            scope.append(runs.c.experiment_id.in_(ids))
        rows, token = self._search_page(tracking_search.RUNS, RUN_FIELDS, scope, filter_string, order_by, max_results,
                                        page_token, fingerprint=(ids, list(stages)))
        with self.database.reading() as connection:
            return PagedList(self._runs(connection, rows), token)

    # --- logged models --------------------------------------------------------------------------------------------
    def create_logged_model(self, experiment_id: str, name: str, status: LoggedModelStatus,
                            source_run_id: str | None = None, model_type: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None) -> LoggedModel:
        """Create a logged model with id `m-<32 hex>` in an active experiment."""
        model_id = f"{MODEL_ID_PREFIX}{uuid.uuid4().hex}"
        status = LoggedModelStatus(status)

        def work(connection: Connection) -> LoggedModel:
            experiment = self._active_experiment_row(connection, experiment_id)
            if source_run_id is not None:
                self._run_row(connection, source_run_id)
            now = now_ms()
            location = append_to_uri_path(self._experiment_location(experiment), "models", model_id, "artifacts")
            connection.execute(logged_models.insert(), [{
                "model_id": model_id, "experiment_id": experiment.experiment_id, "name": name,
                "source_run_id": source_run_id, "model_type": model_type, "status": status.value,
                "creation_time": now, "last_updated_time": now, "lifecycle_stage": LifecycleStage.ACTIVE,
                "artifact_location": location}])
            if tags:
                connection.execute(logged_model_tags.insert(), [
                    {"model_id": model_id, "key": key, "value": value} for key, value in tags.items()])
            if params:
                connection.execute(logged_model_params.insert(), [
                    {"model_id": model_id, "key": key, "value": value} for key, value in params.items()])
            return LoggedModel(model_id=model_id, experiment_id=experiment.experiment_id, name=name, status=status,
                               creation_timestamp=now, last_updated_timestamp=now, source_run_id=source_run_id,
                               model_type=model_type, artifact_location=location, tags=dict(tags or {}),
                               params=dict(params or {}))

        return self.database.write(work)

    def get_logged_model(self, model_id: str) -> LoggedModel:
        """The logged model with its tags, params and latest metrics; ResourceNotFoundError naming it otherwise."""
        with self.database.reading() as connection:
            return self._models(connection, [self._model_row(connection, model_id)])[0]

    def _models(self, connection: Connection, rows: Sequence[Any]) -> list[LoggedModel]:
        ids = [row.model_id for row in rows]
        tags = tracking_rows.load_key_values(connection, logged_model_tags, "model_id", ids)
        model_params = tracking_rows.load_key_values(connection, logged_model_params, "model_id", ids)
        latest = tracking_rows.load_metric_rows(connection, logged_model_metrics, "model_id", ids)
        found = [tracking_rows.logged_model_from_row(row, tags.get(row.model_id, {}),
                                                     model_params.get(row.model_id, {}), latest.get(row.model_id, []))
                 for row in rows]
        unplaced = [model for model in found if model.artifact_location is None]
        if unplaced:
            locations = self._experiment_locations(connection, {model.experiment_id for model in unplaced})
            for model in unplaced:
                model.artifact_location = append_to_uri_path(locations[model.experiment_id], "models",
                                                             model.model_id, "artifacts")
        return found

    def finalize_logged_model(self, model_id: str, status: LoggedModelStatus) -> LoggedModel:
        """Set a model's final status, READY or FAILED."""
        if status not in _FINAL_MODEL_STATUSES:
            raise invalid(f"Cannot finalize logged model {model_id} with status {status!r}: valid statuses are "
                          f"{', '.join(s.value for s in _FINAL_MODEL_STATUSES)}.")

        def work(connection: Connection) -> None:
            self._model_row(connection, model_id, lock=True)
            connection.execute(update(logged_models).where(logged_models.c.model_id == model_id)
                               .values(status=LoggedModelStatus(status).value, last_updated_time=now_ms()))

        self.database.write(work)
        return self.get_logged_model(model_id)

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a logged model."""
        if not tags:
            return

        def work(connection: Connection) -> None:
            self._touch_model(connection, model_id)
            self.database.upsert(connection, logged_model_tags, [{"model_id": model_id, "key": key, "value": value}
                                                                 for key, value in tags.items()],
                                 ["model_id", "key"])

        self.database.write(work)

    def _touch_model(self, connection: Connection, model_id: str) -> None:
        self._model_row(connection, model_id, lock=True)
        connection.execute(update(logged_models).where(logged_models.c.model_id == model_id)
                           .values(last_updated_time=now_ms()))

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag of a logged model; ResourceNotFoundError naming the model and key if it has none."""

        def work(connection: Connection) -> None:
            self._touch_model(connection, model_id)
            deleted = connection.execute(delete(logged_model_tags).where(
                logged_model_tags.c.model_id == model_id, logged_model_tags.c.key == key)).rowcount
            if not deleted:
                raise ResourceNotFoundError(f"Logged model {model_id} has no tag {key!r}.")

        self.database.write(work)

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        """Log params of a logged model; one already logged with another value is an error."""
        if not params:
            return

        def work(connection: Connection) -> None:
            self._touch_model(connection, model_id)
            self._insert_params(connection, logged_model_params, "model_id", model_id, params, "logged model")

        self.database.write(work)

    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                             max_results: int | None = None, order_by: Sequence[Any] | None = None,
                             page_token: str | None = None,
                             datasets: Sequence[Mapping[str, str]] | None = None) -> PagedList[LoggedModel]:
        """Logged models of the experiments (all if none are given) matching the filter, newest first unless
        `order_by` says otherwise; with `datasets`, metric comparisons look at the metrics measured on them."""
        ids = check_experiment_ids(experiment_ids)
        on_datasets = check_dataset_filters(datasets)
        scope = [logged_models.c.lifecycle_stage == LifecycleStage.ACTIVE]
        if ids:
            scope.append(logged_models.c.experiment_id.in_(ids))
        target = (tracking_search.logged_models_on_datasets(on_datasets) if on_datasets
                  else tracking_search.LOGGED_MODELS)
        rows, token = self._search_page(target, LOGGED_MODEL_FIELDS, scope, filter_string, order_by, max_results,
                                        page_token, fingerprint=(ids, on_datasets))
        with self.database.reading() as connection:
            return PagedList(self._models(connection, rows), token)

    # --- searching ------------------------------------------------------------------------------------------------
    def _search_page(self, target: tracking_search.SearchTarget, fields: FieldSet, scope: list[Any],
                     filter_string: str | None, order_by: Sequence[Any] | None, max_results: int | None,
                     page_token: str | None, fingerprint: tuple[Any, ...]) -> tuple[list[Any], str | None]:
        return tracking_search.search_page(self.database, target, fields, scope, filter_string, order_by,
                                           max_results, page_token, fingerprint)

    def close(self) -> None:
        """Close the shared database's pooled connections."""
        self.database.close()


# What a logged model's location adds to its experiment's: "/models/m-<32 hex>/artifacts".
_LONGEST_SUFFIX = len(f"/models/{MODEL_ID_PREFIX}{'0' * 32}/artifacts")


def _check_location_fits(location: str) -> None:
    """Refuse an experiment location too long for the runs and models under it to be stored."""
    room = LOCATION_LENGTH - _LONGEST_SUFFIX
    if len(location) > room:
        raise invalid(f"The artifact location {location[:80]!r}... is {len(location)} characters long; at most {room} "
                      f"fit (the locations of runs and models under it are stored in {LOCATION_LENGTH} characters). "
                      f"Choose a shorter artifact_location.")


def _stored_run_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Run tags under their stored names (a legacy `tracekit.*` system tag under MLflow's name)."""
    return {run_tag_key(key): value for key, value in (tags or {}).items()}
