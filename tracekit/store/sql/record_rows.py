"""A search's records read as one row per trace, on SQLite and PostgreSQL: the trace_info columns, then the trace's
tags and its metadata as JSON objects, then (when spans are asked for) its span texts joined into one text, in
`TraceData` order, with a flag per span telling whether it has a parent. Each of these is a correlated scalar
subquery, an index search on the table's primary key, so the database hands over one row per trace and Python
groups nothing.

MySQL/MariaDB keep reading the tag, metadata and span rows of a chunk of traces with `IN (...)` queries
(`SqlTraceStore._records`): GROUP_CONCAT cuts its result at `group_concat_max_len`.

The span texts are joined with `SPAN_SEPARATOR`, a control character, which JSON text never holds raw, so it cannot be
confused with a span's own text. A stored text that is not JSON is handed over as it is and fails when decoded, as
before (one holding a raw separator, which no JSON writer makes, is split in two: both parts fail to decode).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Select, Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.elements import ColumnElement

from tracekit.entities.assessment import Assessment
from tracekit.store.sql.rows_by_id import rows_by_id
from tracekit.store.sql.schema import spans, trace_metadata, trace_tags
from tracekit.store.sql.trace_rows import INFO_COLUMNS, trace_info_fields
from tracekit.store.trace_records import SPAN_SEPARATOR, TraceRecord, root_position

# The dialects whose searches read one row per trace.
ONE_ROW_DIALECTS = frozenset({"sqlite", "postgresql"})


def span_order(table: Any, dialect: str) -> list[ColumnElement[Any]]:
    """The ORDER BY list of one trace's span rows in `span_order` (end time, running spans last, then latest
    start, then span id compared as Python compares text: PostgreSQL's "C" collation, MySQL's binary one)."""
    span_id: ColumnElement[Any] = table.c.span_id.collate("C") if dialect == "postgresql" else table.c.span_id
    return [table.c.end_time_ns.is_(None), table.c.end_time_ns, table.c.start_time_ns.desc(), span_id]


@functools.lru_cache(maxsize=8)
def span_order_sql(dialect: Dialect) -> str:
    """ORDER BY list putting each trace's span rows together, each trace's in `span_order`, as SQL text for
    `rows_by_id`. Sorting in the database saves a Python tuple and sort per span when a search loads many traces."""
    clauses = span_order(spans, dialect.name)
    return ", ".join(["trace_id", *(str(clause.compile(dialect=dialect)) for clause in clauses)])


def with_records(page: Select[Any], limit: int | None, dialect: str, include_spans: bool,
                 sort_keys: Sequence[tuple[str, bool]]) -> Select[Any]:
    """A search's rows: the first `limit` (None: all) of `page` (the `INFO_COLUMNS` then the sort keys, sorted),
    in its order, with the `record_columns` between. The record columns are computed after `page` is sorted and
    cut: made beside the trace_info columns they would be sorted with them, every span text copied through the
    sort. `sort_keys`: each key's label and whether it ascends."""
    if limit is not None:
        page = page.limit(limit)
    elif dialect == "postgresql":
        page = page.offset(0)  # else PostgreSQL pulls the subquery up into this query, and sorts after all
    rows = page.subquery("page")
    query = select(*(rows.c[name] for name in INFO_COLUMNS), *record_columns(dialect, include_spans, rows.c.trace_id),
                   *(rows.c[label] for label, _ in sort_keys))
    if dialect == "postgresql":
        # PostgreSQL keeps the subquery's order only when asked, and knows it need not sort again for it; SQLite
        # scans the subquery in its order (a co-routine), and an ORDER BY here would sort everything again.
        query = query.order_by(*(rows.c[label].asc() if ascending else rows.c[label].desc()
                                 for label, ascending in sort_keys))
    return query


def record_columns(dialect: str, include_spans: bool, trace_id: Any) -> list[Any]:
    """The columns that follow the trace_info ones in a search's rows: tags, metadata and, if `include_spans`, the
    joined span texts (see `_joined_span_texts`) of the trace whose id is `trace_id` (a column of the enclosing
    query). Each is NULL for a trace without any."""
    columns = [_json_object(trace_tags, dialect, trace_id), _json_object(trace_metadata, dialect, trace_id)]
    if include_spans:
        columns.append(_joined_span_texts(dialect, trace_id))
    return columns


