"""What a model gives an evaluation: its predictions for the features as one Series (picking the `predictions`
column of a multi-column output), and class probabilities when the model underneath has `predict_proba`."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)


def predictions_of(model: Any, features: pd.DataFrame, column: str | None) -> pd.Series:
    """`model.predict(features)` as a Series of one prediction per row; TracekitException when the output has
    another length, or several columns and `column` does not pick one."""
    output = model.predict(features)
    if isinstance(output, pd.DataFrame):
        output = _one_column(output, column)
    elif isinstance(output, dict):
        output = _one_column(pd.DataFrame(output), column)
    elif isinstance(output, np.ndarray) and output.ndim == 2 and output.shape[1] == 1:
        output = output[:, 0]
    if isinstance(output, pd.Series):
        series = output.reset_index(drop=True)
    elif isinstance(output, np.ndarray) and output.ndim == 1:
        series = pd.Series(output)
    else:
        try:
            series = pd.Series(list(output))
        except TypeError as error:
            raise TracekitException.invalid_parameter_value(
                f"The model's predict returned {type(output).__name__}; evaluate() needs one prediction per row "
                f"(a list, array, Series or DataFrame).") from error
    if len(series) != len(features):
        raise TracekitException.invalid_parameter_value(
            f"The model returned {len(series)} predictions for {len(features)} rows of data.")
    return series.rename("prediction")


def _one_column(output: pd.DataFrame, column: str | None) -> pd.Series:
    if column is not None:
        if column not in output.columns:
            raise TracekitException.invalid_parameter_value(
                f"predictions={column!r} is not a column of the model's output. Its columns: "
                f"{', '.join(map(str, output.columns))}.")
        return output[column]
    if len(output.columns) != 1:
        raise TracekitException.invalid_parameter_value(
            f"The model returned {len(output.columns)} columns ({', '.join(map(str, output.columns))}); pass "
            f"predictions=<column> to say which one holds the predictions.")
    return output.iloc[:, 0]


def probabilities_of(model: Any, features: pd.DataFrame) -> tuple[np.ndarray | None, list[Any] | None]:
    """The class probabilities of the estimator under a loaded model (its `predict_proba`) and their classes, or
    (None, None) when it has none or it fails (logged)."""
    unwrap = getattr(model, "unwrapped_model", None)
    estimator = unwrap() if callable(unwrap) else None
    predict_proba = getattr(estimator, "predict_proba", None)
    classes = getattr(estimator, "classes_", None)
    if not callable(predict_proba) or classes is None:
        return None, None
    try:
        return np.asarray(predict_proba(features)), list(np.asarray(classes).tolist())
    except Exception as error:  # noqa: BLE001 - probabilities are optional: the metrics needing them are skipped
        logger.warning("evaluate: predict_proba of %s failed, so log_loss and the curves are skipped: %s: %s",
                       type(estimator).__name__, type(error).__name__, error)
        return None, None


def sklearn_score(model: Any, features: pd.DataFrame, targets: pd.Series) -> float | None:
    """The scikit-learn estimator's own `score(features, targets)` under a loaded model, or None."""
    unwrap = getattr(model, "unwrapped_model", None)
    estimator = unwrap() if callable(unwrap) else None
    if estimator is None or not type(estimator).__module__.startswith("sklearn"):
        return None
    try:
        return float(estimator.score(features, targets))
    except Exception as error:  # noqa: BLE001 - an optional metric
        logger.warning("evaluate: %s.score failed and is skipped: %s", type(estimator).__name__, error)
        return None
