"""Signature enforcement before a pyfunc model's predict: the input checked (and safely converted) against the
input schema, the params against the param schema.

Column-based schemas: the input becomes a DataFrame (a dict, a list of dicts, a list or array for unnamed columns,
a scalar for a one-column schema); named columns are matched by name, put in the schema's order, and columns the
schema does not declare are dropped; unnamed ones are matched by position (only their count is checked). A column
of another type is converted only when that is lossless (integer -> long, integer or float -> double); otherwise
the error names the column, its type and the expected one. Tensor-based schemas check dtype strictly and shape with
-1 as a wildcard.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from tracekit.exceptions import TracekitException
from tracekit.models.schema_types import SAFE_WIDENINGS, ColSpec, DataType, ParamSchema, Schema, TensorSpec
from tracekit.models.type_inference import column_type, numpy_dtype_type, python_value_type

logger = logging.getLogger(__name__)


def validate_schema(data: Any, expected_schema: Schema) -> None:
    """Raise TracekitException (naming the column or tensor and the expected type) unless `data` fits
    `expected_schema`.

    >>> validate_schema(input_df, get_model_info(model_uri).signature.inputs)
    """
    enforce_schema(data, expected_schema)


def enforce_schema(data: Any, schema: Schema) -> Any:
    """`data` checked against `schema` and converted to what the model expects (a DataFrame in the schema's column
    order, or the arrays); TracekitException naming what does not fit."""
    if schema.is_tensor_spec():
        return _enforce_tensors(data, schema)
    return _enforce_columns(_as_dataframe(data, schema), schema)


def enforce_params(params: Mapping[str, Any] | None, schema: ParamSchema | None) -> dict[str, Any] | None:
    """The params a predict call gets: each declared param converted to its type or given its default; params the
    schema does not declare are dropped with a warning (all of them when the model declares none)."""
    if schema is None:
        if params:
            logger.warning("Ignoring params %s: the model's signature declares no params.", sorted(params))
        return None
    given = dict(params or {})
    if not isinstance(params, (Mapping, type(None))):
        raise TracekitException.invalid_parameter_value(
            f"params must be a dict of parameter name to value, got {type(params).__name__}.")
    unknown = sorted(set(given) - {spec.name for spec in schema})
    if unknown:
        logger.warning("Ignoring params %s: the model's signature does not declare them (it declares %s).",
                       unknown, [spec.name for spec in schema])
    return {spec.name: spec.convert(given[spec.name]) if spec.name in given else spec.default for spec in schema}


# --- columns ----------------------------------------------------------------------------------------------------
def _as_dataframe(data: Any, schema: Schema) -> Any:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame() if data.name is not None and schema.has_input_names() else pd.DataFrame({0: data})
    if isinstance(data, Mapping):
        if all(python_value_type(value) is not None or value is None for value in data.values()):
            return pd.DataFrame([dict(data)])
        return pd.DataFrame(dict(data))
    if isinstance(data, (list, tuple)):
        if data and all(isinstance(item, Mapping) for item in data):
            return pd.DataFrame(list(data))
        if len(schema) == 1:
            return pd.DataFrame({_first_name(schema): list(data)})
        return pd.DataFrame(list(data))
    if isinstance(data, np.ndarray):
        if data.ndim == 1 and len(schema) == 1:
            return pd.DataFrame({_first_name(schema): data})
        if data.ndim != 2:
            raise TracekitException.invalid_parameter_value(
                f"A {data.ndim}-dimensional array cannot be matched to the model's {len(schema)} columns; give a "
                f"2-dimensional array or a DataFrame.")
        frame = pd.DataFrame(data)
        if schema.has_input_names() and frame.shape[1] == len(schema):
            frame.columns = schema.input_names()
        return frame
    if python_value_type(data) is not None and len(schema) == 1:
        return pd.DataFrame({_first_name(schema): [data]})
    raise TracekitException.invalid_parameter_value(
        f"The model takes columns {schema!r}; a {type(data).__name__} cannot be read as them. Give a pandas "
        f"DataFrame, a dict of column name to value(s), or a list of such dicts.")


def _first_name(schema: Schema) -> str | int:
    return schema.input_names()[0]


def _enforce_columns(frame: Any, schema: Schema) -> Any:
    if schema.has_input_names():
        present = {str(column) for column in frame.columns}
        if len(present) != len(frame.columns):
            frame = frame.rename(columns=str)
        missing = [name for name in schema.required_input_names() if name not in present]
        if missing:
            raise TracekitException.invalid_parameter_value(
                f"The model input is missing required column(s) {missing}: the signature expects {schema!r}; got "
                f"columns {sorted(present)}.")
        names = [spec.name for spec in schema if spec.name in present]
        if [str(column) for column in frame.columns] != names:
            frame = frame.rename(columns=str)[names]
        specs = [spec for spec in schema if spec.name in present]
    else:
        if frame.shape[1] != len(schema):
            raise TracekitException.invalid_parameter_value(
                f"The model takes {len(schema)} unnamed column(s) {schema!r}, got {frame.shape[1]} column(s).")
        specs = list(schema)
    converted = {}
    for position, (spec, dtype) in enumerate(zip(specs, frame.dtypes.tolist(), strict=True)):
        assert isinstance(spec, ColSpec)
        if numpy_dtype_type(dtype) is spec.type and spec.type is not DataType.datetime:
            continue  # the common case, decided from the dtype alone: no column is materialized
        column = frame.iloc[:, position]
        new_column = _enforce_column(column, spec, spec.name if spec.name is not None else position)
        if new_column is not column:
            converted[position] = new_column
    if converted:
        frame = frame.copy()
        for position, new_column in converted.items():
            frame.isetitem(position, new_column)
    return frame


def _enforce_column(column: Any, spec: ColSpec, where: str | int) -> Any:
    expected = spec.type
    found = column_type(column)
    if found is expected:
        if expected is DataType.datetime and column.dtype == object:
            import pandas as pd

            return pd.to_datetime(column)
        return column
    if found is not None and found in SAFE_WIDENINGS.get(expected, ()):
        return column.astype(expected.to_numpy())
    if len(column) == 0 and column.dtype == object:
        return column
    hint = ""
    if expected in (DataType.integer, DataType.long) and found in (DataType.float, DataType.double):
        hint = (" Integer columns with missing values arrive as floats: declare such a column as double in the "
                "signature.")
    elif expected in (DataType.float, DataType.double) and found is DataType.long:
        hint = " A 64-bit integer does not convert to a float losslessly: cast the column to float64 first."
    found_text = found.value if found is not None else f"mixed or unsupported values (dtype {column.dtype})"
    raise TracekitException.invalid_parameter_value(
        f"Input column {where!r} does not match the model signature: expected {expected.value}, got {found_text}. "
        f"Only lossless conversions are made (integer -> long, integer or float -> double).{hint}")


# --- tensors ----------------------------------------------------------------------------------------------------
def _enforce_tensors(data: Any, schema: Schema) -> Any:
    import pandas as pd

    specs = [spec for spec in schema if isinstance(spec, TensorSpec)]
    if isinstance(data, Mapping):
        if not schema.has_input_names():
            raise TracekitException.invalid_parameter_value(
                "The model takes unnamed tensors; give a numpy array, not a dict.")
        missing = [spec.name for spec in specs if spec.name not in data]
        if missing:
            raise TracekitException.invalid_parameter_value(
                f"The model input is missing tensor(s) {missing}: the signature expects {schema!r}.")
        return {spec.name: _enforce_tensor(np.asarray(data[spec.name]), spec) for spec in specs}
    if len(specs) != 1:
        raise TracekitException.invalid_parameter_value(
            f"The model takes {len(specs)} tensors {schema!r}: give a dict of tensor name to numpy array.")
    if isinstance(data, (pd.DataFrame, pd.Series)):
        data = data.to_numpy()
    elif isinstance(data, (list, tuple)):
        data = np.asarray(data)
    if not isinstance(data, np.ndarray):
        raise TracekitException.invalid_parameter_value(
            f"The model takes a tensor {schema!r}: give a numpy array, got {type(data).__name__}.")
    return _enforce_tensor(data, specs[0])


def _enforce_tensor(array: np.ndarray, spec: TensorSpec) -> np.ndarray:
    where = repr(spec.name) if spec.name is not None else "the input tensor"
    if array.dtype != spec.type:
        raise TracekitException.invalid_parameter_value(
            f"Tensor {where} does not match the model signature: expected dtype {spec.type}, got {array.dtype} "
            f"(tensor types are checked strictly; cast with array.astype(np.{spec.type}) if that is lossless).")
    fits = len(array.shape) == len(spec.shape) and all(
        want == -1 or want == got for want, got in zip(spec.shape, array.shape, strict=True))
    if not fits:
        raise TracekitException.invalid_parameter_value(
            f"Tensor {where} does not match the model signature: expected shape {spec.shape} (-1: any size), got "
            f"{array.shape}.")
    return array
