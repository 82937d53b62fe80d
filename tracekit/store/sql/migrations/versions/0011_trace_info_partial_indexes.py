"""The run_id, model_id and client_request_id indexes of trace_info hold only the rows having a value, on PostgreSQL and
SQLite: most traces have none of these ids, and each was an index entry to write per trace
(benchmarks/store_writes.py). Lookups by value (`= ...`, `IN (...)`) still use them. MySQL/MariaDB have no partial
indexes: unchanged.

Revision ID: 0011_trace_info_partial_indexes
Revises: 0010_spans_covering_key
Create Date: 2026-12-01

Written by hand with literal names (see 0001_initial).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_trace_info_partial_indexes"
down_revision = "0010_spans_covering_key"
branch_labels = None
depends_on = None

_COLUMNS = ("run_id", "model_id", "client_request_id")


def _recreate(partial: bool) -> None:
    if op.get_bind().dialect.name not in ("postgresql", "sqlite"):
        return
    for column in _COLUMNS:
        name = f"ix_trace_info_{column}"
        where = sa.text(f"{column} IS NOT NULL") if partial else None
        op.drop_index(name, table_name="trace_info")
        op.create_index(name, "trace_info", [column], postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    _recreate(partial=True)


def downgrade() -> None:
    _recreate(partial=False)
