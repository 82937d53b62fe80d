"""Results as pandas DataFrames: traces, runs and logged models, each built column by column (one list per column,
one DataFrame call). The one module that turns entities into DataFrames, so the stores need no pandas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import orjson
import pandas as pd

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.entities import LoggedModel, Run, Span, SpanType, Trace
from tracekit.store.search.grammar import ExtractField, parse_extract_field
from tracekit.store.trace_records import TraceRecord

TRACE_COLUMNS = ("trace_id", "trace", "client_request_id", "state", "request_time", "execution_duration", "request",
           "response", "trace_metadata", "tags", "spans", "assessments")


def span_to_readable_dict(span: Span) -> dict[str, Any]:
    """`Span.to_dict()` with attributes decoded from JSON, plus `span_type`, `inputs` and `outputs`."""
    attributes = span.attributes
    return {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "name": span.name,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
        "status": span.status.to_dict(),
        "attributes": attributes,
        "events": [event.to_dict() for event in span.events],
        "span_type": attributes.get(SpanAttributeKey.SPAN_TYPE) or SpanType.UNKNOWN,
        "inputs": attributes.get(SpanAttributeKey.INPUTS),
        "outputs": attributes.get(SpanAttributeKey.OUTPUTS),
    }


def _readable_from_json(text: str) -> dict[str, Any]:
    """`span_to_readable_dict` of the span whose `to_dict()` JSON is `text`, without building the `Span`."""
    data = orjson.loads(text)
    attributes = {key: serialization.loads(value) for key, value in (data.get("attributes") or {}).items()}
    end_time_ns = data.get("end_time_ns")
    return {
        "trace_id": data["trace_id"],
        "span_id": data["span_id"],
        "parent_id": data.get("parent_id"),
        "name": data["name"],
        "start_time_ns": int(data["start_time_ns"]),
        "end_time_ns": None if end_time_ns is None else int(end_time_ns),
        "status": data.get("status") or {"code": "UNSET", "message": ""},
        "attributes": attributes,
        "events": data.get("events") or [],
        "span_type": attributes.get(SpanAttributeKey.SPAN_TYPE) or SpanType.UNKNOWN,
        "inputs": attributes.get(SpanAttributeKey.INPUTS),
        "outputs": attributes.get(SpanAttributeKey.OUTPUTS),
    }


def _record_json(record: TraceRecord) -> str:
    """The JSON of `record.to_trace().to_json()`, assembled from the stored span texts as they are."""
    spans = [orjson.Fragment(text) for text in record.span_texts]
    return orjson.dumps({"info": record.info.to_dict(), "data": {"spans": spans}},
                        option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def _root_of(spans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The span without a parent in the trace, as `TraceData.root_span` picks it."""
    for span in spans:
        if span["parent_id"] is None:
            return span
    ids = {span["span_id"] for span in spans}
    return next((span for span in spans if span["parent_id"] not in ids), None)


def _extract(spans: list[dict[str, Any]], field: ExtractField) -> Any:
    span = next((span for span in spans if span["name"] == field.span_name), None)
    if span is None:
        return None
    value = span["inputs"] if field.part == "inputs" else span["outputs"]
    if field.key is None:
        return value
    return value.get(field.key) if isinstance(value, dict) else None


def traces_to_dataframe(traces: Sequence[Trace | TraceRecord],
                        extract_fields: Sequence[str] | None = None) -> pd.DataFrame:
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
        # Each span is decoded once: the spans column, the root's request/response and the extracted fields share
        # it; a stored record's spans go from their JSON text straight to dicts, and into the trace JSON as they are.
        if isinstance(trace, TraceRecord):
            readable = [_readable_from_json(text) for text in trace.span_texts]
            trace_json = _record_json(trace)
        else:
            readable = [span_to_readable_dict(span) for span in trace.data.spans]
            trace_json = trace.to_json()
        root = _root_of(readable)
        columns["trace_id"].append(info.trace_id)
        columns["trace"].append(trace_json)
        columns["client_request_id"].append(info.client_request_id)
        columns["state"].append(info.state.value)
        columns["request_time"].append(info.request_time)
        columns["execution_duration"].append(info.execution_duration)
        columns["request"].append(None if root is None else root["inputs"])
        columns["response"].append(None if root is None else root["outputs"])
        columns["trace_metadata"].append(dict(info.trace_metadata))
        columns["tags"].append(dict(info.tags))
        columns["spans"].append(readable)
        columns["assessments"].append([assessment.to_dict() for assessment in info.assessments])
        for field in fields:
            extracted[field.spec].append(_extract(readable, field))
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
