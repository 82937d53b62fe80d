"""`tracekit.types`: the types model signatures are made of (MLflow's `mlflow.types`).

>>> from tracekit.types import ColSpec, Schema
>>> Schema([ColSpec("double", "sepal length (cm)"), ColSpec("double", "sepal width (cm)")])
"""

from tracekit.models.schema_types import ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec

__all__ = ["ColSpec", "DataType", "ParamSchema", "ParamSpec", "Schema", "TensorSpec"]
