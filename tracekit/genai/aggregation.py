"""Metrics over the rows of an evaluation: for each feedback name, the scorer's aggregations of its numeric values
(bools count as 0 and 1) and counts of its string values, plus how many rows each scorer failed on."""

from __future__ import annotations

import logging
import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from tracekit.genai.scorers import Aggregation

logger = logging.getLogger(__name__)

#: At most this many distinct string values are counted per feedback name (the most frequent); free text would
#: otherwise make one metric per row.
MAX_COUNTED_STRINGS = 20
_MAX_VALUE_IN_KEY = 100


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


_NAMED: dict[str, Callable[[list[float]], float]] = {
    "min": min,
    "max": max,
    "mean": statistics.fmean,
    "median": statistics.median,
    "variance": lambda values: statistics.pvariance(values) if values else math.nan,
    "p90": lambda values: _percentile(values, 0.90),
    "p99": lambda values: _percentile(values, 0.99),
}


class FeedbackValues:
    """The values one feedback name got over the rows, kept by kind (numbers and bools together, strings apart)."""

    __slots__ = ("numbers", "strings")

    def __init__(self) -> None:
        self.numbers: list[float] = []
        self.strings: Counter[str] = Counter()

    def add(self, value: Any) -> None:
        """Count one row's value; values that are neither numbers, bools nor strings (lists, dicts, None) are not
        aggregated."""
        if isinstance(value, bool):
            self.numbers.append(1.0 if value else 0.0)
        elif isinstance(value, (int, float)):
            if not (isinstance(value, float) and math.isnan(value)):
                self.numbers.append(float(value))
        elif isinstance(value, str):
            self.strings[value] += 1


def aggregate(name: str, values: FeedbackValues, aggregations: Sequence[Aggregation]) -> dict[str, float]:
    """`<name>/<aggregation>` for each aggregation of the numeric values, `<name>/count/<string>` for the most
    frequent string values. An aggregation function that raises is logged and left out."""
    metrics: dict[str, float] = {}
    if values.numbers:
        for aggregation in aggregations:
            label = aggregation if isinstance(aggregation, str) else getattr(aggregation, "__name__", "custom")
            function = _NAMED[aggregation] if isinstance(aggregation, str) else aggregation
            try:
                metrics[f"{name}/{label}"] = float(function(list(values.numbers)))
            except Exception as exc:  # noqa: BLE001 - a user's aggregation failing costs one metric, not the run
                logger.warning("Aggregation %r of %r failed and was left out: %s", label, name, exc)
    for text, count in values.strings.most_common(MAX_COUNTED_STRINGS):
        key = f"{name}/count/{_key_part(text)}"
        metrics[key] = metrics.get(key, 0.0) + count  # two values may clean to the same key
    return metrics


def _key_part(text: str) -> str:
    """A string value as part of a metric key: printable, at most _MAX_VALUE_IN_KEY characters."""
    cleaned = "".join(c if c.isprintable() else "_" for c in text.strip()) or "(empty)"
    return cleaned[:_MAX_VALUE_IN_KEY]
