"""Evaluation metrics: `MetricValue` (what a metric function returns), `EvaluationMetric` and `make_metric`, and how
an extra metric's function is called with the evaluation's data.

A metric function takes `predictions` and `targets` (pandas Series), `metrics` (the metrics computed so far, name ->
`MetricValue`) and any other parameter by name: a column of the input data (or of `col_mapping` in the evaluator
config), another metric, or a key of the evaluator config. The older form `eval_fn(eval_df, builtin_metrics)` (a
DataFrame with `prediction` and `target` columns, and a dict of metric values) is recognised by its first parameter's
name, `eval_df`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracekit.exceptions import TracekitException

#: The aggregations computed from per-row scores when a metric returns scores without its own aggregates.
STANDARD_AGGREGATIONS = ("mean", "variance", "p90")


@dataclass
class MetricValue:
    """A metric's result: per-row `scores` and `justifications` (lists as long as the data) and `aggregate_results`
    (aggregation name -> value, e.g. `{"mean": 0.5}`); each part is optional.

    >>> MetricValue(scores=[1, 0, 1], aggregate_results={"mean": 2 / 3})
    """

    scores: list[Any] | None = None
    justifications: list[str] | None = None
    aggregate_results: dict[str, float] | None = None


@dataclass
class EvaluationMetric:
    """A metric computed during `evaluate`: `eval_fn` (see the module docstring for its parameters) returning a
    number or a `MetricValue`, its `name`, and whether `greater_is_better`. Made with `make_metric`."""

    eval_fn: Callable[..., Any]
    name: str
    greater_is_better: bool
    long_name: str | None = None
    version: str | None = None
    metric_details: str | None = None
    metric_metadata: dict[str, Any] | None = None
    genai_metric_args: dict[str, Any] | None = None

    def __str__(self) -> str:
        parts = [f"name={self.name}", f"greater_is_better={self.greater_is_better}"]
        if self.long_name:
            parts.append(f"long_name={self.long_name}")
        if self.version:
            parts.append(f"version={self.version}")
        return f"EvaluationMetric({', '.join(parts)})"

    @property
    def key(self) -> str:
        """The prefix of the metric's names in results: `name`, or `name/version` when it has a version."""
        return f"{self.name}/{self.version}" if self.version else self.name


def make_metric(*, eval_fn: Callable[..., Any], greater_is_better: bool, name: str | None = None,
                long_name: str | None = None, version: str | None = None, metric_details: str | None = None,
                metric_metadata: dict[str, Any] | None = None,
                genai_metric_args: dict[str, Any] | None = None) -> EvaluationMetric:
    """An `EvaluationMetric` for `evaluate(extra_metrics=[...])`. `name` defaults to the function's name (required
    for a lambda).

    >>> def squared_error_sum(predictions, targets, metrics):
    ...     return float(((predictions - targets) ** 2).sum())
    >>> metric = tracekit.models.make_metric(eval_fn=squared_error_sum, greater_is_better=False)
    """
    if not callable(eval_fn):
        raise TracekitException.invalid_parameter_value(
            f"make_metric(eval_fn=...) takes a function, got {type(eval_fn).__name__}.")
    if name is None:
        name = getattr(eval_fn, "__name__", None)
        if not name or name == "<lambda>":
            raise TracekitException.invalid_parameter_value(
                "make_metric() needs name= when eval_fn is a lambda or has no __name__.")
    if not isinstance(name, str) or not name.strip():
        raise TracekitException.invalid_parameter_value(f"make_metric(name=...) must be a non-empty string, got "
                                                        f"{name!r}.")
    if not isinstance(greater_is_better, bool):
        raise TracekitException.invalid_parameter_value(
            f"make_metric(greater_is_better=...) must be True or False, got {greater_is_better!r}.")
    return EvaluationMetric(eval_fn=eval_fn, name=name, greater_is_better=greater_is_better, long_name=long_name,
                            version=version, metric_details=metric_details, metric_metadata=metric_metadata,
                            genai_metric_args=genai_metric_args)


def sample_weights_of(config: Mapping[str, Any], count: int) -> Any:
    """`evaluator_config["sample_weights"]` (None when absent); TracekitException unless one weight per row."""
    weights = config.get("sample_weights")
    if weights is not None and len(weights) != count:
        raise TracekitException.invalid_parameter_value(
            f"evaluator_config['sample_weights'] has {len(weights)} weights for {count} rows.")
    return weights


