"""`ModelSignature` (a model's input, output and param schemas) and `infer_signature` from example data."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.schema_types import ParamSchema, Schema
from tracekit.models.type_inference import infer_param_schema, infer_schema

logger = logging.getLogger(__name__)


class ModelSignature:
    """What a model takes and returns: `inputs` and `outputs` schemas and the `params` its predict accepts.

    >>> ModelSignature(inputs=Schema([ColSpec("double", "x")]), outputs=Schema([ColSpec("long")]))
    """

    def __init__(self, inputs: Schema | None = None, outputs: Schema | None = None,
                 params: ParamSchema | None = None) -> None:
        for what, value, kind in (("inputs", inputs, Schema), ("outputs", outputs, Schema),
                                  ("params", params, ParamSchema)):
            if value is not None and not isinstance(value, kind):
                raise TracekitException.invalid_parameter_value(
                    f"ModelSignature {what} must be a {kind.__name__} or None, got {type(value).__name__}.")
        if inputs is None and outputs is None and params is None:
            raise TracekitException.invalid_parameter_value(
                "A ModelSignature needs at least one of inputs, outputs or params.")
        self.inputs = inputs
        self.outputs = outputs
        self.params = params

    def to_dict(self) -> dict[str, str | None]:
        """Each schema as JSON text (compact inside the MLmodel YAML); absent ones as None."""
        return {"inputs": None if self.inputs is None else self.inputs.to_json(),
                "outputs": None if self.outputs is None else self.outputs.to_json(),
                "params": None if self.params is None else self.params.to_json()}

    @classmethod
    def from_dict(cls, signature_dict: Mapping[str, Any]) -> ModelSignature:
        """Read `to_dict`'s form back."""
        def read(key: str, kind: type[Schema] | type[ParamSchema]) -> Any:
            text = signature_dict.get(key)
            return None if text in (None, "", "null") else kind.from_json(text)

        return cls(read("inputs", Schema), read("outputs", Schema), read("params", ParamSchema))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSignature) and (self.inputs, self.outputs, self.params) == (
            other.inputs, other.outputs, other.params)

    def __repr__(self) -> str:
        return f"inputs: {self.inputs!r}\noutputs: {self.outputs!r}\nparams: {self.params!r}"


def infer_signature(model_input: Any = None, model_output: Any = None,
                    params: Mapping[str, Any] | None = None) -> ModelSignature:
    """The signature of example data: a pandas DataFrame or Series, a numpy array, a dict (of scalars, lists or
    arrays), a list (of scalars or of dicts) or a scalar, for the input and the output; `params` an example dict of
    inference params whose values become the defaults.

    >>> signature = infer_signature(train_df, model.predict(train_df), params={"threshold": 0.5})
    """
    inputs = None if model_input is None else infer_schema(model_input)
    outputs = None if model_output is None else infer_schema(model_output)
    param_schema = None if not params else infer_param_schema(params)
    return ModelSignature(inputs, outputs, param_schema)
