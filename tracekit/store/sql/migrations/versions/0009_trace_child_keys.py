"""The spans, tags and metadata of a trace lose their foreign key to trace_info: PostgreSQL checked it once per written
row, about 40% of its CPU for a new trace (benchmarks/store_writes.py). They are written in the transaction
writing their trace_info row and deleted explicitly by `SqlTraceStore.delete_traces`, so nothing relied on the key's
ON DELETE CASCADE. Downgrading deletes any row whose trace is gone, then puts the keys back.

Revision ID: 0009_trace_child_keys
Revises: 0008_run_deleted_time
Create Date: 2026-12-01

Written by hand with literal names (see 0001_initial).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_trace_child_keys"
down_revision = "0008_run_deleted_time"
branch_labels = None
depends_on = None

_TABLES = ("spans", "trace_tags", "trace_metadata")


def _key_name(table: str) -> str:
    return f"fk_{table}_trace_id_trace_info"


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_key_name(table), type_="foreignkey")


def downgrade() -> None:
    trace_info = sa.table("trace_info", sa.column("trace_id"))
    for table in _TABLES:
        child = sa.table(table, sa.column("trace_id"))
        op.execute(sa.delete(child).where(
            ~sa.exists().where(trace_info.c.trace_id == child.c.trace_id)))
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(_key_name(table), "trace_info", ["trace_id"], ["trace_id"], ondelete="CASCADE")
