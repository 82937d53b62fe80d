"""Searches of runs, logged models and experiments in SQL: the parsed filter becomes a WHERE condition and the
order keys ORDER BY terms, over the entity's table and its key/value tables (tags, params, latest metrics).

A tag, param or metric comparison is a correlated EXISTS on the key/value table's primary key (owner id, key), so
it costs one index lookup per candidate row, after the cheap conditions (experiment, lifecycle) have applied.
A metric comparison never matches a NaN value. Sorting on a tag, param or metric joins that key's row; rows
without it (or with NaN) sort last in either direction, as do NULL attributes, identically on every database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, and_, case, false, func, literal, or_, select, true
from sqlalchemy.sql import FromClause

from tracekit.constants import LEGACY_RUN_TAG_KEYS
from tracekit.exceptions import InvalidFilterError
from tracekit.store.search.grammar import (
    And,
    Comparison,
    Expr,
    FieldRef,
    FieldSet,
    Or,
    OrderKey,
    parse_filter,
    parse_order_keys,
)
from tracekit.store.sql.database import SqlDatabase
from tracekit.store.sql.schema import (
    experiment_tags,
    experiments,
    latest_metrics,
    logged_model_metrics,
    logged_model_params,
    logged_model_tags,
    logged_models,
    metrics,
    params,
    run_tags,
    runs,
)
from tracekit.store.sql.trace_search import (
    binary_order,
    compare_values,
    decode_page_token,
    encode_page_token,
    fetch_page,
    search_fingerprint,
)
from tracekit.validation import check_max_results, invalid


@dataclass(frozen=True)
class SearchTarget:
    """How the fields of one searchable entity map onto its tables."""

    table: Table
    id_column: Column[Any]
    attributes: Mapping[str, Column[Any]]
    # kind of keyed field ("tag", "param", "metric") -> its table, whose owner column is named like `id_column`
    key_values: Mapping[str, Table]
    default_order: tuple[tuple[str, bool], ...]  # (attribute, ascending)
    # ids compared as numbers where they are numbers ("10" after "9"), as experiment ids are
    numeric_ids: frozenset[str] = frozenset()
    # old tag key -> the name it is stored under now, so filters written for the old name still match
    legacy_tag_keys: Mapping[str, str] = dataclass_field(default_factory=dict)
    # where one column does not identify a row (a model version: name and version), the others, in sort order
    more_id_columns: tuple[Column[Any], ...] = ()
    # compiles metric comparisons in place of the latest-value lookup (logged models searched with `datasets`)
    metric_condition: Callable[[Comparison], ColumnElement[bool]] | None = None

    def stored_key(self, ref: FieldRef) -> str:
        """The key a tag, param or metric field is stored under."""
        return self.legacy_tag_keys.get(ref.key, ref.key) if ref.kind == "tag" else ref.key

    def key_value_table(self, kind: str) -> Table:
        """The table holding fields of `kind`; InvalidFilterError if this entity has none."""
        table = self.key_values.get(kind)
        if table is None:
            raise InvalidFilterError(f"Cannot search {self.table.name} by {kind}s.")
        return table

    @property
    def id_columns(self) -> tuple[Column[Any], ...]:
        """The columns identifying one row: `id_column`, then `more_id_columns`."""
        return (self.id_column, *self.more_id_columns)

    def owned_by_row(self, table: FromClause) -> ColumnElement[bool]:
        """The condition tying a key/value table's rows to the entity row they belong to."""
        return and_(*(table.c[column.name] == column for column in self.id_columns))


RUNS = SearchTarget(
    table=runs,
    id_column=runs.c.run_id,
    attributes={name: runs.c[name] for name in ("run_id", "run_name", "status", "start_time", "end_time",
                                                  "experiment_id", "user_id", "artifact_uri")},
    key_values={"tag": run_tags, "param": params, "metric": latest_metrics},
    default_order=(("start_time", False),),
    numeric_ids=frozenset({"experiment_id"}),
    legacy_tag_keys=LEGACY_RUN_TAG_KEYS,
)

LOGGED_MODELS = SearchTarget(
    table=logged_models,
    id_column=logged_models.c.model_id,
    attributes={name: logged_models.c[name] for name in ("model_id", "name", "model_type", "status",
                                                           "source_run_id", "experiment_id", "creation_time",
                                                           "last_updated_time")},
    key_values={"tag": logged_model_tags, "param": logged_model_params, "metric": logged_model_metrics},
    default_order=(("creation_time", False),),
    numeric_ids=frozenset({"experiment_id"}),
)

def logged_models_on_datasets(datasets: Sequence[Mapping[str, str]]) -> SearchTarget:
    """LOGGED_MODELS where a metric comparison holds when the model's latest point of that metric (largest step,
    then latest time) on one of `datasets` ({"dataset_name", optional "dataset_digest"}) satisfies it."""
    point = metrics.alias("dataset_point")
    newer = metrics.alias("newer_point")
    on_datasets = or_(*(and_(point.c.dataset_name == entry["dataset_name"],
                             *([point.c.dataset_digest == entry["dataset_digest"]]
                               if entry.get("dataset_digest") else []))
                        for entry in datasets))
    superseded = select(literal(1)).where(
        newer.c.model_id == point.c.model_id, newer.c.key == point.c.key,
        newer.c.dataset_name == point.c.dataset_name, newer.c.dataset_digest == point.c.dataset_digest,
        or_(newer.c.step > point.c.step, and_(newer.c.step == point.c.step, newer.c.timestamp > point.c.timestamp)),
    ).exists()

    def condition(comparison: Comparison) -> ColumnElement[bool]:
        return select(literal(1)).where(
            point.c.model_id == logged_models.c.model_id, point.c.key == comparison.field.key, on_datasets,
            point.c.is_nan == false(), compare_values(point.c.value, comparison.op, comparison.value),
            ~superseded).exists()

    return replace(LOGGED_MODELS, metric_condition=condition)


