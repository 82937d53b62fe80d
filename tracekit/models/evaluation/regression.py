"""The default evaluator's regressor metrics, computed with scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.metrics import sample_weights_of


def numeric_values(series: pd.Series, what: str, model_type: str) -> np.ndarray:
    """`series` as floats; TracekitException naming `what` (targets, predictions) when a value is not a number."""
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError) as error:
        sample = next((value for value in series if not isinstance(value, (int, float, np.number))), None)
        raise TracekitException.invalid_parameter_value(
            f"model_type={model_type!r} needs numeric {what}, but they hold {sample!r} "
            f"({type(sample).__name__}).") from error
    if np.isnan(values).any():
        raise TracekitException.invalid_parameter_value(
            f"model_type={model_type!r}: {int(np.isnan(values).sum())} of the {what} are missing (NaN).")
    return values


def regressor_metrics(targets: pd.Series, predictions: pd.Series, config: dict[str, Any]) -> dict[str, float]:
    """example_count, mean_absolute_error, mean_squared_error, root_mean_squared_error, sum_on_target,
    mean_on_target, r2_score, max_error and mean_absolute_percentage_error of `predictions` against `targets`."""
    from sklearn import metrics as sk

    y_true = numeric_values(targets, "targets", "regressor")
    y_pred = numeric_values(predictions, "predictions", "regressor")
    weights = sample_weights_of(config, len(y_true))
    mse = float(sk.mean_squared_error(y_true, y_pred, sample_weight=weights))
    return {
        "example_count": float(len(y_true)),
        "mean_absolute_error": float(sk.mean_absolute_error(y_true, y_pred, sample_weight=weights)),
        "mean_squared_error": mse,
        "root_mean_squared_error": float(np.sqrt(mse)),
        "sum_on_target": float(y_true.sum()),
        "mean_on_target": float(y_true.mean()) if len(y_true) else float("nan"),
        "r2_score": float(sk.r2_score(y_true, y_pred, sample_weight=weights)) if len(y_true) > 1 else float("nan"),
        "max_error": float(sk.max_error(y_true, y_pred)),
        "mean_absolute_percentage_error": float(sk.mean_absolute_percentage_error(y_true, y_pred,
                                                                                  sample_weight=weights)),
    }
