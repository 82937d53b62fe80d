"""Results as pandas DataFrames: traces, runs and logged models, each built column by column (one list per column,
one DataFrame call). The one module that turns entities into DataFrames, so the stores need no pandas."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import pandas as pd

from tracekit.entities import LoggedModel, Run, Trace
from tracekit.exceptions import TracekitException
from tracekit.readable_spans import inputs_and_outputs
from tracekit.span_list import SpanList, SpanSources
from tracekit.store.search.grammar import ExtractField, parse_extract_field
from tracekit.store.trace_records import TraceRecord, root_position

logger = logging.getLogger(__name__)

_SPANS_KEY = ',"data":{"spans":['
_SPANS_START = len('{"info":') + len(_SPANS_KEY) - 1  # where the spans array starts, after the info's JSON

TRACE_COLUMNS = ("trace_id", "trace", "client_request_id", "state", "request_time", "execution_duration", "request",
           "response", "trace_metadata", "tags", "spans", "assessments")


def _json_default(value: Any) -> Any:
    """What `to_json` writes for a value it cannot write itself: a `SpanList` as its list of span dicts, anything
    else as its `str`."""
    return value.to_list() if isinstance(value, SpanList) else str(value)


class TraceSeries(pd.Series):
    """A column or row of a `TraceFrame`: a `pd.Series` whose `to_json` writes `spans` cells (see `TraceFrame`)."""

    @property
    def _constructor(self) -> type[TraceSeries]:
        return TraceSeries

    @property
    def _constructor_expanddim(self) -> type[TraceFrame]:
        return TraceFrame

    def to_json(self, *args: Any, **kwargs: Any) -> Any:
        """`pd.Series.to_json`, writing each `SpanList` cell as its list unless `default_handler` is given."""
        kwargs.setdefault("default_handler", _json_default)
        return super().to_json(*args, **kwargs)


class TraceFrame(pd.DataFrame):
    """The DataFrame `search_traces` returns: a `pd.DataFrame` (and frames derived from it stay one) whose
    `to_json` writes each `spans` cell as the list of its span dicts. A cell is a lazily decoded `SpanList`, not a
    `list`: pandas' JSON writer reads a list's storage directly (as orjson does), so a list filled on first use
    would be written empty, silently; a `SpanList` is refused loudly by JSON writers that are not told about it
    (`json.dumps(cell, default=list)` and `cell.to_list()` work)."""

    @property
    def _constructor(self) -> type[TraceFrame]:
        return TraceFrame

    @property
    def _constructor_sliced(self) -> type[TraceSeries]:
        return TraceSeries

    def to_json(self, *args: Any, **kwargs: Any) -> Any:
        """`pd.DataFrame.to_json`, writing each `SpanList` cell as its list unless `default_handler` is given."""
        kwargs.setdefault("default_handler", _json_default)
        return super().to_json(*args, **kwargs)


def _extract(spans: SpanList, field: ExtractField) -> Any:
    try:
        span = next((span for span in spans if span["name"] == field.span_name), None)
    except TracekitException:
        return None  # a span that cannot be decoded: the spans cell raises that when it is read
    if span is None:
        return None
    value = span["inputs"] if field.part == "inputs" else span["outputs"]
    if field.key is None:
        return value
    return value.get(field.key) if isinstance(value, dict) else None


def _trace_row(trace: Trace, info_dict: dict[str, Any], sources: SpanSources) -> tuple[str, SpanList, Any, Any]:
    """The trace's JSON text, its `spans` cell, and its root span's inputs and outputs."""
    spans = trace.data.spans
    index = root_position([span.span_id for span in spans], [span.parent_id for span in spans])
    root = None if index is None else spans[index]
    return (trace.to_json(), SpanList(info_dict["trace_id"], tuple(spans), len(spans), sources=sources),
            None if root is None else root.inputs, None if root is None else root.outputs)


def _record_row(info_dict: dict[str, Any], texts: list[str], index: int | None,
                sources: SpanSources) -> tuple[str, SpanList, Any, Any]:
    """`_trace_row` of a stored record with this info and these span texts (`index`: the root's position among
    them). Only the root's text is parsed here (two of its attributes decoded); the cell decodes the spans when it is
    first read. The span texts go into the trace JSON as they are (the same bytes as a list of the texts), and the
    cell keeps that text rather than a copy of the spans."""
    trace_id = info_dict["trace_id"]
    # What `orjson.dumps({"info": ..., "data": {"spans": [...]}})` writes, joined in one pass rather than dumped
    # around the texts and decoded again; the spans array runs from the `[` that ends `_SPANS_KEY` to the closing
    # `}}`.
    try:  # text keys only, as a stored trace's are: the same bytes as with OPT_NON_STR_KEYS, written faster
        info_json = orjson.dumps(info_dict)
    except orjson.JSONEncodeError:
        info_json = orjson.dumps(info_dict, option=orjson.OPT_NON_STR_KEYS)
    info_text = info_json.decode("utf-8")
    trace_json = "".join(('{"info":', info_text, _SPANS_KEY, ",".join(texts), "]}}"))
    cell = SpanList(trace_id, trace_json, len(texts), len(info_text) + _SPANS_START, sources)
    if index is None and texts:  # a record made without its root's position: find it from the decoded spans
        try:
            index = root_position([span["span_id"] for span in cell], [span["parent_id"] for span in cell])
        except TracekitException as error:
            logger.warning("%s The trace's request and response are left empty.", error)
    if index is None:
        return trace_json, cell, None, None
    try:
        request, response = inputs_and_outputs(texts[index])
    except (ValueError, TypeError, AttributeError) as error:
        logger.warning("The root span of trace %s could not be decoded (%s: %s); its request and response are left "
                       "empty.", trace_id, type(error).__name__, error)
        return trace_json, cell, None, None
    return trace_json, cell, request, response


def traces_to_dataframe(traces: Iterable[Trace | TraceRecord],
                        extract_fields: Sequence[str] | None = None) -> TraceFrame:
    """One row per trace with the columns in `TRACE_COLUMNS`, then one column per valid `extract_fields` spec
    (`"span_name.inputs"`, `"span_name.outputs.key"`; invalid specs are skipped). Missing spans or keys are None.
    The `trace` column holds the whole trace as JSON text (`Trace.to_json()`, read back with `Trace.from_json`), as
    MLflow's does: text survives a Parquet or Spark round trip, where an object would not. Each `spans` cell is a
    `SpanList`, decoded when first read (the frame is a `TraceFrame`, whose `to_json` writes them); only the root
    span is parsed here, for `request` and `response` (and every
    span of a trace when `extract_fields` asks for one).

    >>> traces_to_dataframe(traces, ["retrieve.outputs", "llm.inputs.prompt"]).columns[-2:]
    Index(['retrieve.outputs', 'llm.inputs.prompt'], dtype='object')
    """
    return chunks_to_dataframe(([trace] for trace in traces), extract_fields)


def chunks_to_dataframe(chunks: Iterable[list[Trace | TraceRecord]],
                        extract_fields: Sequence[str] | None = None) -> TraceFrame:
    """`traces_to_dataframe` of the traces of `chunks`, in order, taken a list at a time (as a store reads them);
    each list's slots are set to None as its rows are made, so a record's span texts are freed once it is a row."""
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
    spans_column: list[SpanList] = []
    sources = SpanSources()  # the cells' undecoded spans, decoded in runs when read in order
    assessments_column: list[list[dict[str, Any]]] = []
    for chunk in chunks:
        items: list[Any] = chunk
        for index in range(len(items)):
            trace = items[index]
            items[index] = None
            # Fresh copies of the tags, metadata and assessments, which the columns take; a stored record's is made
            # from its fields, without a `TraceInfo`.
            if isinstance(trace, TraceRecord):
                info_dict = trace.info_dict()
                trace_json, cell, request, response = _record_row(info_dict, trace.span_texts, trace.root_index,
                                                                  sources)
            else:
                info_dict = trace.info.to_dict()
                trace_json, cell, request, response = _trace_row(trace, info_dict, sources)
            trace_jsons.append(trace_json)
            trace_ids.append(info_dict["trace_id"])
            client_request_ids.append(info_dict["client_request_id"])
            states.append(info_dict["state"])
            request_times.append(info_dict["request_time"])
            durations.append(info_dict["execution_duration"])
            requests.append(request)
            responses.append(response)
            metadata_column.append(info_dict["trace_metadata"])
            tags_column.append(info_dict["tags"])
            spans_column.append(cell)
            assessments_column.append(info_dict["assessments"])
            for field in fields:
                extracted[field.spec].append(_extract(cell, field))
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
    return TraceFrame(data)


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
