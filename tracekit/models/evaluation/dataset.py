"""`EvaluationDataset`: the data `evaluate` was given, split into features, targets and (for a static dataset)
predictions, checked once so every evaluator can rely on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracekit.exceptions import TracekitException


@dataclass
class EvaluationDataset:
    """What an evaluator evaluates on: `features` (the model's input, a DataFrame), `targets` (the labels, a Series,
    or None), `predictions` (the model outputs of a static dataset, a Series, or None when a model predicts), the
    whole input `data` frame (extra metrics may ask for any of its columns), a `name`, the `path` it came from (or
    None) and a `digest` of its content."""

    features: pd.DataFrame
    targets: pd.Series | None
    predictions: pd.Series | None
    data: pd.DataFrame
    name: str
    path: str | None
    digest: str

    def __len__(self) -> int:
        return len(self.features)

    def lineage(self, model_id: str | None) -> dict[str, Any]:
        """The entry of the `mlflow.datasets` run tag for this dataset evaluated by `model_id`."""
        entry: dict[str, Any] = {"hash": self.digest, "name": self.name}
        if self.path is not None:
            entry["path"] = self.path
        if model_id is not None:
            entry["model"] = model_id
        return entry


def build_dataset(data: Any, *, targets: Any, predictions: str | None, feature_names: Sequence[str] | None,
                  has_model: bool, path: str | None) -> EvaluationDataset:
    """Check `data` and its `targets`/`predictions`/`feature_names` as `evaluate` documents them and split it;
    TracekitException naming what is wrong (a missing column, a length mismatch, an unsupported type)."""
    if path is not None and '"' in str(path):
        raise TracekitException.invalid_parameter_value(f"dataset_path must not contain double quotes: {path!r}.")
    if data is None:
        raise TracekitException.invalid_parameter_value(
            "evaluate() needs data=: a pandas DataFrame, a numpy array or a list of rows.")
    if hasattr(data, "__len__") and len(data) == 0:
        raise TracekitException.invalid_parameter_value("evaluate() got data with no rows; give at least one row.")
    if isinstance(data, pd.DataFrame):
        return _from_frame(data, targets, predictions, feature_names, has_model, path)
    if not has_model:
        raise TracekitException.invalid_parameter_value(
            "evaluate() without a model evaluates a static dataset: data= must be a pandas DataFrame holding the "
            "model outputs, and predictions= the name of their column.")
    if isinstance(targets, str):
        raise TracekitException.invalid_parameter_value(
            f"targets={targets!r} names a column, but data is a {type(data).__name__}, which has none: pass the "
            f"labels themselves (a list or numpy array), or pass data as a DataFrame.")
    return _from_array(data, targets, feature_names, path)


def _from_frame(data: pd.DataFrame, targets: Any, predictions: str | None, feature_names: Sequence[str] | None,
                has_model: bool, path: str | None) -> EvaluationDataset:
    columns = [str(column) for column in data.columns]
    if targets is not None and not isinstance(targets, str):
        raise TracekitException.invalid_parameter_value(
            f"When data is a DataFrame, targets= is the name of its label column, got {type(targets).__name__}. "
            f"Columns: {', '.join(columns)}.")
    if targets is not None and targets not in data.columns:
        raise TracekitException.invalid_parameter_value(
            f"targets={targets!r} is not a column of the data. Columns: {', '.join(columns)}.")
    predictions_series = None
    if not has_model:
        if predictions is None:
            raise TracekitException.invalid_parameter_value(
                "evaluate() without a model evaluates a static dataset: pass predictions= naming the column of data "
                "that holds the model outputs.")
        if predictions not in data.columns:
            raise TracekitException.invalid_parameter_value(
                f"predictions={predictions!r} is not a column of the data. Columns: {', '.join(columns)}.")
        predictions_series = data[predictions].rename("prediction")
    if feature_names is not None:
        missing = [name for name in feature_names if name not in data.columns]
        if missing:
            raise TracekitException.invalid_parameter_value(
                f"feature_names {missing} are not columns of the data. Columns: {', '.join(columns)}.")
        features = data[list(feature_names)]
    else:
        excluded = {targets, None if has_model else predictions} - {None}
        features = data[[column for column in data.columns if column not in excluded]]
    target_series = data[targets].rename("target") if targets is not None else None
    return EvaluationDataset(features=features, targets=target_series, predictions=predictions_series, data=data,
                             name="dataset", path=path, digest=_digest(data))


def _from_array(data: Any, targets: Any, feature_names: Sequence[str] | None, path: str | None) -> EvaluationDataset:
    try:
        array = np.asarray(data, dtype=object if _holds_text(data) else None)
    except ValueError as error:
        raise TracekitException.invalid_parameter_value(
            f"evaluate() could not read data as rows of features: {error}.") from error
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise TracekitException.invalid_parameter_value(
            f"evaluate() takes data as a 2-D array or list of rows (or a 1-D list of single inputs), got an array "
            f"of shape {array.shape}.")
    names = list(feature_names) if feature_names is not None else [f"feature_{i}" for i in range(array.shape[1])]
    if len(names) != array.shape[1]:
        raise TracekitException.invalid_parameter_value(
            f"feature_names has {len(names)} names for data with {array.shape[1]} columns.")
    features = pd.DataFrame(array, columns=names)
    target_series = None
    if targets is not None:
        target_series = _label_series(targets)
        if len(target_series) != len(features):
            raise TracekitException.invalid_parameter_value(
                f"targets has {len(target_series)} labels for {len(features)} rows of data; give one label per "
                f"row.")
    frame = features if target_series is None else features.assign(target=target_series.to_numpy())
    return EvaluationDataset(features=features, targets=target_series, predictions=None, data=frame,
                             name="dataset", path=path, digest=_digest(frame))


def _label_series(targets: Any) -> pd.Series:
    if isinstance(targets, pd.Series):
        return targets.reset_index(drop=True).rename("target")
    if isinstance(targets, np.ndarray) and targets.ndim == 1:
        return pd.Series(targets, name="target")
    try:
        return pd.Series(list(targets), name="target")
    except TypeError as error:
        raise TracekitException.invalid_parameter_value(
            f"targets must be a list or array of labels (one per row), got {type(targets).__name__}.") from error


def _holds_text(data: Any) -> bool:
    first = data[0] if isinstance(data, (list, tuple)) and data else None
    return isinstance(first, str)


def _digest(frame: pd.DataFrame) -> str:
    from tracekit.data.digest import frame_digest

    return frame_digest(frame)
