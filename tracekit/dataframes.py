"""Results as pandas DataFrames: traces, runs and logged models, each built column by column (one list per column,
one DataFrame call). The one module that turns entities into DataFrames, so the stores need no pandas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tracekit.constants import SpanAttributeKey
from tracekit.entities import LoggedModel, Run, Span, SpanType, Trace
from tracekit.store.search.grammar import ExtractField, parse_extract_field

TRACE_COLUMNS = ("trace_id", "trace", "client_request_id", "state", "request_time", "execution_duration", "request",
           "response", "trace_metadata", "tags", "spans", "assessments")


def span_to_readable_dict(span: Span) -> dict[str, Any]:
    """`Span.to_dict()` with attributes decoded from JSON, plus `span_type`, `inputs` and `outputs`."""
    data = span.to_dict()
    attributes = span.attributes
    data["attributes"] = attributes
    data["span_type"] = attributes.get(SpanAttributeKey.SPAN_TYPE) or SpanType.UNKNOWN
    data["inputs"] = attributes.get(SpanAttributeKey.INPUTS)
    data["outputs"] = attributes.get(SpanAttributeKey.OUTPUTS)
    return data


def _extract(trace: Trace, field: ExtractField) -> Any:
    span = next((span for span in trace.data.spans if span.name == field.span_name), None)
    if span is None:
        return None
    value = span.inputs if field.part == "inputs" else span.outputs
    if field.key is None:
        return value
    return value.get(field.key) if isinstance(value, dict) else None


def traces_to_dataframe(traces: Sequence[Trace], extract_fields: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per trace with the columns in `TRACE_COLUMNS`, then one column per valid `extract_fields` spec
    (`"span_name.inputs"`, `"span_name.outputs.key"`; invalid specs are skipped). Missing spans or keys are None.
    The `trace` column holds the whole trace as JSON text (`Trace.to_json()`, read back with `Trace.from_json`), as
    MLflow's does: text survives a Parquet or Spark round trip, where an object would not.

    >>> traces_to_dataframe(traces, ["retrieve.outputs", "llm.inputs.prompt"]).columns[-2:]
    Index(['retrieve.outputs', 'llm.inputs.prompt'], dtype='object')
    """
    columns: dict[str, list[Any]] = {name: [] for name in TRACE_COLUMNS}
    fields = [field for field in map(parse_extract_field, extract_fields or ()) if field is not None]
    extracted: dict[str, list[Any]] = {field.spec: [] for field in fields}
    for trace in traces:
        info = trace.info
        root = trace.data.root_span
        columns["trace_id"].append(info.trace_id)
        columns["trace"].append(trace.to_json())
        columns["client_request_id"].append(info.client_request_id)
        columns["state"].append(info.state.value)
        columns["request_time"].append(info.request_time)
        columns["execution_duration"].append(info.execution_duration)
        columns["request"].append(None if root is None else root.inputs)
        columns["response"].append(None if root is None else root.outputs)
        columns["trace_metadata"].append(dict(info.trace_metadata))
        columns["tags"].append(dict(info.tags))
        columns["spans"].append([span_to_readable_dict(span) for span in trace.data.spans])
        columns["assessments"].append([assessment.to_dict() for assessment in info.assessments])
        for field in fields:
            extracted[field.spec].append(_extract(trace, field))
    data: dict[str, Any] = {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    data["request_time"] = pd.Series(columns["request_time"], dtype="int64")
    data["execution_duration"] = pd.Series(columns["execution_duration"], dtype="Int64")
    for spec, values in extracted.items():
        data[spec] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


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
        for key, param_column in param_values.items():
            param_column.append(data.params.get(key))
        for key, tag_column in tag_values.items():
            tag_column.append(data.tags.get(key))
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
