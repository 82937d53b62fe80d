"""Batched upserts for MySQL/MariaDB: the rows go straight to PyMySQL's executemany, which sends them as multi-row
`INSERT ... VALUES (...), (...) ON DUPLICATE KEY UPDATE` (or `INSERT IGNORE`) statements of at most
`Cursor.max_stmt_length` bytes (1 MB, far under the server's max_allowed_packet, 16 MB by default), one round trip
each instead of one per row.

SQLAlchemy's executemany reaches the same driver call, but first processes every row's parameters in Python; the trace
tables hold text and integers, which need no conversion, so the statement is compiled once and the row dicts are
handed over as they are (about a fifth of the client CPU of a trace, see benchmarks/store_writes.py).

The VALUES lists are written here rather than by PyMySQL's executemany, the same text: PyMySQL quotes a string with
`str.translate` over a table mapping seven characters to two-character escapes, which leaves CPython's fast path at the
first quote, and span JSON is full of them (about 45 µs per kB, most of a trace's client CPU); a few `str.replace`
calls, each run only for a character the text holds, make the same escapes. A connection in NO_BACKSLASH_ESCAPES mode,
where quotes are doubled instead, is left to PyMySQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ClauseElement

# PyMySQL's `converters.escape_string`, the backslash first since the others add backslashes
_ESCAPES = (("\\", "\\\\"), ("\x00", "\\0"), ("\n", "\\n"), ("\r", "\\r"), ("\x1a", "\\Z"), ("'", "\\'"),
            ('"', '\\"'))
# as PyMySQL's Cursor.max_stmt_length: far under the server's max_allowed_packet (16 MB by default)
_MAX_STATEMENT_BYTES = 1_024_000
# the statement around its one VALUES list of named parameters
_VALUES_LIST = re.compile(r"(INSERT\b.*? VALUES )(\((?:%\(\w+\)s, )*%\(\w+\)s\))(.*)", re.DOTALL)
_NO_BACKSLASH_ESCAPES = 512  # pymysql.constants.SERVER_STATUS (PyMySQL is imported only with a MySQL URI)


def _quoted(text: str) -> str:
    """`text` as a MySQL string literal, as PyMySQL writes it (outside NO_BACKSLASH_ESCAPES mode)."""
    for char, escaped in _ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return "'" + text + "'"


@dataclass(frozen=True)
class _Insert:
    sql: str  # the statement as SQLAlchemy compiled it, for PyMySQL's executemany
    prefix: str  # the statement split around its VALUES list
    values: str
    postfix: str


class MysqlBatchWriter:
    """Writes `SqlDatabase.upsert` / `insert_missing` batches to MySQL/MariaDB as PyMySQL multi-row inserts."""

    def __init__(self, dialect: Dialect, upsert_statement: Callable[[Table, list[str]], Executable],
                 insert_missing_statement: Callable[[Table], Executable]) -> None:
        self._dialect = dialect
        self._upsert_statement = upsert_statement
        self._insert_missing_statement = insert_missing_statement
        self._sql: dict[tuple[Any, ...], _Insert | None] = {}

    def upsert(self, connection: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str],
               absent: bool = False) -> bool:
        """Insert `rows`, replacing the other columns of rows whose key exists; False if these rows need
        SQLAlchemy's processing (a column type converting values, rows with differing columns). `absent` (no row
        expected to be stored) changes nothing here: ON DUPLICATE KEY UPDATE costs no more than a plain INSERT."""
        return self._write(connection, ("upsert", table.name, tuple(keys)), table,
                           lambda: self._upsert_statement(table, keys), rows)

    def insert_missing(self, connection: Connection, table: Table, rows: list[dict[str, Any]]) -> bool:
        """Insert `rows`, skipping any that would violate a unique constraint; False as for `upsert`."""
        return self._write(connection, ("insert_missing", table.name), table,
                           lambda: self._insert_missing_statement(table), rows)

    def _write(self, connection: Connection, kind: tuple[Any, ...], table: Table, build: Callable[[], Executable],
               rows: list[dict[str, Any]]) -> bool:
        columns = tuple(rows[0])
        key = (*kind, columns)
        if key not in self._sql:
            self._sql[key] = self._compile(table, build(), columns)
        insert = self._sql[key]
        if insert is None or any(row.keys() != rows[0].keys() for row in rows):
            return False
        driver = connection.connection.dbapi_connection
        if driver is None or driver.server_status & _NO_BACKSLASH_ESCAPES:
            connection.exec_driver_sql(insert.sql, rows if len(rows) > 1 else rows[0])
            return True
        for statement in _statements(insert, rows, driver.escape):
            # no parameters: the driver sends the text as it is, without %-formatting it
            connection.exec_driver_sql(statement, execution_options={"no_parameters": True})
        return True

    def _compile(self, table: Table, statement: Executable, columns: tuple[str, ...]) -> _Insert | None:
        """The statement's SQL for rows of `columns`, if their values can go to the driver unconverted and under
        their own names; else None."""
        dialect = self._dialect
        if not isinstance(statement, ClauseElement) or any(name not in table.columns for name in columns):
            return None
        if any(column.type.dialect_impl(dialect).bind_processor(dialect) is not None for column in table.columns):
            return None
        if any(column.default is not None or column.onupdate is not None
               for column in table.columns if column.name not in columns):
            return None
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        if set(compiled.params) != set(columns) or getattr(compiled, "escaped_bind_names", None):
            return None
        match = _VALUES_LIST.fullmatch(compiled.string)
        if match is None:
            return None
        # `% ()`: a literal % is written %% for the driver's formatting, which these parts no longer go through
        return _Insert(compiled.string, match.group(1) % (), match.group(2), match.group(3) % ())


def _statements(insert: _Insert, rows: list[dict[str, Any]], escape: Callable[[Any], str]) -> Iterator[str]:
    """The multi-row statements PyMySQL's executemany would send for `rows`; `escape`: the driver's, for values
    other than strings, integers and None."""
    parts: list[str] = []
    empty = size = len(insert.prefix) + len(insert.postfix)
    for row in rows:
        values = insert.values % {name: _quoted(value) if type(value) is str
                                  else str(value) if type(value) is int
                                  else "NULL" if value is None else escape(value)
                                  for name, value in row.items()}
        length = len(values) if values.isascii() else len(values.encode())
        if parts and size + length + 1 > _MAX_STATEMENT_BYTES:
            yield insert.prefix + ",".join(parts) + insert.postfix
            parts, size = [], empty
        parts.append(values)
        size += length + 1
    yield insert.prefix + ",".join(parts) + insert.postfix
