"""Batched upserts for PostgreSQL: rows COPYed into a staging table, then moved with one `INSERT ... SELECT ... ON
CONFLICT` statement per table and batch.

COPY takes the rows as one stream that psycopg formats in C, so a batch costs a few round trips and one plan per
table where psycopg's pipelined executemany ran, and the client paid for, one INSERT per row (measured in
benchmarks/store_writes.py: about a third of the client CPU, beside one unnest statement of array parameters, which
psycopg dumps in Python and costs more than executemany). The staging table is a temporary one per connection,
emptied at commit and after each use; it has the target's column types, so a value the table refuses (too long, out
of range) is refused by the COPY with the same kind of error as before.

PostgreSQL refuses to update one row twice in a statement, so rows repeating a key are reduced to the last one first,
which is what executing them in order left. A stored row whose text and integer values are all the same is locked but
not rewritten (`ON CONFLICT ... DO UPDATE ... WHERE ... IS DISTINCT FROM ...`): a retried batch, benchmarks/
store_writes.py's "again" phase, went from 98 to 55 µs of server CPU and from 5,011 to 434 B of WAL per trace.

When the caller knows that none of the rows' keys is stored yet (a batch of new traces, the usual case), the rows are
COPYed straight into the table instead: no staging table to fill, scan and empty, and no speculative insertion for
ON CONFLICT (in benchmarks/store_writes.py, about a fifth of the server's CPU for a new trace). The COPY runs under a
savepoint, so a row stored after all (by a concurrent writer) only sends the batch down the staging path.

That COPY uses the binary format when every column is text or an integer: psycopg packs the values without the text
format's escaping and the server reads them without parsing (in a COPY of the benchmark's span rows alone, under load:
client 2.6-2.9 -> 1.1-1.3 µs and server 7.8-10 -> 6.7-7.8 µs per span). Lengths and NOT NULL are still checked by the
server, and a NUL character is refused by it (the text format's is refused by psycopg), both as before as a DataError.
A value the client cannot pack as its column's type (a number over 64 bits, a string for a number) makes the batch go
down the staging path, whose text format lets the server take or refuse it as it always did.

`copy_new` takes a batch of new traces' tables (`SqlDatabase.insert_new`: trace_info, its tag and metadata rows made
beside its rows, then spans) and COPYs each table's rows as they are made (psycopg sends each 32 kB it has formatted),
so the server stores the first rows while the client still makes the next. The four COPYs share one savepoint, set
before the first and released by the commit: a savepoint and its release per COPY were 7 of a batch's 19 round trips
(SAVEPOINT + RELEASE cost about 0.35 ms of wall and 0.25 ms of client CPU on loopback TCP). If any COPY gives up, the
transaction goes back to the savepoint and every table's rows, each made once, go down the staging path.
PostgreSQL accepts no COPY in pipeline mode, so tables go one after another, each ending with a wait for the server.

Where a batch's wall time goes (benchmarks/store_writes.py batches of 500, 2 shared cores, µs per trace, client
CPU / server CPU / wall): trace_info COPY 9-11 / 10-14 / 19-22, tag COPY 5 / 7-10 / 12-13, metadata COPY 4 / 5-6 / 9,
span COPY 21-24 / 17 / 27-30, commit 0.5 / 0-6 / 3 (idle disk) to 20-140 (the WAL flush, when other work shares the
disk). Client and server overlap only while a second core is free: under load the scheduler runs the backend on the
client's core (their run-queue waits were about 10 µs per trace each), and a writer thread (psycopg's
QueuedLibpqWriter) did not help (it needs the GIL for each block it sends). Of trace_info's server CPU, its foreign
key to experiments (a lookup and a row lock per row) is about 5 µs per trace.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError

_STAGE_PREFIX = "tracekit_stage_"
_NEW_ROWS_SAVEPOINT = "tracekit_new_rows"
_UNIQUE_VIOLATION = "23505"


def _tuple_getter(columns: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function reading the values of `columns` from a row, as a tuple (itemgetter of one name returns a value)."""
    if len(columns) == 1:
        name = columns[0]
        return lambda row: (row[name],)
    return itemgetter(*columns)


class _OtherColumns(Exception):
    """A row of `PostgresBatchWriter.copy_new` has columns other than its table's first row."""


@dataclass(frozen=True)
class _Statements:
    stage: str
    copy: str
    move: str
    copy_straight: str
    # the PostgreSQL type of each column, for `copy_straight` in the binary format; None: the text format
    types: tuple[str, ...] | None


