"""Datasets and run inputs: the datasets table (one row per experiment, name and digest), what each run used
(run_inputs, with run_input_tags), and the dataset a metric point measured (dataset_name and dataset_digest on
metrics and logged_model_metrics).

Revision ID: 0007_datasets
Revises: 0006_assessments
Create Date: 2026-11-30

Written by hand to mirror tracekit/store/sql/schema.py at this revision, with literal values (see 0001_initial).
Only new tables and nullable columns, so existing rows need no rewriting.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007_datasets"
down_revision = "0006_assessments"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_METRIC_TABLES = ("metrics", "logged_model_metrics")


def upgrade() -> None:
    for table in _METRIC_TABLES:
        op.add_column(table, sa.Column("dataset_name", sa.String(500), nullable=True))
        op.add_column(table, sa.Column("dataset_digest", sa.String(36), nullable=True))
    op.create_index("ix_metrics_model_id_key", "metrics", ["model_id", "key"])
    op.create_table(
        "datasets",
        sa.Column("dataset_id", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(250), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("schema_json", _LONG_TEXT, nullable=True),
        sa.Column("profile_json", sa.Text(), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", name="pk_datasets"),
        sa.UniqueConstraint("experiment_id", "name", "digest", name="uq_datasets_experiment_id_name_digest"),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_datasets_experiment_id_experiments"),
        **_MYSQL,
    )
    op.create_table(
        "run_inputs",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("input_type", sa.String(16), nullable=False),
        sa.Column("input_id", sa.String(64), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "input_type", "input_id", name="pk_run_inputs"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_run_inputs_run_id_runs", ondelete="CASCADE"),
        **_MYSQL,
    )
    op.create_index("ix_run_inputs_input_type_input_id", "run_inputs", ["input_type", "input_id"])
    op.create_table(
        "run_input_tags",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("input_type", sa.String(16), nullable=False),
        sa.Column("input_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.String(8000), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "input_type", "input_id", "key", name="pk_run_input_tags"),
        sa.ForeignKeyConstraint(["run_id", "input_type", "input_id"],
                                ["run_inputs.run_id", "run_inputs.input_type", "run_inputs.input_id"],
                                name="fk_run_input_tags_run_id_run_inputs", ondelete="CASCADE"),
        **_MYSQL,
    )


def downgrade() -> None:
    for table in ("run_input_tags", "run_inputs", "datasets"):
        op.drop_table(table)
    op.drop_index("ix_metrics_model_id_key", table_name="metrics")
    for table in _METRIC_TABLES:
        op.drop_column(table, "dataset_digest")
        op.drop_column(table, "dataset_name")
