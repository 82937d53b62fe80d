"""What `DataType` a value, a numpy dtype or a pandas column holds, and the `Schema` of a whole input or output.

One place answers "what type is this?" for inference (`infer_signature`) and enforcement (`predict`) alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import numpy as np

from tracekit.exceptions import TracekitException
from tracekit.models.schema_types import ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec

_INTEGER_DTYPES = {np.dtype(t) for t in (np.int8, np.int16, np.int32, np.uint8, np.uint16)}
_LONG_DTYPES = {np.dtype(t) for t in (np.int64, np.uint32)}


def python_value_type(value: Any) -> DataType | None:
    """The type of one scalar (Python or numpy), or None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return DataType.boolean
    if isinstance(value, np.generic):
        return numpy_dtype_type(value.dtype)
    if isinstance(value, int):
        return DataType.long
    if isinstance(value, float):
        return DataType.double
    if isinstance(value, str):
        return DataType.string
    if isinstance(value, (bytes, bytearray)):
        return DataType.binary
    if isinstance(value, (datetime.datetime, datetime.date)):
        return DataType.datetime
    return None


def numpy_dtype_type(dtype: Any) -> DataType | None:
    """The type of a numpy (or pandas extension) dtype; None for object and for types no DataType holds."""
    import pandas as pd

    if isinstance(dtype, pd.StringDtype):
        return DataType.string
    if isinstance(dtype, pd.BooleanDtype):
        return DataType.boolean
    if isinstance(dtype, (pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.UInt8Dtype, pd.UInt16Dtype)):
        return DataType.integer
    if isinstance(dtype, (pd.Int64Dtype, pd.UInt32Dtype)):
        return DataType.long
    if isinstance(dtype, pd.Float32Dtype):
        return DataType.float
    if isinstance(dtype, pd.Float64Dtype):
        return DataType.double
    if isinstance(dtype, pd.DatetimeTZDtype):
        return DataType.datetime
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return None
    if dtype.kind == "b":
        return DataType.boolean
    if dtype in _INTEGER_DTYPES:
        return DataType.integer
    if dtype in _LONG_DTYPES:
        return DataType.long
    if dtype.kind == "f":
        return DataType.double if dtype.itemsize >= 8 else DataType.float
    if dtype.kind == "M":
        return DataType.datetime
    if dtype.kind == "U":
        return DataType.string
    if dtype.kind == "S":
        return DataType.binary
    return None


def column_type(column: Any) -> DataType | None:
    """The type of a pandas Series: from its dtype, or (object columns) from its non-null values when they all
    share one type; None when they do not."""
    found = numpy_dtype_type(column.dtype)
    if found is not None or column.dtype != object:
        return found
    types = {python_value_type(value) for value in column.dropna()}
    return types.pop() if len(types) == 1 else None


def infer_schema(data: Any) -> Schema:
    """The schema of one input or output: a DataFrame's or a dict's columns, a numpy array's tensor, a list's or a
    scalar's one column. TracekitException naming what has no type."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return Schema([ColSpec(_typed(column_type(data[name]), name, data[name].dtype), str(name))
                       for name in data.columns])
    if isinstance(data, pd.Series):
        name = None if data.name is None else str(data.name)
        return Schema([ColSpec(_typed(column_type(data), name or "the series", data.dtype), name)])
    if isinstance(data, np.ndarray):
        return Schema([_tensor_spec(data, None)])
    if isinstance(data, Mapping):
        if not data:
            raise TracekitException.invalid_parameter_value("Cannot infer a schema from an empty dict.")
        if all(isinstance(value, np.ndarray) for value in data.values()):
            return Schema([_tensor_spec(value, str(key)) for key, value in data.items()])
        return Schema([ColSpec(_value_column_type(value, str(key)), str(key)) for key, value in data.items()])
    if isinstance(data, (list, tuple)):
        if data and all(isinstance(item, Mapping) for item in data):
            return infer_schema(pd.DataFrame(list(data)))
        return Schema([ColSpec(_value_column_type(list(data), "the list"))])
    found = python_value_type(data)
    if found is None:
        raise TracekitException.invalid_parameter_value(
            f"Cannot infer a schema from a {type(data).__name__}: give a pandas DataFrame or Series, a numpy array, "
            f"a dict, a list or a scalar (or pass the signature explicitly).")
    return Schema([ColSpec(found)])


def infer_param_schema(params: Mapping[str, Any]) -> ParamSchema:
    """The param schema of an example `params` dict: each value becomes the default of its param."""
    specs = []
    for name, value in params.items():
        if isinstance(value, (list, tuple, np.ndarray)):
            specs.append(ParamSpec(str(name), _value_column_type(list(value), f"param {name!r}"), value, (-1,)))
        else:
            found = python_value_type(value)
            if found is None:
                raise TracekitException.invalid_parameter_value(
                    f"Param {name!r}: cannot infer a type from {type(value).__name__}; params are scalars (bool, int, "
                    f"float, str, bytes, datetime) or lists of them.")
            specs.append(ParamSpec(str(name), found, value))
    return ParamSchema(specs)


def _tensor_spec(array: np.ndarray, name: str | None) -> TensorSpec:
    if array.dtype.kind == "O":
        raise TracekitException.invalid_parameter_value(
            f"Cannot infer a tensor type for {name or 'the array'}: it holds Python objects; use a DataFrame or "
            f"give an array of a numeric dtype.")
    return TensorSpec(array.dtype, (-1, *array.shape[1:]), name)


def _value_column_type(value: Any, where: str) -> DataType:
    """The type of a dict value or a list: a scalar's, or the one type shared by the list's items."""
    if isinstance(value, (list, tuple, np.ndarray)):
        types = {python_value_type(item) for item in value if item is not None}
        if len(types) == 1 and None not in types:
            return types.pop()  # type: ignore[return-value]
        raise TracekitException.invalid_parameter_value(
            f"Cannot infer a column type for {where}: its items are not scalars of one type "
            f"({sorted(type(item).__name__ for item in value)[:5]}).")
    found = python_value_type(value)
    if found is None:
        raise TracekitException.invalid_parameter_value(
            f"Cannot infer a column type for {where}: {type(value).__name__} is not a scalar (bool, int, float, str, "
            f"bytes, datetime); pass the signature explicitly.")
    return found


def _typed(found: DataType | None, name: Any, dtype: Any) -> DataType:
    if found is None:
        raise TracekitException.invalid_parameter_value(
            f"Cannot infer a column type for column {name!r} (dtype {dtype}): its values are not of one supported "
            f"type (boolean, integer, long, float, double, string, binary, datetime).")
    return found
