"""The types a model signature is made of: `DataType`, `ColSpec`, `TensorSpec`, `Schema`, `ParamSpec`,
`ParamSchema` (public as `tracekit.types`).

A column-based schema is a list of (optionally named) columns, each of a `DataType`; a tensor-based one a list of
(optionally named) numpy arrays of a dtype and a shape, -1 marking a variable axis. Both serialize to the JSON that
an MLmodel file holds under `signature:`.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from tracekit.exceptions import TracekitException

SpecT = TypeVar("SpecT")


class DataType(enum.Enum):
    """The type of one column (or param) of a column-based schema."""

    boolean = "boolean"
    integer = "integer"  # 32-bit signed
    long = "long"  # 64-bit signed
    float = "float"  # 32-bit
    double = "double"  # 64-bit
    string = "string"
    binary = "binary"
    datetime = "datetime"

    def __repr__(self) -> str:
        return self.value

    def to_numpy(self) -> np.dtype:
        """The numpy dtype holding values of this type."""
        return np.dtype(_NUMPY_TYPES[self])

    def to_python(self) -> type:
        """The Python type of one value."""
        return _PYTHON_TYPES[self]

    @classmethod
    def from_name(cls, name: str | DataType) -> DataType:
        """The type named `name` ("double", "long", ...); TracekitException listing the valid names otherwise."""
        if isinstance(name, DataType):
            return name
        try:
            return cls(str(name))
        except ValueError:
            valid = ", ".join(t.value for t in cls)
            raise TracekitException.invalid_parameter_value(
                f"Unknown data type {name!r}: valid types are {valid}.") from None


_NUMPY_TYPES: dict[DataType, Any] = {
    DataType.boolean: np.bool_, DataType.integer: np.int32, DataType.long: np.int64, DataType.float: np.float32,
    DataType.double: np.float64, DataType.string: np.object_, DataType.binary: np.object_,
    DataType.datetime: "datetime64[ns]",
}
_PYTHON_TYPES: dict[DataType, type] = {
    DataType.boolean: bool, DataType.integer: int, DataType.long: int, DataType.float: float,
    DataType.double: float, DataType.string: str, DataType.binary: bytes, DataType.datetime: datetime.datetime,
}


class ColSpec:
    """One column: its `DataType`, an optional name, and whether an input must have it (`required`).

    >>> ColSpec("double", "sepal length (cm)")
    """

    def __init__(self, type: DataType | str, name: str | None = None, required: bool = True) -> None:  # noqa: A002
        self.type = DataType.from_name(type)
        if name is not None and not isinstance(name, str):
            raise TracekitException.invalid_parameter_value(f"A column name must be a string, got {name!r}.")
        self.name = name
        self.required = bool(required)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in an MLmodel file."""
        out: dict[str, Any] = {"type": self.type.value}
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColSpec) and (self.type, self.name, self.required) == (
            other.type, other.name, other.required)

    def __repr__(self) -> str:
        optional = "" if self.required else " (optional)"
        return f"{self.name!r}: {self.type.value}{optional}" if self.name is not None else self.type.value


