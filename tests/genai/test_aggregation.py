"""Metrics over the rows: the named aggregations of numbers and bools, counts of strings, and what is left out."""

from __future__ import annotations

import logging
import statistics

import pytest

from tracekit.genai.aggregation import MAX_COUNTED_STRINGS, FeedbackValues, aggregate


def values_of(*items) -> FeedbackValues:
    values = FeedbackValues()
    for item in items:
        values.add(item)
    return values


def test_named_aggregations_of_numbers():
    numbers = [1, 2, 3, 4, 10]
    metrics = aggregate("s", values_of(*numbers), ["min", "max", "mean", "median", "variance", "p90", "p99"])
    assert metrics == pytest.approx({"s/min": 1, "s/max": 10, "s/mean": 4, "s/median": 3,
                                     "s/variance": statistics.pvariance(numbers), "s/p90": 7.6, "s/p99": 9.76})


def test_bools_count_as_zero_and_one():
    assert aggregate("ok", values_of(True, False, True, True), ["mean"]) == {"ok/mean": 0.75}


def test_strings_are_counted_the_most_frequent_first_and_at_most_a_few():
    texts = ["yes"] * 3 + ["no"] + [f"free text {i}" for i in range(MAX_COUNTED_STRINGS + 5)]
    metrics = aggregate("v", values_of(*texts), ["mean"])
    assert metrics["v/count/yes"] == 3 and metrics["v/count/no"] == 1
    assert len(metrics) == MAX_COUNTED_STRINGS
    assert "v/mean" not in metrics


def test_string_values_are_cleaned_for_metric_keys():
    metrics = aggregate("v", values_of("a\nb", "", "x" * 500), ["mean"])
    assert set(metrics) == {"v/count/a_b", "v/count/(empty)", "v/count/" + "x" * 100}


def test_nan_lists_and_dicts_are_not_aggregated():
    metrics = aggregate("v", values_of(float("nan"), [1], {"a": 1}, None, 2.0), ["mean"])
    assert metrics == {"v/mean": 2.0}


def test_a_failing_custom_aggregation_is_left_out_with_a_warning(caplog):
    def broken(values):
        raise ZeroDivisionError("no")

    with caplog.at_level(logging.WARNING, logger="tracekit.genai"):
        metrics = aggregate("v", values_of(1, 2), [broken, "max"])
    assert metrics == {"v/max": 2.0}
    assert "Aggregation 'broken' of 'v' failed" in caplog.text
