"""Which of a batch's trace ids are already stored: the first question of a batch write, asked the cheapest way each
database allows, since it is asked for nearly every exported batch (PostgreSQL first tries a batch's trace_info rows as
a plain COPY, which going in answers "none", see `SqlTraceStore._write_batch`).

- SQLite: `trace_id IN (...)` built by SQLAlchemy is a new expanding-parameter statement each time, compiled and
  post-processed per batch (about half a millisecond, ~15 µs per trace at the export's usual 35 traces a batch, see
  benchmarks/store_writes.py). The SQL text depends only on how many ids there are, so it is kept per count and the
  ids go straight to the driver (through `exec_driver_sql`, so errors are still wrapped and retried as any).
- PostgreSQL: one array parameter. An IN list of 500 is parsed by psycopg and planned by the server anew each time,
  about 4 µs of client and as much server CPU per written trace. A join with the unnested array, not `= ANY(:ids)`:
  once psycopg prepares the statement, a generic plan of `= ANY` over a table the planner thinks small (just
  truncated, not yet analyzed) compares every row with every id, while a join stays linear either way.
- Others (MySQL/MariaDB): SQLAlchemy's IN list, in chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from tracekit.store.sql.database import chunks
from tracekit.store.sql.schema import trace_info

_STORED_AMONG_ARRAY = select(trace_info.c.trace_id).where(trace_info.c.trace_id.in_(
    select(func.unnest(bindparam("ids", type_=ARRAY(String)))).scalar_subquery()))


@lru_cache(maxsize=64)
def _sqlite_stored_among(count: int) -> str:
    placeholders = ",".join("?" * count)
    return f"SELECT trace_id FROM trace_info WHERE trace_id IN ({placeholders})"


def stored_trace_ids(connection: Connection, trace_ids: Sequence[str]) -> set[str]:
    """The ids among `trace_ids` that have a trace_info row."""
    found: set[str] = set()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        found.update(connection.scalars(_STORED_AMONG_ARRAY, {"ids": list(trace_ids)}))
        return found
    for chunk in chunks(trace_ids):
        if dialect == "sqlite":
            found.update(row[0] for row in connection.exec_driver_sql(_sqlite_stored_among(len(chunk)), tuple(chunk)))
        else:
            found.update(connection.scalars(select(trace_info.c.trace_id).where(trace_info.c.trace_id.in_(chunk))))
    return found
