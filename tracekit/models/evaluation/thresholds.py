"""Model validation: `MetricThreshold` (what a metric must reach, alone or against a baseline model) and
`validate_evaluation_results`, which checks every threshold and raises `ModelValidationFailedException` listing each
one that failed."""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping
from typing import Any

from tracekit.exceptions import ModelValidationFailedException, TracekitException
from tracekit.models.evaluation.result import EvaluationResult

logger = logging.getLogger(__name__)

# With a baseline value of 0 a relative change means nothing: the candidate only has to be better by this much.
_ZERO_BASELINE_MARGIN = 1e-10


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        raise TracekitException.invalid_parameter_value(f"MetricThreshold {what} must be a number, got {value!r}.")
    return float(value)


class MetricThreshold:
    """What one metric must reach for a model to pass validation.

    - `threshold`: the value must be >= threshold (<= when lower is better);
    - `min_absolute_change`: a positive number; the value must beat the baseline model's by at least this much;
    - `min_relative_change`: between 0 and 1; the value must beat the baseline's by this fraction of it (a baseline
      of 0: simply better);
    - `greater_is_better` (required): whether higher values are better (`higher_is_better` is its old name).

    >>> MetricThreshold(threshold=0.8, min_absolute_change=0.05, greater_is_better=True)
    """

    def __init__(self, threshold: float | None = None, min_absolute_change: float | None = None,
                 min_relative_change: float | None = None, greater_is_better: bool | None = None,
                 higher_is_better: bool | None = None) -> None:
        if higher_is_better is not None:
            warnings.warn("MetricThreshold(higher_is_better=...) is deprecated; use greater_is_better=.",
                          FutureWarning, stacklevel=2)
            if greater_is_better is None:
                greater_is_better = higher_is_better
        if not isinstance(greater_is_better, bool):
            raise TracekitException.invalid_parameter_value(
                f"MetricThreshold needs greater_is_better=True or False (whether higher values of the metric are "
                f"better), got {greater_is_better!r}.")
        self.threshold = _number(threshold, "threshold")
        self.min_absolute_change = _number(min_absolute_change, "min_absolute_change")
        self.min_relative_change = _number(min_relative_change, "min_relative_change")
        if self.min_absolute_change is not None and self.min_absolute_change <= 0:
            raise TracekitException.invalid_parameter_value(
                f"MetricThreshold min_absolute_change must be a positive number, got {min_absolute_change!r}.")
        if self.min_relative_change is not None and not 0 < self.min_relative_change < 1:
            raise TracekitException.invalid_parameter_value(
                f"MetricThreshold min_relative_change must be between 0 and 1 (a fraction of the baseline value), "
                f"got {min_relative_change!r}.")
        self.greater_is_better = greater_is_better

    @property
    def higher_is_better(self) -> bool:
        """Deprecated name of `greater_is_better`."""
        return self.greater_is_better

    def __repr__(self) -> str:
        return (f"MetricThreshold(threshold={self.threshold}, min_absolute_change={self.min_absolute_change}, "
                f"min_relative_change={self.min_relative_change}, greater_is_better={self.greater_is_better})")

    def failures(self, name: str, candidate: float, baseline: float | None) -> list[str]:
        """One line per check that `candidate` (the value of metric `name`) fails; the change checks are skipped
        when `baseline` is None."""
        better = ">=" if self.greater_is_better else "<="
        sign = 1.0 if self.greater_is_better else -1.0
        failed = []
        if self.threshold is not None and not _meets(candidate, self.threshold, self.greater_is_better):
            failed.append(f"{name}: the candidate's value {candidate} is not {better} the threshold {self.threshold}")
        if baseline is None:
            return failed
        if self.min_absolute_change is not None:
            required = baseline + sign * self.min_absolute_change
            if not _meets(candidate, required, self.greater_is_better):
                failed.append(f"{name}: the candidate's value {candidate} is not {better} {required} (the baseline's "
                              f"{baseline} {'+' if sign > 0 else '-'} min_absolute_change {self.min_absolute_change})")
        if self.min_relative_change is not None:
            if baseline == 0:
                required = sign * _ZERO_BASELINE_MARGIN
                rule = "better than the baseline's 0"
            else:
                required = baseline * (1 + sign * self.min_relative_change)
                rule = (f"the baseline's {baseline} * (1 {'+' if sign > 0 else '-'} min_relative_change "
                        f"{self.min_relative_change})")
            if not _meets(candidate, required, self.greater_is_better):
                failed.append(f"{name}: the candidate's value {candidate} is not {better} {required} ({rule})")
        return failed


