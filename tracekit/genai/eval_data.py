"""The rows `tracekit.genai.evaluate` judges, read from what the caller passed: a DataFrame or a list of dicts with
`inputs`, `outputs`, `expectations` and `trace`, a list of `Trace`s, or the DataFrame `search_traces` returns (then
inputs and outputs come from each trace's root span and expectations from its Expectation assessments)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracekit.entities import Trace
from tracekit.exceptions import TracekitException

ROW_COLUMNS = ("inputs", "outputs", "expectations", "trace")
#: Columns of a `search_traces` DataFrame, besides `trace`: ignored, since everything they hold is in the trace.
_SEARCH_TRACES_COLUMNS = frozenset({"trace_id", "client_request_id", "state", "request_time", "execution_duration",
                                    "request", "response", "trace_metadata", "tags", "spans", "assessments"})


@dataclass
class EvalRow:
    """One row to judge. `index` is its position in the data (for messages and the result table); `trace` is the
    stored trace it came from, if any."""

    index: int
    inputs: Any = None
    outputs: Any = None
    expectations: dict[str, Any] | None = None
    trace: Trace | None = None
    has_outputs: bool = field(default=False)


def read_rows(data: Any, with_predict_fn: bool) -> list[EvalRow]:
    """The rows of `data`, checked: raises `TracekitException` naming the row or column that is wrong."""
    records, from_search = _records(data)
    if not records:
        raise TracekitException.invalid_parameter_value("evaluate(): data holds no rows; pass at least one.")
    return [_row(index, record, with_predict_fn, from_search) for index, record in enumerate(records)]


def _records(data: Any) -> tuple[list[Mapping[str, Any]], bool]:
    import pandas as pd

    if data is None:
        raise TracekitException.invalid_parameter_value(
            "evaluate(): data is None; pass a DataFrame, a list of dicts, a list of Traces or search_traces()'s "
            "result.")
    if isinstance(data, pd.DataFrame):
        columns = [str(column) for column in data.columns]
        from_search = "trace" in columns and _SEARCH_TRACES_COLUMNS <= set(columns)
        if not from_search:
            _check_columns(columns, "data")
        return list(_frame_records(data)), from_search
    if isinstance(data, (str, bytes, Mapping)) or not hasattr(data, "__iter__"):
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): data must be a DataFrame, a list of dicts or a list of Traces, got {type(data).__name__}.")
    records: list[Mapping[str, Any]] = []
    for index, item in enumerate(data):
        if isinstance(item, Trace):
            records.append({"trace": item})
        elif isinstance(item, Mapping):
            _check_columns([str(key) for key in item], f"row {index}")
            records.append(item)
        else:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {index} is a {type(item).__name__}; each row must be a dict with keys among "
                f"{', '.join(ROW_COLUMNS)}, or a Trace.")
    return records, False


def _frame_records(frame: Any) -> Iterator[dict[str, Any]]:
    wanted = [column for column in ROW_COLUMNS if column in frame.columns]
    for values in zip(*(frame[column].tolist() for column in wanted), strict=True):
        yield {column: _missing_to_none(value) for column, value in zip(wanted, values, strict=True)}


def _missing_to_none(value: Any) -> Any:
    """NaN and pandas' missing markers (what a DataFrame puts in a row lacking a column) as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _check_columns(columns: list[str], where: str) -> None:
    unknown = [column for column in columns if column not in ROW_COLUMNS]
    if unknown:
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): {where} has unknown column(s) {', '.join(repr(c) for c in unknown)}; the columns are "
            f"{', '.join(ROW_COLUMNS)} (or pass the DataFrame search_traces() returns).")


def _row(index: int, record: Mapping[str, Any], with_predict_fn: bool, from_search: bool) -> EvalRow:
    record = {key: _missing_to_none(value) for key, value in record.items()}
    trace = _trace(index, record.get("trace"))
    inputs, outputs, expectations = record.get("inputs"), record.get("outputs"), record.get("expectations")
    has_outputs = "outputs" in record and outputs is not None
    if with_predict_fn:
        if trace is not None:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {index} has a trace, but predict_fn makes a new trace for every row; pass "
                f"either traces or predict_fn.")
        if has_outputs:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {index} has outputs, but predict_fn produces the outputs; drop the 'outputs' "
                f"column or pass no predict_fn.")
        if inputs is None:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {index} has no 'inputs'; with predict_fn every row needs inputs, a dict of "
                f"keyword arguments for predict_fn.")
        if not isinstance(inputs, Mapping) or not all(isinstance(key, str) for key in inputs):
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {index}: 'inputs' must be a dict of keyword arguments for predict_fn, got "
                f"{type(inputs).__name__}.")
        inputs = dict(inputs)
    elif trace is None and inputs is None and not has_outputs:
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): row {index} has none of 'inputs', 'outputs' and 'trace'; there is nothing to score.")
    if trace is not None:
        root = trace.data.root_span
        if inputs is None and root is not None:
            inputs = root.inputs
        if not has_outputs and root is not None:
            outputs = root.outputs
            has_outputs = outputs is not None
        if expectations is None:
            expectations = _expectations_of(trace) or None
    if expectations is not None and not isinstance(expectations, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): row {index}: 'expectations' must be a dict of name -> expected value, got "
            f"{type(expectations).__name__}.")
    return EvalRow(index=index, inputs=inputs, outputs=outputs,
                   expectations=dict(expectations) if expectations is not None else None, trace=trace,
                   has_outputs=has_outputs)


def _trace(index: int, value: Any) -> Trace | None:
    if value is None or isinstance(value, Trace):
        return value
    try:
        if isinstance(value, str):
            return Trace.from_json(value)
        if isinstance(value, Mapping):
            return Trace.from_dict(dict(value))
    except (KeyError, TypeError, ValueError, TracekitException) as exc:
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): row {index}: 'trace' could not be read as a trace ({exc}).") from None
    raise TracekitException.invalid_parameter_value(
        f"evaluate(): row {index}: 'trace' must be a Trace, its JSON or its dict form, got {type(value).__name__}.")


def _expectations_of(trace: Trace) -> dict[str, Any]:
    """The trace's Expectation assessments as name -> value (a later one of the same name wins)."""
    found: dict[str, Any] = {}
    for assessment in trace.info.assessments or ():
        kind = getattr(assessment, "kind", None)
        name = getattr(assessment, "name", None)
        value = getattr(assessment, "value", None)
        if isinstance(assessment, Mapping):
            kind, name, value = assessment.get("kind"), assessment.get("name"), assessment.get("value")
            if kind is None and "expectation" in assessment:  # MLflow's dict shape
                kind, expected = "expectation", assessment.get("expectation")
                value = expected.get("value") if isinstance(expected, Mapping) else expected
        if kind == "expectation" and isinstance(name, str):
            found[name] = value
    return found
