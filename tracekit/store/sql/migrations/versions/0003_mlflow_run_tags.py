"""Run system tags under MLflow's names: `tracekit.parentRunId` becomes `mlflow.parentRunId`, and likewise
`runName`, `user`, `source.name` and `note.content`, so filters written for MLflow find runs stored before.

Revision ID: 0003_mlflow_run_tags
Revises: 0002_tracking
Create Date: 2026-11-30

Data only, with literal names (see 0001_initial). Where a run already has the MLflow name too (set by hand), that
value is kept and the old one dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_mlflow_run_tags"
down_revision = "0002_tracking"
branch_labels = None
depends_on = None

_RENAMES = (
    ("tracekit.runName", "mlflow.runName"),
    ("tracekit.parentRunId", "mlflow.parentRunId"),
    ("tracekit.user", "mlflow.user"),
    ("tracekit.source.name", "mlflow.source.name"),
    ("tracekit.note.content", "mlflow.note.content"),
)


_run_tags = sa.table("run_tags", sa.column("run_id"), sa.column("key"))


def _rename(old: str, new: str) -> None:
    # The inner SELECT is wrapped in a derived table because MySQL refuses a subquery on the table being changed.
    has_new = sa.select(_run_tags.c.run_id).where(_run_tags.c.key == new).subquery("renamed")
    op.execute(sa.delete(_run_tags).where(_run_tags.c.key == old,
                                          _run_tags.c.run_id.in_(sa.select(has_new.c.run_id))))
    op.execute(sa.update(_run_tags).where(_run_tags.c.key == old).values(key=new))


def upgrade() -> None:
    for old, new in _RENAMES:
        _rename(old, new)


def downgrade() -> None:
    for old, new in _RENAMES:
        _rename(new, old)