class TensorSpec:
    """One tensor: a numpy dtype, a shape (-1 for a variable axis, usually the batch axis) and an optional name.

    >>> TensorSpec(np.dtype(np.uint8), (-1, 28, 28, 1), "images")
    """

    def __init__(self, type: np.dtype | str, shape: Sequence[int], name: str | None = None) -> None:  # noqa: A002
        try:
            self.type = np.dtype(type)
        except TypeError:
            raise TracekitException.invalid_parameter_value(f"TensorSpec: {type!r} is not a numpy dtype.") from None
        if self.type.kind == "O":
            raise TracekitException.invalid_parameter_value(
                "TensorSpec: object arrays have no fixed element type; use a column-based schema (ColSpec) instead.")
        if not all(isinstance(axis, (int, np.integer)) and (axis == -1 or axis >= 0) for axis in shape):
            raise TracekitException.invalid_parameter_value(
                f"TensorSpec: shape {tuple(shape)!r} must hold non-negative integers, or -1 for a variable axis.")
        self.shape = tuple(int(axis) for axis in shape)
        self.name = name

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in an MLmodel file."""
        out: dict[str, Any] = {"type": "tensor", "tensor-spec": {"dtype": self.type.str.lstrip("<>|=")
                                                                  if self.type.kind == "M" else str(self.type),
                                                                  "shape": list(self.shape)}}
        if self.name is not None:
            out["name"] = self.name
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorSpec) and (self.type, self.shape, self.name) == (
            other.type, other.shape, other.name)

    def __repr__(self) -> str:
        described = f"Tensor({self.type}, {self.shape})"
        return f"{self.name!r}: {described}" if self.name is not None else described


class _SpecList(Generic[SpecT]):
    """What Schema and ParamSchema share: a list of specs, iterated, compared, shown and written as JSON."""

    _specs: list[SpecT]

    def __iter__(self) -> Iterator[SpecT]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._specs == other._specs

    def __repr__(self) -> str:
        return f"[{', '.join(repr(spec) for spec in self._specs)}]"

    def to_dict(self) -> list[dict[str, Any]]:
        """The JSON-ready list of specs."""
        return [spec.to_dict() for spec in self._specs]  # type: ignore[attr-defined]

    def to_json(self) -> str:
        """The JSON text an MLmodel file stores."""
        return json.dumps(self.to_dict())


class Schema(_SpecList["ColSpec | TensorSpec"]):
    """The inputs or outputs of a model: all `ColSpec`s (column-based) or all `TensorSpec`s (tensor-based).

    >>> Schema([ColSpec("double", "x"), ColSpec("string", "label", required=False)])
    """

    def __init__(self, inputs: Sequence[ColSpec | TensorSpec]) -> None:
        specs = list(inputs)
        if not specs:
            raise TracekitException.invalid_parameter_value("A Schema needs at least one ColSpec or TensorSpec.")
        kinds = {type(spec) for spec in specs}
        if not kinds <= {ColSpec, TensorSpec}:
            raise TracekitException.invalid_parameter_value(
                f"A Schema holds ColSpec or TensorSpec objects, got {sorted(k.__name__ for k in kinds)}.")
        if len(kinds) > 1:
            raise TracekitException.invalid_parameter_value(
                "A Schema is either column-based (ColSpec) or tensor-based (TensorSpec), not both.")
        names = [spec.name for spec in specs]
        if any(name is not None for name in names) and any(name is None for name in names):
            raise TracekitException.invalid_parameter_value(
                "A Schema names either all of its inputs or none of them.")
        named = [name for name in names if name is not None]
        if len(set(named)) != len(named):
            raise TracekitException.invalid_parameter_value(f"A Schema repeats input names: {named}.")
        self.inputs: list[ColSpec | TensorSpec] = specs
        self._specs = specs

    def is_tensor_spec(self) -> bool:
        """Whether the schema is tensor-based."""
        return isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        """Whether the inputs are named (matched by name) rather than by position."""
        return self.inputs[0].name is not None

    def input_names(self) -> list[str | int]:
        """The input names, or their positions when unnamed."""
        return [spec.name if spec.name is not None else index for index, spec in enumerate(self.inputs)]

    def required_input_names(self) -> list[str | int]:
        """The names (or positions) of the inputs an input must have."""
        return [name for name, spec in zip(self.input_names(), self.inputs, strict=True)
                if not isinstance(spec, ColSpec) or spec.required]

    @classmethod
    def from_json(cls, text: str | list[dict[str, Any]]) -> Schema:
        """Read `to_json`'s text (or the parsed list); the older `{"dtype": ..., "shape": ...}` tensor form too."""
        items = json.loads(text) if isinstance(text, str) else text
        if not isinstance(items, list):
            raise TracekitException.invalid_parameter_value(f"A schema is a JSON list of specs, got {items!r}.")
        return cls([_spec_from_dict(item) for item in items])


def _spec_from_dict(item: Any) -> ColSpec | TensorSpec:
    if not isinstance(item, dict):
        raise TracekitException.invalid_parameter_value(f"A schema entry is a JSON object, got {item!r}.")
    if item.get("type") == "tensor":
        tensor = item.get("tensor-spec") or {}
        return TensorSpec(str(tensor.get("dtype")), tensor.get("shape", ()), item.get("name"))
    if "dtype" in item:  # the older tensor form
        return TensorSpec(item["dtype"], item.get("shape", ()), item.get("name"))
    return ColSpec(item.get("type", ""), item.get("name"), item.get("required", True))


