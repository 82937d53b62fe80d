"""Turns the search grammar's AST into SQLAlchemy expressions over the store's tables, and pages with keysets.

Every value reaches the database as a bound parameter. Tags, metadata and span fields become correlated EXISTS
subqueries scoped by trace id, so they are checked only for traces the cheap trace_info conditions (experiment,
time, run, model) let through. A tag or metadata comparison needs the key to be present: `tags.env != 'prod'`
matches traces whose env tag has another value, not traces without an env tag (as in SQL).

`feedback.<name>` and `expectation.<name>` check a trace's assessments of that name: strings and booleans against
the stored canonical JSON of the value, numbers against its numeric copy (so 1 equals 1.0 and `<`, `>` order
numerically). `!=` and NOT IN match an assessment with a value that differs in value or type; one without a value
(a failed judge) matches no comparison.

LIKE is case-sensitive on every database (SQLite runs with `case_sensitive_like`, MySQL tables use a binary
collation); ILIKE compares case-insensitively; `\\` escapes `%` and `_` in patterns.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, Table, and_, func, literal, not_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracekit.exceptions import InvalidFilterError
from tracekit.store.assessment_checks import value_json
from tracekit.store.search.grammar import ASSESSMENT_KINDS, And, Comparison, Expr, Or, OrderBy
from tracekit.store.sql.schema import assessments, spans, trace_info, trace_metadata, trace_tags

LIKE_ESCAPE = "\\"

_ATTRIBUTE_COLUMNS = {
    "trace_id": trace_info.c.trace_id,
    "timestamp_ms": trace_info.c.request_time,
    "execution_time_ms": trace_info.c.execution_duration,
    "status": trace_info.c.state,
    "name": trace_info.c.root_span_name,
    "run_id": trace_info.c.run_id,
    "model_id": trace_info.c.model_id,
    "client_request_id": trace_info.c.client_request_id,
}
_SPAN_COLUMNS = {"name": spans.c.name, "type": spans.c.span_type, "status": spans.c.status}

class binary_order(FunctionElement):  # noqa: N801 - named like the SQL functions it sits among
    """A string expression compared by code point on every database.

    SQLite and the MySQL tables (utf8mb4_bin) already compare that way; PostgreSQL follows the database's locale
    (en_US puts 'other' between 'Root' and 'root'), so there it gets COLLATE "C".
    """

    type = String()
    inherit_cache = True


@compiles(binary_order)
def _binary_order_default(element: binary_order, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(binary_order, "postgresql")
def _binary_order_postgresql(element: binary_order, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


# NULLs sort first on SQLite and MySQL but last on PostgreSQL; sorting on non-null stand-ins keeps the order, and
# the keyset comparisons that page through it, the same everywhere.
_ORDER_EXPRESSIONS: dict[str, ColumnElement[Any]] = {
    "timestamp_ms": trace_info.c.request_time,
    "execution_time_ms": func.coalesce(trace_info.c.execution_duration, -1),
    "status": trace_info.c.state,
    "name": binary_order(func.coalesce(trace_info.c.root_span_name, "")),
    "trace_id": trace_info.c.trace_id,
}
DEFAULT_ORDER = (OrderBy("timestamp_ms", ascending=False),)

_OPERATORS: dict[str, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    "=": lambda column, value: column == value,
    "!=": lambda column, value: column != value,
    "<": lambda column, value: column < value,
    "<=": lambda column, value: column <= value,
    ">": lambda column, value: column > value,
    ">=": lambda column, value: column >= value,
    "LIKE": lambda column, value: column.like(value, escape=LIKE_ESCAPE),
    "ILIKE": lambda column, value: column.ilike(value, escape=LIKE_ESCAPE),
    "IN": lambda column, value: column.in_(list(value)),
    "NOT IN": lambda column, value: column.not_in(list(value)),
}


def compare_values(column: ColumnElement[Any], op: str, value: Any) -> ColumnElement[bool]:
    """`column <op> value` for one comparison of a parsed filter (the value bound as a parameter)."""
    try:
        return _OPERATORS[op](column, value)
    except KeyError:
        raise InvalidFilterError(f"Unsupported operator {op!r} in a filter.") from None


def _key_value_exists(table: Table, comparison: Comparison) -> ColumnElement[bool]:
    return (
        select(literal(1))
        .where(table.c.trace_id == trace_info.c.trace_id, table.c.key == comparison.field.key,
               compare_values(table.c.value, comparison.op, comparison.value))
        .exists()
    )


def _assessment_equals(values: Sequence[Any]) -> ColumnElement[bool]:
    """The assessment's value equals one of `values` (strings, booleans, numbers), never NULL."""
    texts = [value_json(value) for value in values if isinstance(value, (str, bool))]
    numbers = [float(value) for value in values if not isinstance(value, (str, bool))]
    tests = []
    if texts:
        tests.append(and_(assessments.c.value.is_not(None), assessments.c.value.in_(texts)))
    if numbers:
        tests.append(and_(assessments.c.value_number.is_not(None), assessments.c.value_number.in_(numbers)))
    return or_(*tests)


def _assessment_exists(comparison: Comparison) -> ColumnElement[bool]:
    op, value = comparison.op, comparison.value
    values = list(value) if isinstance(value, tuple) else [value]
    if op in ("=", "IN"):
        condition = _assessment_equals(values)
    elif op in ("!=", "NOT IN"):
        condition = and_(assessments.c.value.is_not(None), not_(_assessment_equals(values)))
    else:
        condition = compare_values(assessments.c.value_number, op, float(value))  # type: ignore[arg-type]
    return (
        select(literal(1))
        .where(assessments.c.trace_id == trace_info.c.trace_id, assessments.c.kind == comparison.field.kind,
               assessments.c.name == comparison.field.key, condition)
        .exists()
    )


