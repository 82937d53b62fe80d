"""`tracekit.types.schema`: the same names as `tracekit.types`, at the path MLflow code imports them from
(`from mlflow.types.schema import Schema, ColSpec`)."""

from tracekit.models.schema_types import ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec

__all__ = ["ColSpec", "DataType", "ParamSchema", "ParamSpec", "Schema", "TensorSpec"]
