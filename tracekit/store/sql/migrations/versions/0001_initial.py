"""Initial trace store: experiments, trace_info, trace_tags, trace_metadata, spans.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23

Written by hand to mirror tracekit/store/sql/schema.py at this revision; its values are literals on purpose, so that a
later change to schema.py comes with a new migration instead of silently changing this one.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _key_value_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.String(8000), nullable=True),
        sa.PrimaryKeyConstraint("trace_id", "key", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(["trace_id"], ["trace_info.trace_id"], name=f"fk_{name}_trace_id_trace_info",
                                ondelete="CASCADE"),
        **_MYSQL,
    )
    op.create_index(f"ix_{name}_key", name, ["key"])


def upgrade() -> None:
    experiments = op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.String(1000), nullable=True),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False, server_default="active"),
        sa.Column("creation_time", sa.BigInteger(), nullable=True),
        sa.Column("last_update_time", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
        **_MYSQL,
    )
    now_ms = int(time.time() * 1000)
    op.bulk_insert(experiments, [{"experiment_id": "0", "name": "Default", "artifact_location": None,
                                  "lifecycle_stage": "active", "creation_time": now_ms,
                                  "last_update_time": now_ms}])

    op.create_table(
        "trace_info",
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("request_time", sa.BigInteger(), nullable=False),
        sa.Column("execution_duration", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("request_preview", sa.Text(), nullable=True),
        sa.Column("response_preview", sa.Text(), nullable=True),
        sa.Column("client_request_id", sa.String(250), nullable=True),
        sa.Column("root_span_name", sa.String(500), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("trace_id", name="pk_trace_info"),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_trace_info_experiment_id_experiments"),
        **_MYSQL,
    )
    op.create_index("ix_trace_info_experiment_id_request_time_trace_id", "trace_info",
                    ["experiment_id", "request_time", "trace_id"])
    op.create_index("ix_trace_info_experiment_id_run_id", "trace_info", ["experiment_id", "run_id"])
    op.create_index("ix_trace_info_experiment_id_model_id", "trace_info", ["experiment_id", "model_id"])
    op.create_index("ix_trace_info_client_request_id", "trace_info", ["client_request_id"])

    _key_value_table("trace_tags")
    _key_value_table("trace_metadata")

    op.create_table(
        "spans",
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("span_id", sa.String(32), nullable=False),
        sa.Column("parent_span_id", sa.String(32), nullable=True),
        sa.Column("name", sa.String(500), nullable=True),
        sa.Column("span_type", sa.String(100), nullable=True),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("start_time_ns", sa.BigInteger(), nullable=False),
        sa.Column("end_time_ns", sa.BigInteger(), nullable=True),
        sa.Column("content", _LONG_TEXT, nullable=False),
        sa.PrimaryKeyConstraint("trace_id", "span_id", name="pk_spans"),
        sa.ForeignKeyConstraint(["trace_id"], ["trace_info.trace_id"], name="fk_spans_trace_id_trace_info",
                                ondelete="CASCADE"),
        **_MYSQL,
    )
    op.create_index("ix_spans_trace_id_name_span_type_status", "spans",
                    ["trace_id", "name", "span_type", "status"])


def downgrade() -> None:
    op.drop_table("spans")
    op.drop_table("trace_metadata")
    op.drop_table("trace_tags")
    op.drop_table("trace_info")
    op.drop_table("experiments")
