"""When a run was deleted: `runs.deleted_time` (ms since the epoch), so `tracekit gc --older-than` purges only runs
deleted long enough ago. Runs deleted before this revision get the time of the migration.

Revision ID: 0008_run_deleted_time
Revises: 0007_datasets
Create Date: 2026-11-30

Written by hand with literal names (see 0001_initial).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0008_run_deleted_time"
down_revision = "0007_datasets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("deleted_time", sa.BigInteger(), nullable=True))
    runs = sa.table("runs", sa.column("lifecycle_stage"), sa.column("deleted_time"))
    op.execute(sa.update(runs).where(runs.c.lifecycle_stage == "deleted")
               .values(deleted_time=int(time.time() * 1000)))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("deleted_time")
