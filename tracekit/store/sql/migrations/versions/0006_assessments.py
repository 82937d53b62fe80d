"""Assessments on traces: feedback and expectations, deleted with their trace.

Revision ID: 0006_assessments
Revises: 0005_model_registry
Create Date: 2026-11-30

Written by hand to mirror tracekit/store/sql/schema.py at this revision, with literal values (see 0001_initial).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006_assessments"
down_revision = "0005_model_registry"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("assessment_id", sa.String(64), nullable=False),
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("span_id", sa.String(32), nullable=True),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(250), nullable=False),
        sa.Column("value", _LONG_TEXT, nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column("rationale", _LONG_TEXT, nullable=True),
        sa.Column("error", _LONG_TEXT, nullable=True),
        sa.Column("metadata", _LONG_TEXT, nullable=True),
        sa.Column("create_time_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", name="pk_assessments"),
        sa.ForeignKeyConstraint(["trace_id"], ["trace_info.trace_id"], name="fk_assessments_trace_id_trace_info",
                                ondelete="CASCADE"),
        **_MYSQL,
    )
    op.create_index("ix_assessments_trace_id_kind_name", "assessments", ["trace_id", "kind", "name"])
    op.create_index("ix_assessments_kind_name", "assessments", ["kind", "name"])


def downgrade() -> None:
    op.drop_table("assessments")
