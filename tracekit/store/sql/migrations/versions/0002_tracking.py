"""Tracking: experiment tags, runs (tags, params, metrics, latest metrics), logged models (tags, params, metrics);
trace_info's run and model indexes on their own, so a run's or a model's traces are found across experiments.

Revision ID: 0002_tracking
Revises: 0001_initial
Create Date: 2026-11-24

Written by hand to mirror tracekit/store/sql/schema.py at this revision, with literal values (see 0001_initial).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_tracking"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def _owned_key_value_table(name: str, owner_column: str, owner: str, id_length: int, value_length: int) -> None:
    op.create_table(
        name,
        sa.Column(owner_column, sa.String(id_length), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.String(value_length), nullable=True),
        sa.PrimaryKeyConstraint(owner_column, "key", name=f"pk_{name}"),
        sa.ForeignKeyConstraint([owner_column], [f"{owner}.{owner_column}"],
                                name=f"fk_{name}_{owner_column}_{owner}", ondelete="CASCADE"),
        **_MYSQL,
    )


def _metric_columns() -> list[sa.Column]:
    return [
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("is_nan", sa.Boolean(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.drop_index("ix_trace_info_experiment_id_run_id", table_name="trace_info")
    op.drop_index("ix_trace_info_experiment_id_model_id", table_name="trace_info")
    op.create_index("ix_trace_info_run_id", "trace_info", ["run_id"])
    op.create_index("ix_trace_info_model_id", "trace_info", ["model_id"])

    _owned_key_value_table("experiment_tags", "experiment_id", "experiments", 32, 8000)

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("run_name", sa.String(500), nullable=True),
        sa.Column("user_id", sa.String(250), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("start_time", sa.BigInteger(), nullable=False),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False, server_default="active"),
        sa.Column("artifact_uri", sa.String(1000), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_runs_experiment_id_experiments"),
        **_MYSQL,
    )
    op.create_index("ix_runs_experiment_id_start_time_run_id", "runs", ["experiment_id", "start_time", "run_id"])

    _owned_key_value_table("run_tags", "run_id", "runs", 64, 8000)
    _owned_key_value_table("params", "run_id", "runs", 64, 8000)

    op.create_table(
        "metrics",
        sa.Column("run_id", sa.String(64), nullable=False),
        *_metric_columns(),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "key", "timestamp", "step", "value", "is_nan", name="pk_metrics"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_metrics_run_id_runs", ondelete="CASCADE"),
        **_MYSQL,
    )
    op.create_table(
        "latest_metrics",
        sa.Column("run_id", sa.String(64), nullable=False),
        *_metric_columns(),
        sa.PrimaryKeyConstraint("run_id", "key", name="pk_latest_metrics"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_latest_metrics_run_id_runs",
                                ondelete="CASCADE"),
        **_MYSQL,
    )

    op.create_table(
        "logged_models",
        sa.Column("model_id", sa.String(64), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("source_run_id", sa.String(64), nullable=True),
        sa.Column("model_type", sa.String(250), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_time", sa.BigInteger(), nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False, server_default="active"),
        sa.Column("artifact_location", sa.String(1000), nullable=True),
        sa.PrimaryKeyConstraint("model_id", name="pk_logged_models"),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_logged_models_experiment_id_experiments"),
        **_MYSQL,
    )
    op.create_index("ix_logged_models_experiment_id_creation_time_model_id", "logged_models",
                    ["experiment_id", "creation_time", "model_id"])
    op.create_index("ix_logged_models_experiment_id_name", "logged_models", ["experiment_id", "name"])
    op.create_index("ix_logged_models_source_run_id", "logged_models", ["source_run_id"])

    _owned_key_value_table("logged_model_tags", "model_id", "logged_models", 64, 8000)
    _owned_key_value_table("logged_model_params", "model_id", "logged_models", 64, 8000)
    op.create_table(
        "logged_model_metrics",
        sa.Column("model_id", sa.String(64), nullable=False),
        *_metric_columns(),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("model_id", "key", name="pk_logged_model_metrics"),
        sa.ForeignKeyConstraint(["model_id"], ["logged_models.model_id"],
                                name="fk_logged_model_metrics_model_id_logged_models", ondelete="CASCADE"),
        **_MYSQL,
    )


def downgrade() -> None:
    for table in ("logged_model_metrics", "logged_model_params", "logged_model_tags", "logged_models",
                  "latest_metrics", "metrics", "params", "run_tags", "runs", "experiment_tags"):
        op.drop_table(table)
    op.drop_index("ix_trace_info_model_id", table_name="trace_info")
    op.drop_index("ix_trace_info_run_id", table_name="trace_info")
    op.create_index("ix_trace_info_experiment_id_run_id", "trace_info", ["experiment_id", "run_id"])
    op.create_index("ix_trace_info_experiment_id_model_id", "trace_info", ["experiment_id", "model_id"])