def _meets(value: float, required: float, greater_is_better: bool) -> bool:
    return value >= required if greater_is_better else value <= required


def validate_evaluation_results(validation_thresholds: Mapping[str, MetricThreshold],
                                candidate_result: EvaluationResult,
                                baseline_result: EvaluationResult | None = None) -> None:
    """Check `candidate_result`'s metrics against `validation_thresholds` (metric name -> `MetricThreshold`), and
    against `baseline_result`'s for the change thresholds; ModelValidationFailedException listing every failed
    check (a metric missing from a result is a failure too). Without `baseline_result`, the baseline metrics are
    those `evaluate(baseline_model=...)` stored on the candidate result; without either only `threshold` is checked.

    >>> validate_evaluation_results({"accuracy_score": MetricThreshold(threshold=0.8, greater_is_better=True)},
    ...                             candidate_result)
    """
    if not isinstance(validation_thresholds, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"validation_thresholds must be a dict of metric name -> MetricThreshold, got "
            f"{type(validation_thresholds).__name__}.")
    for name, threshold in validation_thresholds.items():
        if not isinstance(threshold, MetricThreshold):
            raise TracekitException.invalid_parameter_value(
                f"validation_thresholds[{name!r}] must be a MetricThreshold, got {type(threshold).__name__}.")
    if not isinstance(candidate_result, EvaluationResult):
        raise TracekitException.invalid_parameter_value(
            f"candidate_result must be the EvaluationResult of evaluate(), got {type(candidate_result).__name__}.")
    baseline_metrics = _baseline_metrics(baseline_result)
    if baseline_metrics is None:
        baseline_metrics = candidate_result.baseline_model_metrics  # evaluate(baseline_model=...) kept them
    if baseline_metrics is None and any(t.min_absolute_change is not None or t.min_relative_change is not None
                                        for t in validation_thresholds.values()):
        logger.warning("validate_evaluation_results: no baseline result, so min_absolute_change and "
                       "min_relative_change are not checked.")
    failures: list[str] = []
    for name, threshold in validation_thresholds.items():
        candidate = candidate_result.metrics.get(name)
        if candidate is None:
            failures.append(f"{name}: the candidate result has no such metric (it has: "
                            f"{', '.join(sorted(candidate_result.metrics)) or 'none'})")
            continue
        baseline = None
        if baseline_metrics is not None and (threshold.min_absolute_change is not None
                                             or threshold.min_relative_change is not None):
            baseline = baseline_metrics.get(name)
            if baseline is None:
                failures.append(f"{name}: the baseline result has no such metric, so the change thresholds cannot "
                                f"be checked")
        failures.extend(threshold.failures(name, float(candidate), None if baseline is None else float(baseline)))
    if failures:
        listed = "\n".join(f"  - {line}" for line in failures)
        raise ModelValidationFailedException(
            f"Model validation failed: {len(failures)} threshold check(s) not met:\n{listed}", failures)


def _baseline_metrics(baseline_result: EvaluationResult | None) -> dict[str, Any] | None:
    if baseline_result is None:
        return None
    if not isinstance(baseline_result, EvaluationResult):
        raise TracekitException.invalid_parameter_value(
            f"baseline_result must be the EvaluationResult of evaluate(), got {type(baseline_result).__name__}.")
    return baseline_result.metrics
