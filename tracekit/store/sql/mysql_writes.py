"""Batched upserts for MySQL/MariaDB: the rows go straight to PyMySQL's executemany, which sends them as multi-row
`INSERT ... VALUES (...), (...) ON DUPLICATE KEY UPDATE` (or `INSERT IGNORE`) statements of at most
`Cursor.max_stmt_length` bytes (1 MB, far under the server's max_allowed_packet, 16 MB by default), one round trip
each instead of one per row.

SQLAlchemy's executemany reaches the same driver call, but first processes every row's parameters in Python; the trace
tables hold text and integers, which need no conversion, so the statement is compiled once and the row dicts are
handed over as they are (about a fifth of the client CPU of a trace, see benchmarks/store_writes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ClauseElement


class MysqlBatchWriter:
    """Writes `SqlDatabase.upsert` / `insert_missing` batches to MySQL/MariaDB as PyMySQL multi-row inserts."""

    def __init__(self, dialect: Dialect, upsert_statement: Callable[[Table, list[str]], Executable],
                 insert_missing_statement: Callable[[Table], Executable]) -> None:
        self._dialect = dialect
        self._upsert_statement = upsert_statement
        self._insert_missing_statement = insert_missing_statement
        self._sql: dict[tuple[Any, ...], str | None] = {}

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
        sql = self._sql[key]
        if sql is None or any(row.keys() != rows[0].keys() for row in rows):
            return False
        connection.exec_driver_sql(sql, rows if len(rows) > 1 else rows[0])
        return True

    def _compile(self, table: Table, statement: Executable, columns: tuple[str, ...]) -> str | None:
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
        return compiled.string
