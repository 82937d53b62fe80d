"""The search grammar for runs, logged models and experiments: their fields, value types and order keys."""

from __future__ import annotations

import pytest

from tracekit.exceptions import InvalidFilterError
from tracekit.store.search.grammar import (
    EXPERIMENT_FIELDS,
    LOGGED_MODEL_FIELDS,
    RUN_FIELDS,
    And,
    Comparison,
    FieldRef,
    OrderKey,
    parse_filter,
    parse_order_keys,
)


def error(filter_string: str, fields=RUN_FIELDS) -> str:
    with pytest.raises(InvalidFilterError) as raised:
        parse_filter(filter_string, fields)
    return str(raised.value)


@pytest.mark.parametrize(("filter_string", "expected"), [
    ("metrics.acc = 1", Comparison(FieldRef("metric", "acc"), "=", 1)),
    ("metric.`val loss` < 0.5", Comparison(FieldRef("metric", "val loss"), "<", 0.5)),
    ("params.lr = '0.1'", Comparison(FieldRef("param", "lr"), "=", "0.1")),
    ("parameters.lr = '0.1'", Comparison(FieldRef("param", "lr"), "=", "0.1")),
    ("tags.s.release = 'x'", Comparison(FieldRef("tag", "s.release"), "=", "x")),
    ("tags.tracekit.parentRunId = 'r'", Comparison(FieldRef("tag", "tracekit.parentRunId"), "=", "r")),
    ("attributes.run_name = 'a'", Comparison(FieldRef("attribute", "run_name"), "=", "a")),
    ("run.status = 'finished'", Comparison(FieldRef("attribute", "status"), "=", "FINISHED")),
    ("created > 5", Comparison(FieldRef("attribute", "start_time"), ">", 5)),
])
def test_run_fields(filter_string: str, expected: Comparison) -> None:
    assert parse_filter(filter_string, RUN_FIELDS) == expected


def test_metrics_take_numbers_and_params_take_strings() -> None:
    assert parse_filter("metrics.acc >= 0.9 AND params.n = '10'", RUN_FIELDS) == And((
        Comparison(FieldRef("metric", "acc"), ">=", 0.9), Comparison(FieldRef("param", "n"), "=", "10")))
    assert "needs a number" in error("metrics.acc = '0.9'")
    assert "needs a quoted string" in error("params.n = 10")
    assert "operator LIKE is not supported" in error("metrics.acc LIKE '1%'")


def test_trace_only_fields_are_unknown_to_runs() -> None:
    for text in ("span.name = 'x'", "metadata.k = 'v'", "timestamp_ms > 1"):
        assert "unknown field" in error(text)


def test_model_and_experiment_fields() -> None:
    assert parse_filter("source_run_id='abc'", LOGGED_MODEL_FIELDS) == Comparison(
        FieldRef("attribute", "source_run_id"), "=", "abc")
    assert parse_filter("creation_timestamp > 5", LOGGED_MODEL_FIELDS) == Comparison(
        FieldRef("attribute", "creation_time"), ">", 5)
    assert "Valid values: PENDING, READY, FAILED" in error("status = 'OK'", LOGGED_MODEL_FIELDS)
    assert "unknown field 'params.x'" in error("params.x = 'y'", EXPERIMENT_FIELDS)
    message = error("colour = 'x'", EXPERIMENT_FIELDS)
    assert "name" in message and "last_update_time" in message and "tags.<key>" in message


def test_order_keys_from_clauses() -> None:
    assert parse_order_keys(["metrics.`val loss` DESC", "params.lr", "start_time asc"], RUN_FIELDS) == [
        OrderKey(FieldRef("metric", "val loss"), False),
        OrderKey(FieldRef("param", "lr"), True),
        OrderKey(FieldRef("attribute", "start_time"), True),
    ]
    assert parse_order_keys("tags.s.release DESC", RUN_FIELDS) == [OrderKey(FieldRef("tag", "s.release"), False)]


def test_order_keys_from_dicts() -> None:
    assert parse_order_keys([{"field_name": "metrics.accuracy", "ascending": False},
                             {"field_name": "creation_time"}], LOGGED_MODEL_FIELDS) == [
        OrderKey(FieldRef("metric", "accuracy"), False),
        OrderKey(FieldRef("attribute", "creation_time"), True),
    ]


@pytest.mark.parametrize(("order_by", "message"), [
    (["colour"], "cannot order by 'colour'"),
    (["metrics.a DOWN"], "unknown direction 'DOWN'"),
    (["run_name ASC extra"], "Give one clause per list item"),
    ([""], "it is empty"),
    ([{"field_name": "nope"}], "cannot order by 'nope'"),
    ([{"name": "x"}], "Invalid order_by entry"),
    ([7], "must be strings"),
])
def test_order_key_errors(order_by, message: str) -> None:
    with pytest.raises(InvalidFilterError, match=message):
        parse_order_keys(order_by, RUN_FIELDS)


def test_experiments_cannot_be_ordered_by_tags() -> None:
    with pytest.raises(InvalidFilterError, match="cannot order by 'tags.k'"):
        parse_order_keys(["tags.k"], EXPERIMENT_FIELDS)
