"""Rows of the tracking tables to and from entities, and bulk loading of an entity page's key/value rows."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Row

from tracekit.entities import Experiment, LoggedModel, LoggedModelStatus, Metric, RunInfo
from tracekit.store.sql.database import chunks


def load_key_values(connection: Connection, table: Table, owner: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{owner id: {key: value}} of a key/value table (tags, params) for `ids`, a chunk of ids per query."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    owner_column = table.c[owner]
    for chunk in chunks(list(ids)):
        query = select(owner_column, table.c.key, table.c.value).where(owner_column.in_(chunk))
        for owner_id, key, value in connection.execute(query):
            found[owner_id][key] = value
    return found


def load_metric_rows(connection: Connection, table: Table, owner: str, ids: Sequence[str]) -> dict[str, list[Row]]:
    """{owner id: [latest-metric rows]} of `latest_metrics` or `logged_model_metrics` for `ids`."""
    found: dict[str, list[Row]] = defaultdict(list)
    owner_column = table.c[owner]
    for chunk in chunks(list(ids)):
        for row in connection.execute(select(table).where(owner_column.in_(chunk))):
            found[getattr(row, owner)].append(row)
    return found


def load_latest_values(connection: Connection, table: Table, owner: str,
                       ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """{owner id: {key: current value}} of `latest_metrics` for `ids` (NaN restored)."""
    found: dict[str, dict[str, float]] = defaultdict(dict)
    owner_column = table.c[owner]
    for chunk in chunks(list(ids)):
        query = select(owner_column, table.c.key, table.c.value, table.c.is_nan).where(owner_column.in_(chunk))
        for owner_id, key, value, is_nan in connection.execute(query):
            found[owner_id][key] = math.nan if is_nan else float(value)
    return found


def stored_value(row: Any) -> float:
    """A metric row's value, NaN restored."""
    return math.nan if row.is_nan else float(row.value)


def metric_row(metric: Metric, with_dataset: bool = False, **owner: Any) -> dict[str, Any]:
    """The columns storing one metric point (NaN as value 0 with is_nan), and the dataset it measured for the
    tables that keep it (`with_dataset`)."""
    is_nan = math.isnan(metric.value)
    row = {**owner, "key": metric.key, "value": 0.0 if is_nan else metric.value, "is_nan": is_nan,
           "step": metric.step, "timestamp": metric.timestamp}
    if with_dataset:
        row["dataset_name"] = metric.dataset_name
        row["dataset_digest"] = metric.dataset_digest
    return row


def recency(step: int, timestamp: int, value: float, is_nan: bool) -> tuple[int, int, int, float]:
    """Sort key choosing a metric's current value: largest step, then latest time, then a number over NaN, then
    the largest value."""
    return step, timestamp, 0 if is_nan else 1, value


def newest_per_key(points: Iterable[Metric]) -> dict[str, Metric]:
    """The current point of each key among `points`."""
    newest: dict[str, Metric] = {}
    for point in points:
        current = newest.get(point.key)
        if current is None or _recency_of(point) > _recency_of(current):
            newest[point.key] = point
    return newest


def _recency_of(metric: Metric) -> tuple[int, int, int, float]:
    is_nan = math.isnan(metric.value)
    return recency(metric.step, metric.timestamp, 0.0 if is_nan else metric.value, is_nan)


def replaces(candidate: Metric, stored: Any | None) -> bool:
    """Whether `candidate` becomes the current value over the stored latest row (None: nothing stored)."""
    if stored is None:
        return True
    return _recency_of(candidate) > recency(stored.step, stored.timestamp, float(stored.value), bool(stored.is_nan))


def experiment_from_row(row: Any, tags: Mapping[str, str], artifact_location: str | None = None) -> Experiment:
    """An `Experiment` from an experiments row and its tags (`artifact_location` in place of the stored one)."""
    return Experiment(experiment_id=row.experiment_id, name=row.name,
                      artifact_location=artifact_location or row.artifact_location,
                      lifecycle_stage=row.lifecycle_stage, tags=dict(tags), creation_time=row.creation_time,
                      last_update_time=row.last_update_time)


def run_info_from_row(row: Any) -> RunInfo:
    """A `RunInfo` from a runs row (selected with all the table's columns)."""
    return RunInfo(row.run_id, row.experiment_id, row.run_name, row.status, int(row.start_time),
                   None if row.end_time is None else int(row.end_time), row.user_id, row.lifecycle_stage,
                   row.artifact_uri)


def logged_model_from_row(row: Any, tags: Mapping[str, str], params: Mapping[str, str],
                          metric_rows: Sequence[Any]) -> LoggedModel:
    """A `LoggedModel` from a logged_models row, its tags, params and latest metric rows (sorted by key)."""
    metrics = [Metric(key=m.key, value=stored_value(m), timestamp=int(m.timestamp), step=int(m.step),
                      run_id=m.run_id, model_id=row.model_id, dataset_name=m.dataset_name,
                      dataset_digest=m.dataset_digest)
               for m in sorted(metric_rows, key=lambda m: m.key)]
    return LoggedModel(model_id=row.model_id, experiment_id=row.experiment_id, name=row.name,
                       status=LoggedModelStatus(row.status), creation_timestamp=int(row.creation_time),
                       last_updated_timestamp=int(row.last_updated_time), source_run_id=row.source_run_id,
                       model_type=row.model_type, artifact_location=row.artifact_location,
                       lifecycle_stage=row.lifecycle_stage, tags=dict(tags), params=dict(params), metrics=metrics)
