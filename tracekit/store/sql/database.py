"""`SqlDatabase`: one tracking database (engine, schema check) and the write helpers every SQL store shares.

Write transactions take the write lock up front on SQLite and are retried a few times on transient lock errors
(SQLite busy, PostgreSQL deadlock or serialization failure, MySQL deadlock or lock timeout). Upserts and
insert-if-missing are written per dialect, since SQL has no portable spelling for either; each database takes a
batch of rows its own fastest way (sqlite_writes: a few multi-row INSERTs; postgres_writes: COPY and one INSERT ...
SELECT; mysql_writes: PyMySQL's multi-row INSERTs), falling back to SQLAlchemy's executemany for rows those cannot
take.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Executable, Table, insert
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ClauseElement

from tracekit.store.sql.engine import (
    STORE_ERRORS,
    WRITE_LOCK_OPTION,
    check_connection,
    create_store_engine,
    store_error,
)
from tracekit.store.sql.migrate import ensure_schema
from tracekit.store.sql.mysql_writes import MysqlBatchWriter
from tracekit.store.sql.postgres_writes import PostgresBatchWriter
from tracekit.store.sql.sqlite_writes import SqliteRowsInsert
from tracekit.store.uri import redact_uri

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Stays far below SQLite's bound-parameter cap (999 before SQLite 3.32) and keeps statements small elsewhere.
ID_CHUNK_SIZE = 500
WRITE_ATTEMPTS = 5
_RETRY_BASE_SECONDS = 0.05

_PG_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_MYSQL_TRANSIENT_CODES = {1205, 1213}  # lock wait timeout, deadlock
_SQLITE_TRANSIENT_MESSAGES = ("database is locked", "database is busy", "database table is locked")


def chunks(items: Sequence[T], size: int = ID_CHUNK_SIZE) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`, for `IN (...)` lists."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def is_transient(error: DBAPIError) -> bool:
    """Whether retrying the transaction may succeed (a lock conflict or a dropped connection)."""
    if error.connection_invalidated:
        return True
    orig = error.orig
    if getattr(orig, "sqlstate", None) in _PG_TRANSIENT_SQLSTATES:
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_TRANSIENT_CODES:
        return True
    message = str(orig).lower()
    return any(text in message for text in _SQLITE_TRANSIENT_MESSAGES)


class SqlDatabase:
    """The database of a SQL tracking URI, connected and migrated on construction.

    >>> database = SqlDatabase("sqlite:///tracekit.db")
    >>> database.write(lambda connection: connection.execute(...))
    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.engine: Engine = create_store_engine(uri)
        try:
            check_connection(self.engine, uri)
            ensure_schema(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        self.dialect = self.engine.dialect.name
        # (kind, table, key columns, row columns) -> the statement, and its SQL text when rows may skip SQLAlchemy's
        # per-row parameter processing (see `_execute_many`)
        self._statements: dict[tuple[Any, ...],
                               tuple[Executable, str | None, tuple[str, ...], SqliteRowsInsert | None]] = {}
        # How PostgreSQL and MySQL take a batch of rows (postgres_writes, mysql_writes); None: SQLAlchemy's executemany
        self.batch_writer: PostgresBatchWriter | MysqlBatchWriter | None = None
        if self.dialect == "postgresql":
            self.batch_writer = PostgresBatchWriter(self.engine.dialect)
        elif self.dialect in ("mysql", "mariadb"):
            self.batch_writer = MysqlBatchWriter(self.engine.dialect, self._upsert_statement,
                                                 self._insert_missing_statement)

    def __repr__(self) -> str:
        return f"SqlDatabase({redact_uri(self.uri)!r})"

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads; a database error (a timeout included) becomes a TracekitException naming the
        store (see `store_error`)."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except STORE_ERRORS as error:
            raise store_error(self.uri, error) from error

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, retrying it on transient lock errors; a database error that stays
        becomes a TracekitException naming the store (see `store_error`)."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.engine.connect() as connection:
                    connection.execution_options(**{WRITE_LOCK_OPTION: True})
                    with connection.begin():
                        return work(connection)
            except DBAPIError as error:
                if attempt == WRITE_ATTEMPTS or not is_transient(error):
                    raise store_error(self.uri, error) from error
                delay = _RETRY_BASE_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random())
                logger.debug("Transient error writing to %s (attempt %d), retrying in %.2fs: %s",
                             redact_uri(self.uri), attempt, delay, error.orig)
                time.sleep(delay)
            except STORE_ERRORS as error:
                raise store_error(self.uri, error) from error
        raise AssertionError("unreachable")

    def upsert(self, connection: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str],
               absent: bool = False) -> None:
        """Insert `rows`, replacing the non-key columns of rows whose primary key exists. `absent`: the caller expects
        none of their keys to be stored (a hint; PostgreSQL then tries a plain COPY first, see postgres_writes)."""
        if rows and self.batch_writer is not None and self.batch_writer.upsert(connection, table, rows, keys,
                                                                               absent=absent):
            return
        self._execute_many(connection, ("upsert", table.name, tuple(keys)), lambda: self._upsert_statement(table, keys),
                           rows)

    @property
    def copies_new_rows(self) -> bool:
        """Whether `insert_new` writes rows (PostgreSQL's COPY); elsewhere it only makes them."""
        return isinstance(self.batch_writer, PostgresBatchWriter)

    def insert_new(self, connection: Connection,
                   tables: Sequence[tuple[Table, Callable[[], Iterable[dict[str, Any]]]]]
                   ) -> list[list[dict[str, Any]]] | None:
        """Insert the rows `make_rows()` makes for each `(table, make_rows)`, in that order, if none of their keys is
        stored; None then. PostgreSQL COPYs each table's rows as they are made, so the server stores the first while
        the client makes the next (see postgres_writes). Otherwise (one of them is stored, or another database) none
        is written and each table's rows are returned, each made once."""
        writer = self.batch_writer
        if isinstance(writer, PostgresBatchWriter):
            return writer.copy_new(connection, tables)
        return [list(make_rows()) for _, make_rows in tables]

    def _upsert_statement(self, table: Table, keys: list[str]) -> Executable:
        update_columns = [c.name for c in table.columns if c.name not in keys]
        if self.dialect in ("mysql", "mariadb"):
            mysql_insert = mysql.insert(table)
            return mysql_insert.on_duplicate_key_update({c: mysql_insert.inserted[c] for c in update_columns})
        if self.dialect == "postgresql":
            pg_insert = postgresql.insert(table)
            return pg_insert.on_conflict_do_update(
                index_elements=keys, set_={c: pg_insert.excluded[c] for c in update_columns})
        sqlite_insert = sqlite.insert(table)
        return sqlite_insert.on_conflict_do_update(
            index_elements=keys, set_={c: sqlite_insert.excluded[c] for c in update_columns})

    def insert_missing(self, connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert `rows`, skipping any that would violate a unique constraint."""
        if rows and self.batch_writer is not None and self.batch_writer.insert_missing(connection, table, rows):
            return
        self._execute_many(connection, ("insert_missing", table.name), lambda: self._insert_missing_statement(table),
                           rows)

    def _insert_missing_statement(self, table: Table) -> Executable:
        if self.dialect in ("mysql", "mariadb"):
            return insert(table).prefix_with("IGNORE")
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        return dialect_insert(table).on_conflict_do_nothing()

    def _execute_many(self, connection: Connection, kind: tuple[Any, ...], build: Callable[[], Executable],
                      rows: list[dict[str, Any]]) -> None:
        """Execute the statement `build()` makes (built once per kind and set of row columns) once per row.

        On SQLite, when no column needs a value conversion (the trace tables hold text and integers), the rows go to
        the driver as tuples, in a few multi-row INSERTs (see `sqlite_writes`): SQLAlchemy's per-row parameter
        processing cost more than SQLite's own insert. Elsewhere the drivers' batched inserts (psycopg's, PyMySQL's
        multi-row VALUES) need SQLAlchemy's executemany path, so it is kept."""
        if not rows:
            return
        columns = tuple(rows[0])
        key = (*kind, columns)
        cached = self._statements.get(key)
        if cached is None:
            statement = build()
            sql = self._plain_sql(statement, columns)
            cached = (statement, sql, columns, None if sql is None else SqliteRowsInsert.of(sql, len(columns)))
            self._statements[key] = cached
        statement, sql, order, rows_insert = cached
        if sql is not None and len(order) > 1 and set(map(len, rows)) == {len(order)}:
            try:
                values = list(map(itemgetter(*order), rows))
            except KeyError:  # rows with other columns: SQLAlchemy's path says which
                pass
            else:
                if rows_insert is not None:
                    rows_insert.execute(connection, values)
                else:
                    connection.exec_driver_sql(sql, values)
                return
        connection.execute(statement, rows)

    def _plain_sql(self, statement: Executable, columns: tuple[str, ...]) -> str | None:
        """The SQLite text of `statement` for rows of `columns`, with its parameters in `columns` order, if the
        values can go to the driver unconverted; else None."""
        if self.dialect != "sqlite":
            return None
        dialect = self.engine.dialect
        table = getattr(statement, "table", None)
        if not isinstance(statement, ClauseElement) or not isinstance(table, Table):
            return None
        if any(column.type.dialect_impl(dialect).bind_processor(dialect) is not None for column in table.columns):
            return None
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        order = getattr(compiled, "positiontup", None)
        if order is None or tuple(order) != columns:
            return None
        return compiled.string

    def ping(self) -> None:
        """Raise TracekitException if the database cannot be reached now."""
        check_connection(self.engine, self.uri)

    def close(self) -> None:
        """Close every pooled connection; the database reconnects if used again."""
        self.engine.dispose()
