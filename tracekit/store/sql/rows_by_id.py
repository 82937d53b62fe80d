"""`rows_by_id`: the rows of one table whose key is in a list of ids, one `IN (...)` statement per chunk of ids.

The statement is plain SQL text in the driver's own parameter style, run with `exec_driver_sql`: a Core `select` with
`in_()` has its expanding list rendered in Python at every execution (several calls per id), which cost more than the
database's own work when a search loads the tags, metadata and spans of a page of traces. Its rows are fetched as the
driver's own tuples: a statement run as text has no column types for SQLAlchemy to convert, so its `Row` wrappers
would only add a Python object per row. The ids always go as bound parameters, never into the text; table and column
names come from the schema, quoted by the dialect.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.engine import Connection, Dialect

from tracekit.store.sql.database import chunks

# Placeholders of the positional parameter styles of the drivers tracekit supports (sqlite3, psycopg, PyMySQL,
# mysqlclient); any other style falls back to a Core select.
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@functools.lru_cache(maxsize=128)
def _statement(dialect: Dialect, table: str, columns: tuple[str, ...], key: str, count: int,
               order_by: tuple[str, ...], order_sql: str) -> str:
    quote = dialect.identifier_preparer.quote
    mark = _MARKS[str(dialect.paramstyle)]
    sql = (f"SELECT {', '.join(quote(column) for column in columns)} FROM {quote(table)} "
           f"WHERE {quote(key)} IN ({', '.join([mark] * count)})")
    if order_by:
        sql += f" ORDER BY {', '.join(quote(column) for column in order_by)}"
    elif order_sql:
        sql += f" ORDER BY {order_sql}"
    return sql


def rows_by_id(connection: Connection, table: Table, columns: Sequence[str], key: str, ids: Sequence[Any],
               order_by: Sequence[str] = (), order_sql: str = "") -> list[Any]:
    """The `columns` of the rows of `table` whose `key` is one of `ids` (the driver's tuples; `Row`s for a driver
    of another parameter style: index them by position), read a chunk of ids at a time, each chunk's rows sorted by
    `order_by` (column names, ascending) if given, else by `order_sql`, an ORDER BY list written by the caller
    from schema names (never from input).

    >>> for trace_id, key, value in rows_by_id(connection, trace_tags, ("trace_id", "key", "value"), "trace_id", ids):
    ...     pass
    """
    rows: list[Any] = []
    for chunk in chunks(ids):
        if connection.dialect.paramstyle in _MARKS:
            statement = _statement(connection.dialect, table.name, tuple(columns), key, len(chunk), tuple(order_by),
                                   order_sql)
            result = connection.exec_driver_sql(statement, tuple(chunk))
            try:
                rows.extend(result.cursor.fetchall())
            finally:
                result.close()
        else:
            rows.extend(connection.execute(select(*(table.c[column] for column in columns))
                                           .where(table.c[key].in_(chunk))
                                           .order_by(*(table.c[column] for column in order_by))
                                           .order_by(*([text(order_sql)] if order_sql and not order_by else []))).all())
    return rows