EXPERIMENTS = SearchTarget(
    table=experiments,
    id_column=experiments.c.experiment_id,
    attributes={name: experiments.c[name] for name in ("experiment_id", "name", "creation_time",
                                                         "last_update_time", "artifact_location")},
    key_values={"tag": experiment_tags},
    default_order=(("last_update_time", False),),
    numeric_ids=frozenset({"experiment_id"}),
)


def _compile_comparison(comparison: Comparison, target: SearchTarget) -> ColumnElement[bool]:
    field = comparison.field
    if field.kind == "attribute":
        column = target.attributes.get(field.key)
        if column is None:
            raise InvalidFilterError(f"Unknown attribute {field.key!r} in a {target.table.name} filter.")
        return compare_values(column, comparison.op, comparison.value)
    if field.kind == "metric" and target.metric_condition is not None:
        return target.metric_condition(comparison)
    table = target.key_value_table(field.kind)
    conditions = [target.owned_by_row(table), table.c.key == target.stored_key(field),
                  compare_values(table.c.value, comparison.op, comparison.value)]
    if "is_nan" in table.c:
        conditions.append(table.c.is_nan == false())
    return select(literal(1)).where(*conditions).exists()


def compile_filter(expr: Expr | None, target: SearchTarget) -> ColumnElement[bool]:
    """The WHERE condition on `target.table` that a parsed filter stands for (true for no filter)."""
    if expr is None:
        return true()
    if isinstance(expr, Comparison):
        return _compile_comparison(expr, target)
    if isinstance(expr, And):
        return and_(*(compile_filter(item, target) for item in expr.items))
    if isinstance(expr, Or):
        return or_(*(compile_filter(item, target) for item in expr.items))
    raise InvalidFilterError(f"Unexpected filter node {expr!r}.")


@dataclass
class Ordering:
    """What a search adds to its query to sort: outer joins of key/value rows, and ORDER BY terms."""

    source: FromClause
    terms: list[ColumnElement[Any]]


def _sort_values(column: Column[Any], numeric_id: bool) -> list[ColumnElement[Any]]:
    """What sorts a column's values the same on every database: ids that are numbers by length then text ("9"
    before "10"), other text by code point, anything else as it is."""
    if numeric_id:
        return [func.length(column), binary_order(column)]
    if column.type.python_type is str:
        return [binary_order(column)]
    return [column]


def ordering(order_keys: Sequence[OrderKey], target: SearchTarget) -> Ordering:
    """Joins and ORDER BY terms for `order_keys` (the target's default order when empty), ending with the id so
    that the order is total (the id runs in the direction of the last key)."""
    keys = list(order_keys) or [OrderKey(FieldRef("attribute", name), ascending)
                                for name, ascending in target.default_order]
    source: FromClause = target.table
    terms: list[ColumnElement[Any]] = []
    seen: set[FieldRef] = set()
    for position, key in enumerate(keys):
        if key.field in seen:
            continue
        seen.add(key.field)
        field = key.field
        if field.kind == "attribute":
            column = target.attributes[field.key]
            sort_values = _sort_values(column, field.key in target.numeric_ids)
            missing: ColumnElement[bool] | None = column.is_(None) if column.nullable else None
        else:
            joined = target.key_value_table(field.kind).alias(f"order_{position}")
            source = source.outerjoin(joined, and_(target.owned_by_row(joined),
                                                   joined.c.key == target.stored_key(field)))
            is_metric = "is_nan" in joined.c
            sort_values = [joined.c.value if is_metric else binary_order(joined.c.value)]
            missing = joined.c.value.is_(None)
            if is_metric:
                missing = or_(missing, joined.c.is_nan == true())
        if missing is not None:
            terms.append(case((missing, 1), else_=0).asc())
        terms.extend(value.asc() if key.ascending else value.desc() for value in sort_values)
    last_ascending = keys[-1].ascending
    for id_column in target.id_columns:
        if any(ref.kind == "attribute" and target.attributes.get(ref.key) is id_column for ref in seen):
            continue
        id_terms = _sort_values(id_column, id_column.name in target.numeric_ids)
        terms.extend(term.asc() if last_ascending else term.desc() for term in id_terms)
    return Ordering(source, terms)


def search_page(database: SqlDatabase, target: SearchTarget, fields: FieldSet, scope: Sequence[Any],
                filter_string: str | None, order_by: Sequence[Any] | None, max_results: int | None,
                page_token: str | None, fingerprint: tuple[Any, ...]) -> tuple[list[Any], str | None]:
    """One page of `target.table` rows matching `scope` and the filter, sorted and limited in SQL, and the token of
    the next page (None on the last); pages continue by offset, the token tied to this search by `fingerprint`."""
    check_max_results(max_results)
    expression = parse_filter(filter_string, fields)
    order = ordering(parse_order_keys(order_by, fields), target)
    search_id = search_fingerprint(target.table.name, filter_string, list(order_by or ()), *fingerprint)
    offset = 0
    if page_token:
        offset = decode_page_token(page_token, search_id, [int])[0]
        if offset is None or offset < 0:
            raise invalid(f"Invalid page_token {page_token!r}: pass the token a previous search returned.")
    query = (select(target.table).select_from(order.source)
             .where(*scope, compile_filter(expression, target))
             .order_by(*order.terms).offset(offset))
    with database.reading() as connection:
        rows, more = fetch_page(connection, query, max_results)
    return rows, encode_page_token([offset + len(rows)], search_id) if more else None