def _json_object(table: Any, dialect: str, trace_id: Any) -> Any:
    rows = table.alias()
    if dialect == "postgresql":
        aggregate: Any = cast(func.json_object_agg(rows.c.key, rows.c.value), Text)
    else:
        aggregate = func.json_group_object(rows.c.key, rows.c.value)
    return select(aggregate).where(rows.c.trace_id == trace_id).scalar_subquery()


def _joined_span_texts(dialect: str, trace_id: Any) -> Any:
    """The trace's span texts in `TraceData` order as one text: a flag per span, "1" for a span without a parent
    and "0" for the others, then `SPAN_SEPARATOR`, then the texts separated by it (NULL for a trace without spans).
    The flags tell the count and the root cheaply, and the texts need no marker removed."""
    rows = spans.alias()
    parentless = case((rows.c.parent_span_id.is_(None), literal("1", Text)), else_=literal("0", Text))
    separator = literal(SPAN_SEPARATOR, Text)
    order = span_order(rows, dialect)
    if dialect == "postgresql":
        # the ORDER BY goes inside the call after the last argument: `string_agg(text, separator ORDER BY ...)`
        flags = func.string_agg(parentless, aggregate_order_by(literal("", Text), *order), type_=Text)
        texts = func.string_agg(rows.c.content, aggregate_order_by(separator, *order), type_=Text)
        return select(flags + separator + texts).where(rows.c.trace_id == trace_id).scalar_subquery()
    # SQLite (before 3.44) has no ORDER BY inside an aggregate; it keeps an ordered subquery's order when it
    # aggregates over it (a subquery with ORDER BY under an aggregate is never flattened).
    ordered = (select(rows.c.content, parentless.label("parentless")).where(rows.c.trace_id == trace_id)
               .order_by(*order).correlate(trace_id.table).subquery())
    flags = func.group_concat(ordered.c.parentless, literal("", Text), type_=Text)
    texts = func.group_concat(ordered.c.content, separator, type_=Text)
    return select(flags + separator + texts).scalar_subquery()


def records(connection: Connection, rows: Sequence[Any], assessments: dict[str, list[Assessment]],
            include_spans: bool) -> list[TraceRecord]:
    """The records of rows made of the trace_info columns (`INFO_COLUMNS`) followed by `record_columns`."""
    loads = orjson.loads
    made = []
    orphaned: dict[str, TraceRecord] = {}
    for row in rows:
        tags, metadata = row[8], row[9]
        fields = trace_info_fields(row, {} if tags is None else loads(tags),
                                   {} if metadata is None else loads(metadata), assessments.get(row[0], []))
        spans_text = row[10] if include_spans else None
        if spans_text is None:
            made.append(TraceRecord.from_joined(fields, None, 0, None))
            continue
        count = spans_text.find(SPAN_SEPARATOR)
        root = spans_text.find("1", 0, count)
        record = TraceRecord.from_joined(fields, spans_text[count + 1:], count, None if root < 0 else root)
        if root < 0:
            orphaned[row[0]] = record
        made.append(record)
    if orphaned:
        _stand_in_roots(connection, orphaned)
    return made


def _stand_in_roots(connection: Connection, orphaned: dict[str, TraceRecord]) -> None:
    """Set the root of the records (by trace id) none of whose spans lacks a parent (the root not stored yet, or
    in another service): the first span whose parent is not in the trace stands in (see `root_position`), found
    from the span rows' ids as `SqlTraceStore._records` finds it. A trace whose spans changed since its row was read
    is left without a root (a DataFrame row then finds it from the decoded spans)."""
    rows = rows_by_id(connection, spans, ("trace_id", "span_id", "parent_span_id"), "trace_id", list(orphaned),
                      order_sql=span_order_sql(connection.dialect))
    for trace_id, group in groupby(rows, itemgetter(0)):
        _, span_ids, parent_ids = zip(*group, strict=True)
        record = orphaned[trace_id]
        if len(span_ids) == record.span_count:
            record.root_index = root_position(span_ids, parent_ids)
