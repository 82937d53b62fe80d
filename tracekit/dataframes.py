"""Results as pandas DataFrames: traces, runs and logged models, each built column by column (one list per column,
one DataFrame call). The one module that turns entities into DataFrames, so the stores need no pandas."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
import pandas as pd

from tracekit import serialization
from tracekit.constants import SpanAttributeKey
from tracekit.entities import LoggedModel, Run, Span, SpanType, Trace
from tracekit.store.search.grammar import ExtractField, parse_extract_field
from tracekit.store.trace_records import TraceRecord

_loads = orjson.loads
_SPAN_TYPE, _INPUTS, _OUTPUTS = SpanAttributeKey.SPAN_TYPE, SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS

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


def _decoded_attributes(raw: dict[str, Any]) -> dict[str, Any]:
    """Attribute values parsed from their JSON text; one that is not JSON (a plain OpenTelemetry value) as it is."""
    try:
        return {key: _loads(value) for key, value in raw.items()}
    except (orjson.JSONDecodeError, TypeError):
        return {key: serialization.loads(value) for key, value in raw.items()}


# The keys of a stored span's JSON (`Span.to_dict()`), in order: such a dict becomes its readable form in place.
_STORED_SPAN_KEYS = ("trace_id", "span_id", "parent_id", "name", "start_time_ns", "end_time_ns", "status",
                     "attributes", "events")


def _readable_spans(array_text: str) -> list[dict[str, Any]]:
    """`span_to_readable_dict` of each span of `array_text`, a JSON array of spans' `to_dict()` JSON, parsed in one
    call and without building `Span`s. A dict as `to_dict()` writes it gains its readable keys in place (the same
    keys in the same order as a fresh one); any other is copied field by field, with `Span.from_dict`'s defaults."""
    spans = _loads(array_text)
    for index, data in enumerate(spans):
        if (tuple(data) == _STORED_SPAN_KEYS and type(data["start_time_ns"]) is int and data["status"]
                and data["events"] is not None and (data["end_time_ns"] is None or type(data["end_time_ns"]) is int)):
            raw = data["attributes"]
            attributes = data["attributes"] = _decoded_attributes(raw) if raw else {}
            data["span_type"] = attributes.get(_SPAN_TYPE) or SpanType.UNKNOWN
            data["inputs"] = attributes.get(_INPUTS)
            data["outputs"] = attributes.get(_OUTPUTS)
        else:
            spans[index] = _readable_copy(data)
    return spans


def _readable_copy(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("attributes")
    attributes = _decoded_attributes(raw) if raw else {}
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
        "span_type": attributes.get(_SPAN_TYPE) or SpanType.UNKNOWN,
        "inputs": attributes.get(_INPUTS),
        "outputs": attributes.get(_OUTPUTS),
    }


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


def traces_to_dataframe(traces: Iterable[Trace | TraceRecord],
                        extract_fields: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per trace with the columns in `TRACE_COLUMNS`, then one column per valid `extract_fields` spec
    (`"span_name.inputs"`, `"span_name.outputs.key"`; invalid specs are skipped). Missing spans or keys are None.
    The `trace` column holds the whole trace as JSON text (`Trace.to_json()`, read back with `Trace.from_json`), as
    MLflow's does: text survives a Parquet or Spark round trip, where an object would not.

    >>> traces_to_dataframe(traces, ["retrieve.outputs", "llm.inputs.prompt"]).columns[-2:]
    Index(['retrieve.outputs', 'llm.inputs.prompt'], dtype='object')
    """
    fields = [field for field in map(parse_extract_field, extract_fields or ()) if field is not None]
    extracted: dict[str, list[Any]] = {field.spec: [] for field in fields}
    trace_ids: list[str] = []
    trace_jsons: list[str] = []
    client_request_ids: list[str | None] = []
    states: list[str] = []
    request_times: list[int] = []
    durations: list[int | None] = []
    requests: list[Any] = []
    responses: list[Any] = []
    metadata_column: list[dict[str, str]] = []
    tags_column: list[dict[str, str]] = []
    spans_column: list[list[dict[str, Any]]] = []
    assessments_column: list[list[dict[str, Any]]] = []
    for trace in traces:
        info = trace.info
        info_dict = info.to_dict()  # fresh copies of the tags, metadata and assessments, which the columns take
        # Each span is decoded once: the spans column, the root's request/response and the extracted fields share
        # it. A stored record's span texts are joined into one JSON array, parsed in one call into dicts, and put
        # into the trace JSON as they are (the same bytes as a list of the texts).
        if isinstance(trace, TraceRecord):
            texts = trace.span_texts
            array_text = "[" + ",".join(texts) + "]"
            readable = _readable_spans(array_text) if texts else []
            trace_jsons.append(orjson.dumps({"info": info_dict, "data": {"spans": orjson.Fragment(array_text)}},
                                            option=orjson.OPT_NON_STR_KEYS).decode("utf-8"))
        else:
            readable = [span_to_readable_dict(span) for span in trace.data.spans]
            trace_jsons.append(trace.to_json())
        root = _root_of(readable) if readable else None
        trace_ids.append(info.trace_id)
        client_request_ids.append(info.client_request_id)
        states.append(info_dict["state"])
        request_times.append(info.request_time)
        durations.append(info.execution_duration)
        if root is None:
            requests.append(None)
            responses.append(None)
        else:
            requests.append(root["inputs"])
            responses.append(root["outputs"])
        metadata_column.append(info_dict["trace_metadata"])
        tags_column.append(info_dict["tags"])
        spans_column.append(readable)
        assessments_column.append(info_dict["assessments"])
        for field in fields:
            extracted[field.spec].append(_extract(readable, field))
    data: dict[str, Any] = {
        "trace_id": _objects(trace_ids),
        "trace": _objects(trace_jsons),
        "client_request_id": _objects(client_request_ids),
        "state": _objects(states),
        "request_time": pd.Series(request_times, dtype="int64"),
        "execution_duration": pd.Series(durations, dtype="Int64"),
        "request": _objects(requests),
        "response": _objects(responses),
        "trace_metadata": _objects(metadata_column),
        "tags": _objects(tags_column),
        "spans": _objects(spans_column),
        "assessments": _objects(assessments_column),
    }
    for spec, values in extracted.items():
        data[spec] = _objects(values)
    return pd.DataFrame(data)


def handed_over(items: list[Any]) -> Iterator[Any]:
    """Each item of `items` in order, its slot set to None as it is handed over: a list built for one
    `traces_to_dataframe` call then holds no trace it has already turned into a row, so each record's span texts are
    freed as the row is made and peak memory is the frame's rather than the frame's plus all the records'."""
    for index in range(len(items)):
        item = items[index]
        items[index] = None
        yield item


def _objects(values: list[Any]) -> pd.Series:
    """An object column holding `values` as they are (lists and dicts stay single cells)."""
    return pd.Series(values, dtype=object)


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