def _compile_comparison(comparison: Comparison) -> ColumnElement[bool]:
    field = comparison.field
    if field.kind == "attribute":
        column = _ATTRIBUTE_COLUMNS.get(field.key)
        if column is None:
            raise InvalidFilterError(f"Unknown trace attribute {field.key!r} in a trace filter.")
        return compare_values(column, comparison.op, comparison.value)
    if field.kind == "tag":
        return _key_value_exists(trace_tags, comparison)
    if field.kind == "metadata":
        return _key_value_exists(trace_metadata, comparison)
    if field.kind in ASSESSMENT_KINDS:
        return _assessment_exists(comparison)
    if field.kind == "span":
        column = _SPAN_COLUMNS.get(field.key)
        if column is None:
            raise InvalidFilterError(f"Unknown span field {field.key!r} in a trace filter.")
        return (
            select(literal(1))
            .where(spans.c.trace_id == trace_info.c.trace_id, compare_values(column, comparison.op, comparison.value))
            .exists()
        )
    raise InvalidFilterError(f"Unknown field kind {field.kind!r} in a trace filter.")


def compile_filter(expr: Expr) -> ColumnElement[bool]:
    """The WHERE condition on `trace_info` that a parsed filter stands for."""
    if isinstance(expr, Comparison):
        return _compile_comparison(expr)
    if isinstance(expr, And):
        return and_(*(compile_filter(item) for item in expr.items))
    if isinstance(expr, Or):
        return or_(*(compile_filter(item) for item in expr.items))
    raise InvalidFilterError(f"Unexpected filter node {expr!r}.")


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: the expression sorted on, its direction, and the label its value is selected under."""

    expression: ColumnElement[Any]
    ascending: bool
    label: str

    def clause(self) -> ColumnElement[Any]:
        """The ORDER BY clause."""
        return self.expression.asc() if self.ascending else self.expression.desc()


def sort_keys(order_by: Sequence[OrderBy]) -> list[SortKey]:
    """Sort keys for `order_by` (default: newest first), ending with trace_id so that the order is total.

    The trace_id tie-breaker runs in the direction of the last key, so that the default order is one backward
    scan of the (experiment_id, request_time, trace_id) index.
    """
    clauses = list(order_by) or list(DEFAULT_ORDER)
    seen: set[str] = set()
    keys: list[SortKey] = []
    for clause in clauses:
        if clause.field in seen:
            continue
        seen.add(clause.field)
        expression = _ORDER_EXPRESSIONS.get(clause.field)
        if expression is None:
            raise InvalidFilterError(f"Cannot order traces by {clause.field!r}.")
        keys.append(SortKey(expression, clause.ascending, f"_sort_{len(keys)}"))
    if "trace_id" not in seen:
        keys.append(SortKey(trace_info.c.trace_id, keys[-1].ascending, f"_sort_{len(keys)}"))
    return keys


def after_keyset(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that sort strictly after the row whose sort-key values are `values`."""
    alternatives = []
    for position, key in enumerate(keys):
        equal_before = [keys[i].expression == values[i] for i in range(position)]
        beyond = key.expression > values[position] if key.ascending else key.expression < values[position]
        alternatives.append(and_(*equal_before, beyond))
    return or_(*alternatives)


def search_fingerprint(*parts: Any) -> str:
    """A short digest of a search's parameters, stored in its page tokens to catch a token reused elsewhere."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fetch_page(connection: Connection, query: Select[Any], max_results: int | None) -> tuple[list[Row[Any]], bool]:
    """The rows of `query`, at most `max_results` (None: all), and whether more follow: one row more than the page
    is asked for, so telling costs no second query."""
    if max_results is None:
        return list(connection.execute(query).all()), False
    rows = list(connection.execute(query.limit(max_results + 1)).all())
    return rows[:max_results], len(rows) > max_results


def encode_page_token(values: Sequence[Any], fingerprint: str) -> str:
    """An opaque token resuming a search after the row with these sort-key values."""
    payload = json.dumps({"after": list(values), "search": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")


def decode_page_token(token: str, fingerprint: str, value_types: Sequence[type]) -> list[Any]:
    """The sort-key values in `token`, one of each of `value_types` (or null); InvalidFilterError if it is
    malformed, forged or belongs to another search."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        values = payload["after"]
        search = payload["search"]
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeError) as error:
        raise InvalidFilterError(f"Invalid page_token {token[:100]!r}: pass the token a previous search returned."
                                 ) from error
    if search != fingerprint or not isinstance(values, list) or len(values) != len(value_types):
        raise InvalidFilterError(
            "This page_token belongs to a different search: page with the same experiment_ids, filter_string, "
            "order_by, run_id and model_id as the search that returned it.")
    # The fingerprint is no secret: a forged token can carry any JSON, which must not reach the database.
    if not all(_is_token_value(value, kind) for value, kind in zip(values, value_types, strict=True)):
        raise InvalidFilterError(f"Invalid page_token {token[:100]!r}: pass the token a previous search returned.")
    return values


def _is_token_value(value: Any, kind: type) -> bool:
    if value is None:
        return True
    if kind is int:
        return type(value) is int and -(2**63) <= value < 2**63
    if kind is str:
        return isinstance(value, str) and "\x00" not in value and not any(
            "\ud800" <= character <= "\udfff" for character in value)
    return isinstance(value, kind) and not isinstance(value, bool)


def token_value_type(key: SortKey) -> type:
    """The Python type of a sort key's values, as its page tokens must carry them."""
    try:
        return key.expression.type.python_type
    except NotImplementedError:
        return str
