"""Runs and logged models as pandas DataFrames, built column by column (one list per column, one DataFrame call)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tracekit.entities import LoggedModel, Run

RUN_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time", "run_name")
LOGGED_MODEL_COLUMNS = ("model_id", "experiment_id", "name", "model_type", "status", "source_run_id",
                        "creation_timestamp", "last_updated_timestamp", "artifact_location", "tags", "params",
                        "metrics")


def _times(values: list[int | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="Int64"), unit="ms", utc=True)


def runs_to_dataframe(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per run: `RUN_COLUMNS` (times as UTC datetimes), then `metrics.<key>` (floats, NaN where a run has
    no such metric), `params.<key>` and `tags.<key>` (text, None where missing), each group sorted by key."""
    columns: dict[str, list[Any]] = {name: [] for name in RUN_COLUMNS}
    metric_keys = sorted({key for run in runs for key in run.data.metrics})
    param_keys = sorted({key for run in runs for key in run.data.params})
    tag_keys = sorted({key for run in runs for key in run.data.tags})
    metric_values: dict[str, list[float]] = {key: [] for key in metric_keys}
    param_values: dict[str, list[str | None]] = {key: [] for key in param_keys}
    tag_values: dict[str, list[str | None]] = {key: [] for key in tag_keys}
    for run in runs:
        info, data = run.info, run.data
        columns["run_id"].append(info.run_id)
        columns["experiment_id"].append(info.experiment_id)
        columns["status"].append(info.status)
        columns["artifact_uri"].append(info.artifact_uri)
        columns["start_time"].append(info.start_time)
        columns["end_time"].append(info.end_time)
        columns["run_name"].append(info.run_name)
        for key, values in metric_values.items():
            values.append(data.metrics.get(key, math.nan))
        for key, values in param_values.items():
            values.append(data.params.get(key))
        for key, values in tag_values.items():
            values.append(data.tags.get(key))
    frame: dict[str, Any] = {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    frame["start_time"] = _times(columns["start_time"])
    frame["end_time"] = _times(columns["end_time"])
    for key, metric_column in metric_values.items():
        frame[f"metrics.{key}"] = pd.Series(metric_column, dtype="float64")
    for prefix, groups in (("params", param_values), ("tags", tag_values)):
        for key, text_column in groups.items():
            frame[f"{prefix}.{key}"] = pd.Series(text_column, dtype=object)
    return pd.DataFrame(frame, columns=list(frame))


def logged_models_to_dataframe(models: Sequence[LoggedModel]) -> pd.DataFrame:
    """One row per logged model with `LOGGED_MODEL_COLUMNS`; `tags` and `params` hold dicts, `metrics` a list of
    dicts (key, value, step, timestamp, run_id, model_id)."""
    columns: dict[str, list[Any]] = {name: [] for name in LOGGED_MODEL_COLUMNS}
    for model in models:
        data = model.to_dict()
        for name in LOGGED_MODEL_COLUMNS:
            columns[name].append(data[name])
    frame: dict[str, Any] = {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    frame["creation_timestamp"] = pd.Series(columns["creation_timestamp"], dtype="int64")
    frame["last_updated_timestamp"] = pd.Series(columns["last_updated_timestamp"], dtype="int64")
    return pd.DataFrame(frame, columns=list(frame))