def aggregate_scores(scores: list[Any]) -> dict[str, float]:
    """The standard aggregations (mean, variance, 90th percentile) of the numeric scores, ignoring missing ones."""
    numbers = [float(score) for score in scores
               if isinstance(score, (int, float, np.integer, np.floating)) and not isinstance(score, bool)
               and not math.isnan(float(score))]
    if not numbers:
        return {}
    values = np.asarray(numbers, dtype=float)
    return {"mean": float(values.mean()), "variance": float(values.var()), "p90": float(np.percentile(values, 90))}


def metric_value_of(value: Any, key: str) -> MetricValue:
    """A metric function's return value as a `MetricValue` (a bare number is its one aggregate, named `key`)."""
    if isinstance(value, MetricValue):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return MetricValue(aggregate_results={key: float(value)})
    raise TypeError(f"it returned {type(value).__name__}; a metric function returns a number or a MetricValue")


def flatten_metric(key: str, value: MetricValue) -> dict[str, float]:
    """The scalar metrics `value` contributes to the results: `key` for a bare number, `key/<aggregation>` for
    each other aggregate (the standard ones computed from the scores when the function gave none)."""
    aggregates = value.aggregate_results
    if aggregates is None and value.scores is not None:
        aggregates = aggregate_scores(list(value.scores))
    return {(key if agg == key else f"{key}/{agg}"): float(result) for agg, result in (aggregates or {}).items()
            if result is not None}


@dataclass
class MetricInputs:
    """What a metric function can be called with: the evaluation's rows (`input_df` features plus `target` and
    `prediction` columns), the evaluator config and the metrics so far."""

    predictions: pd.Series
    targets: pd.Series | None
    input_df: pd.DataFrame
    evaluator_config: Mapping[str, Any]
    metrics: dict[str, MetricValue]


def compute_metric(metric: EvaluationMetric, inputs: MetricInputs) -> MetricValue:
    """Run `metric.eval_fn` with the arguments its signature asks for; TracekitException naming the metric when
    an argument cannot be found, when it raises, or when it returns something else than a number or MetricValue."""
    try:
        parameters = list(inspect.signature(metric.eval_fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    if parameters and parameters[0].name == "eval_df":
        call = _legacy_call(metric, inputs, len(parameters))
    else:
        kwargs = {parameter.name: _argument(metric, parameter, inputs) for parameter in parameters
                  if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)}
        kwargs = {name: value for name, value in kwargs.items() if value is not _SKIP}

        def call() -> Any:
            return metric.eval_fn(**kwargs)
    try:
        returned = call()
    except TracekitException:
        raise
    except Exception as error:
        raise TracekitException.invalid_parameter_value(
            f"The extra metric {metric.name!r} raised {type(error).__name__}: {error}") from error
    try:
        value = metric_value_of(returned, metric.key)
    except TypeError as error:
        raise TracekitException.invalid_parameter_value(f"The extra metric {metric.name!r}: {error}.") from error
    count = len(inputs.predictions)
    for part in ("scores", "justifications"):
        rows = getattr(value, part)
        if rows is not None and len(rows) != count:
            raise TracekitException.invalid_parameter_value(
                f"The extra metric {metric.name!r} returned {len(rows)} {part} for {count} rows.")
    return value


_SKIP = object()


def _argument(metric: EvaluationMetric, parameter: inspect.Parameter, inputs: MetricInputs) -> Any:
    name = parameter.name
    if name == "predictions":
        return inputs.predictions
    if name == "targets":
        return inputs.targets
    if name == "metrics":
        return inputs.metrics
    column = inputs.evaluator_config.get("col_mapping", {}).get(name, name)
    if isinstance(column, str) and column in inputs.input_df.columns:
        return inputs.input_df[column]
    if name in inputs.metrics:
        return inputs.metrics[name]
    if name in inputs.evaluator_config:
        return inputs.evaluator_config[name]
    if parameter.default is not parameter.empty:
        return _SKIP
    raise TracekitException.invalid_parameter_value(
        f"The extra metric {metric.name!r} asks for {name!r}, which is neither a column of the data "
        f"({', '.join(map(str, inputs.input_df.columns))}), a metric computed before it, nor a key of "
        f"evaluator_config. Add the column, map it with evaluator_config={{'col_mapping': {{{name!r}: "
        f"'<column>'}}}}, or give the parameter a default.")


def _legacy_call(metric: EvaluationMetric, inputs: MetricInputs, arity: int) -> Callable[[], Any]:
    eval_df = pd.DataFrame({"prediction": inputs.predictions.to_numpy()})
    if inputs.targets is not None:
        eval_df["target"] = inputs.targets.to_numpy()
    builtin = {name: next(iter(value.aggregate_results.values()))
               for name, value in inputs.metrics.items() if value.aggregate_results}
    return lambda: metric.eval_fn(eval_df, builtin) if arity >= 2 else metric.eval_fn(eval_df)
