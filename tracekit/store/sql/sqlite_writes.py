"""SQLite: a batch of rows written by a few multi-row INSERTs rather than the driver's executemany.

The sqlite3 module's executemany steps the statement once per row, and lets go of the GIL around each step: the export
thread of a busy served model then hands the GIL to the request threads and waits to get it back once per row written.
One INSERT with many `VALUES` tuples is one step, and SQLite's own work per row is less too: on the trace tables, in
batches of 100 traces, 13 to 14 µs of SQLite time a trace against 18. The rows go in chunks of fixed sizes (64, 32,
..., 1), so that a few statement texts per table are ever made, which the driver's statement cache keeps compiled.
An upsert's `ON CONFLICT` applies to each row in turn, as with executemany, including a conflict with an earlier row
of the same statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

_CHUNK_SIZES = (64, 32, 16, 8, 4, 2, 1)
# SQLite's bound-parameter cap before 3.32 (32766 since): chunks never need more
_MAX_PARAMETERS = 999
_ONE_ROW = re.compile(r" VALUES \((\?(?:, \?)*)\)")


class SqliteRowsInsert:
    """The multi-row form of one compiled single-row INSERT (`INSERT ... VALUES (?, ...) [ON CONFLICT ...]`)."""

    __slots__ = ("_head", "_tail", "_row", "_texts", "_max_rows")

    def __init__(self, head: str, tail: str, width: int) -> None:
        self._head, self._tail = head, tail
        self._row = "(" + ", ".join("?" * width) + ")"
        self._texts: dict[int, str] = {}
        self._max_rows = max(1, _MAX_PARAMETERS // width)

    @classmethod
    def of(cls, sql: str, width: int) -> SqliteRowsInsert | None:
        """The multi-row form of `sql`, an INSERT of one row of `width` parameters; None when its text is not of
        that shape (then the caller keeps executemany)."""
        found = list(_ONE_ROW.finditer(sql))
        if len(found) != 1 or found[0].group(1).count("?") != width or "?" in sql[found[0].end():]:
            return None
        return cls(sql[:found[0].start()] + " VALUES ", sql[found[0].end():], width)

    def _text(self, rows: int) -> str:
        text = self._texts.get(rows)
        if text is None:
            text = self._texts[rows] = self._head + ", ".join([self._row] * rows) + self._tail
        return text

    def execute(self, connection: Connection, values: Sequence[Sequence[Any]]) -> None:
        """Write `values` (one sequence of parameters per row, in the statement's order), in order."""
        start, total = 0, len(values)
        while start < total:
            left = total - start
            size = next(size for size in _CHUNK_SIZES if size <= left and size <= self._max_rows)
            flat = [value for row in values[start:start + size] for value in row]
            connection.exec_driver_sql(self._text(size), tuple(flat))
            start += size