class PostgresBatchWriter:
    """Writes `SqlDatabase.upsert` / `insert_missing` batches to PostgreSQL through a COPYed staging table."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._statements: dict[tuple[Any, ...], _Statements | None] = {}

    def upsert(self, connection: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str],
               absent: bool = False) -> bool:
        """Insert `rows`, replacing the other columns of rows whose key exists; False if these rows need the general
        path (their columns differ, or leave out one that SQLAlchemy would fill in). `absent`: the caller expects no
        row with these keys to be stored, so they are first tried as a plain COPY into the table."""
        columns = tuple(rows[0])
        statements = self._prepared(table, columns, tuple(keys))
        if statements is None or any(len(row) != len(columns) for row in rows):
            return False
        values, key = _tuple_getter(columns), itemgetter(*keys)
        try:
            last = {key(row): values(row) for row in rows}
        except KeyError:
            return False
        if absent and self._copy_straight(connection, statements, last.values()):
            return True
        self._write(connection, statements, last.values())
        return True

    def copy_new(self, connection: Connection, tables: Sequence[tuple[Table, Callable[[], Iterable[dict[str, Any]]]]]
                 ) -> list[list[dict[str, Any]]] | None:
        """COPY the rows of each `(table, make_rows)` straight into its table, one table after another, each table's
        rows COPYed as `make_rows()` makes them; None when all went in. If one of their keys is stored (or repeats),
        or some rows need the general path (as for `upsert`), none is written (every table's COPY is rolled back) and
        each table's rows are returned, each made once (every `make_rows()` run to its end), for the general path.

        The tables share one savepoint, set before the first COPY and left for the commit to release: for a batch's
        four tables, seven round trips to the server fewer than a SAVEPOINT and a RELEASE each."""
        made: list[list[dict[str, Any]]] = [[] for _ in tables]
        connection.exec_driver_sql(f"SAVEPOINT {_NEW_ROWS_SAVEPOINT}")
        for position, (table, make_rows) in enumerate(tables):
            if not self._copy_made(connection, table, iter(make_rows()), made[position]):
                connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_NEW_ROWS_SAVEPOINT}")
                # the later tables' rows, not made yet
                for later, (_, make_later) in enumerate(tables[position + 1:], start=position + 1):
                    made[later].extend(make_later())
                return made
        return None

    def _copy_made(self, connection: Connection, table: Table, rows: Iterator[dict[str, Any]],
                   made: list[dict[str, Any]]) -> bool:
        """COPY `rows` into `table` as the iterator makes them, adding each to `made`; False if the COPY gave up (the
        transaction must then go back to the savepoint), with every row made (the iterator run to its end)."""
        first = next(rows, None)
        if first is None:
            return True
        made.append(first)
        columns = tuple(first)
        statements = self._prepared(table, columns, None)
        if statements is None:
            made.extend(rows)
            return False
        values = _tuple_getter(columns)
        keep = made.append

        def tuples() -> Iterator[tuple[Any, ...]]:
            yield values(first)
            for row in rows:
                keep(row)
                if len(row) != len(columns):
                    raise _OtherColumns
                yield values(row)
        try:
            self._copy(connection, statements.copy_straight, tuples(), statements.types)
        except IntegrityError as error:
            if getattr(error.orig, "sqlstate", None) != _UNIQUE_VIOLATION:
                raise
        except (_OtherColumns, KeyError, OverflowError, TypeError):
            # rows of other columns, or a value the binary format cannot pack (see `_copy_straight`)
            pass
        else:
            return True
        # the COPY may have stopped early: the rows it did not reach
        made.extend(rows)
        return False

    def insert_missing(self, connection: Connection, table: Table, rows: list[dict[str, Any]]) -> bool:
        """Insert `rows`, skipping any that would violate a unique constraint; False as for `upsert`."""
        columns = tuple(rows[0])
        statements = self._prepared(table, columns, None)
        if statements is None or any(len(row) != len(columns) for row in rows):
            return False
        values = _tuple_getter(columns)
        try:
            tuples = [values(row) for row in rows]
        except KeyError:
            return False
        self._write(connection, statements, tuples)
        return True

    def _write(self, connection: Connection, statements: _Statements, rows: Any) -> None:
        connection.exec_driver_sql(statements.stage)
        self._copy(connection, statements.copy, rows, None)
        connection.exec_driver_sql(statements.move)

    def _copy_straight(self, connection: Connection, statements: _Statements, rows: Any) -> bool:
        """COPY `rows` into the table itself; False, with nothing written, if one of their keys is stored, or one of
        their values is not of its column's type (a number too big, a string for a number) for the binary format."""
        try:
            with connection.begin_nested():
                self._copy(connection, statements.copy_straight, rows, statements.types)
        except IntegrityError as error:
            if getattr(error.orig, "sqlstate", None) != _UNIQUE_VIOLATION:
                raise
            return False
        except (OverflowError, TypeError):
            # packed by the client in the binary format; the staging path's text format lets the server take the
            # value, or refuse it, as it always did
            return False
        return True

    def _copy(self, connection: Connection, sql: str, rows: Any, types: tuple[str, ...] | None) -> None:
        """COPY `rows` with the driver's cursor (`types`: the column types of a binary COPY), its errors raised as
        SQLAlchemy's would be (DataError, IntegrityError, OperationalError..., a lost connection invalidated), since
        SQLAlchemy does not run COPY."""
        dbapi = self._dialect.loaded_dbapi
        dbapi_connection = connection.connection
        cursor = dbapi_connection.cursor()
        try:
            with cursor.copy(sql) as copy:
                if types is not None:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except dbapi.Error as error:
            lost = self._dialect.is_disconnect(error, dbapi_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(sql, None, error, dbapi.Error, connection_invalidated=lost,
                                      dialect=self._dialect) from error
        finally:
            cursor.close()

    def _prepared(self, table: Table, columns: tuple[str, ...], keys: tuple[str, ...] | None) -> _Statements | None:
        cache_key = (table.name, columns, keys)
        if cache_key not in self._statements:
            self._statements[cache_key] = self._build(table, columns, keys)
        return self._statements[cache_key]

    def _build(self, table: Table, columns: tuple[str, ...], keys: tuple[str, ...] | None) -> _Statements | None:
        if not columns or any(name not in table.columns for name in columns):
            return None
        if keys is not None and any(key not in columns for key in keys):
            return None
        # a column left out whose value SQLAlchemy would fill in on the client
        if any(column.default is not None or column.onupdate is not None
               for column in table.columns if column.name not in columns):
            return None
        preparer = self._dialect.identifier_preparer
        target = preparer.format_table(table)
        # one staging table per table and set of columns, holding just those columns, their types and no constraints
        # (a NULL where the table wants a value is refused by the INSERT, as before)
        digest = hashlib.sha1("\0".join(columns).encode()).hexdigest()[:8]
        stage = preparer.quote(f"{_STAGE_PREFIX}{table.name}_{digest}")
        names = ", ".join(preparer.quote(name) for name in columns)
        if keys is None:
            conflict = "DO NOTHING"
        else:
            # every other column, as the on_conflict_do_update(set_=...) of `SqlDatabase.upsert` does
            updates = [preparer.quote(column.name) for column in table.columns if column.name not in keys]
            conflict = f"({', '.join(preparer.quote(key) for key in keys)}) " + (
                "DO UPDATE SET " + ", ".join(f"{name} = EXCLUDED.{name}" for name in updates) if updates
                else "DO NOTHING")
            if updates and all(isinstance(column.type, (String, Integer)) for column in table.columns
                               if column.name not in keys):
                # ...where a value differs: a stored row written again as it is (a retried batch) is locked, not
                # rewritten, so it costs no new row version, index entries or WAL. Text and integers only, whose
                # equality is identity (floats: -0.0 = 0.0)
                conflict += (f" WHERE ({', '.join(f'{target}.{name}' for name in updates)}) IS DISTINCT FROM "
                             f"({', '.join(f'EXCLUDED.{name}' for name in updates)})")
        types = _binary_types(table, columns)
        copy_format = "" if types is None else " (FORMAT BINARY)"
        return _Statements(
            stage=f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT {names} FROM {target} "
                  "WITH NO DATA",
            copy=f"COPY {stage} ({names}) FROM STDIN",
            move=f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} ON CONFLICT {conflict}; "
                 f"DELETE FROM {stage}",
            copy_straight=f"COPY {target} ({names}) FROM STDIN{copy_format}",
            types=types)


def _binary_types(table: Table, columns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The types psycopg packs `columns` of `table` as in a binary COPY; None if one is not text or an integer (the
    text format then). Every string type is sent as text: the server checks a varchar's length as for the text
    format."""
    types = []
    for name in columns:
        column_type = table.columns[name].type
        if isinstance(column_type, String):  # Text included
            types.append("text")
        elif isinstance(column_type, (BigInteger, SmallInteger)):
            types.append("int8" if isinstance(column_type, BigInteger) else "int2")
        elif isinstance(column_type, Integer):
            types.append("int4")
        else:
            return None
    return tuple(types)