class ParamSpec:
    """One inference parameter: its name, `DataType`, default value and shape (None for a scalar, (-1,) for a
    list).

    >>> ParamSpec("temperature", "double", 0.7)
    """

    def __init__(self, name: str, dtype: DataType | str, default: Any, shape: Sequence[int] | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise TracekitException.invalid_parameter_value(f"A param name must be a non-empty string, got {name!r}.")
        self.name = name
        self.dtype = DataType.from_name(dtype)
        self.shape = None if shape is None else tuple(shape)
        if self.shape not in (None, (-1,)):
            raise TracekitException.invalid_parameter_value(
                f"Param {name!r}: shape must be None (a scalar) or (-1,) (a list), got {shape!r}.")
        self.default = None if default is None else self.convert(default)

    def convert(self, value: Any) -> Any:
        """`value` as this param's type (an int for a double param is widened); TracekitException naming the param
        and its type otherwise."""
        if self.shape == (-1,):
            if not isinstance(value, (list, tuple, np.ndarray)):
                raise self._mismatch(value, f"a list of {self.dtype.value}")
            return [self._convert_scalar(item) for item in value]
        return self._convert_scalar(value)

    def _convert_scalar(self, value: Any) -> Any:
        from tracekit.models.type_inference import python_value_type  # one place decides what a value's type is

        found = python_value_type(value)
        if found is self.dtype:
            return value.item() if isinstance(value, np.generic) else value
        if found is not None and found in SAFE_WIDENINGS.get(self.dtype, ()):
            return self.dtype.to_python()(value)
        if (self.dtype in (DataType.float, DataType.double) and found in (DataType.integer, DataType.long)
                and abs(int(value)) <= 2**53):  # one integer value (`temperature=1`) that a double holds exactly
            return float(value)
        if self.dtype is DataType.datetime and isinstance(value, str):
            try:
                return datetime.datetime.fromisoformat(value)
            except ValueError:
                pass
        raise self._mismatch(value, self.dtype.value)

    def _mismatch(self, value: Any, expected: str) -> TracekitException:
        return TracekitException.invalid_parameter_value(
            f"Param {self.name!r} must be {expected}, got {value!r} ({type(value).__name__}).")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in an MLmodel file."""
        default = self.default
        if isinstance(default, datetime.datetime):
            default = default.isoformat()
        return {"name": self.name, "type": self.dtype.value, "default": default,
                "shape": None if self.shape is None else list(self.shape)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSpec) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        shape = "" if self.shape is None else " (list)"
        return f"{self.name!r}: {self.dtype.value}{shape} (default: {self.default!r})"


class ParamSchema(_SpecList["ParamSpec"]):
    """The inference parameters a model takes in `predict(data, params=...)`, each with a default."""

    def __init__(self, params: Sequence[ParamSpec]) -> None:
        self.params = list(params)
        self._specs = self.params
        names = [param.name for param in self.params]
        if len(set(names)) != len(names):
            raise TracekitException.invalid_parameter_value(f"A ParamSchema repeats param names: {names}.")

    @classmethod
    def from_json(cls, text: str | list[dict[str, Any]]) -> ParamSchema:
        """Read `to_json`'s text (or the parsed list)."""
        items = json.loads(text) if isinstance(text, str) else text
        if not isinstance(items, list):
            raise TracekitException.invalid_parameter_value(f"A param schema is a JSON list, got {items!r}.")
        return cls([ParamSpec(item["name"], item["type"], item.get("default"), item.get("shape")) for item in items])


# The lossless conversions schema enforcement makes (target type -> the types it accepts besides itself). A 64-bit
# integer does not widen to double: doubles hold integers exactly only up to 2**53.
SAFE_WIDENINGS: dict[DataType, tuple[DataType, ...]] = {
    DataType.long: (DataType.integer,),
    DataType.float: (),
    DataType.double: (DataType.integer, DataType.float),
}
