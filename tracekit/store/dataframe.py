"""Search results as a pandas DataFrame, built column by column (one list per column, one DataFrame call)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from tracekit.constants import SpanAttributeKey
from tracekit.entities import Span, SpanType, Trace
from tracekit.store.search.grammar import ExtractField, parse_extract_field

COLUMNS = ("trace_id", "trace", "client_request_id", "state", "request_time", "execution_duration", "request",
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
    """One row per trace with the columns in `COLUMNS`, then one column per valid `extract_fields` spec
    (`"span_name.inputs"`, `"span_name.outputs.key"`; invalid specs are skipped). Missing spans or keys are None.

    >>> traces_to_dataframe(traces, ["retrieve.outputs", "llm.inputs.prompt"]).columns[-2:]
    Index(['retrieve.outputs', 'llm.inputs.prompt'], dtype='object')
    """
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    fields = [field for field in map(parse_extract_field, extract_fields or ()) if field is not None]
    extracted: dict[str, list[Any]] = {field.spec: [] for field in fields}
    for trace in traces:
        info = trace.info
        root = trace.data.root_span
        columns["trace_id"].append(info.trace_id)
        columns["trace"].append(trace)
        columns["client_request_id"].append(info.client_request_id)
        columns["state"].append(info.state.value)
        columns["request_time"].append(info.request_time)
        columns["execution_duration"].append(info.execution_duration)
        columns["request"].append(None if root is None else root.inputs)
        columns["response"].append(None if root is None else root.outputs)
        columns["trace_metadata"].append(dict(info.trace_metadata))
        columns["tags"].append(dict(info.tags))
        columns["spans"].append([span_to_readable_dict(span) for span in trace.data.spans])
        columns["assessments"].append(list(info.assessments))
        for field in fields:
            extracted[field.spec].append(_extract(trace, field))
    data: dict[str, Any] = {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    data["request_time"] = pd.Series(columns["request_time"], dtype="int64")
    data["execution_duration"] = pd.Series(columns["execution_duration"], dtype="Int64")
    for spec, values in extracted.items():
        data[spec] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)
