"""The model registry: registered models (with tags), their versions (with tags) and aliases.

Revision ID: 0005_model_registry
Revises: 0003_mlflow_run_tags
Create Date: 2026-11-30

Written by hand to mirror tracekit/store/sql/schema.py at this revision, with literal values (see 0001_initial).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_model_registry"
down_revision = "0003_mlflow_run_tags"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def _version_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["name", "version"], ["model_versions.name", "model_versions.version"],
                                   name=f"fk_{table}_name_model_versions", ondelete="CASCADE", onupdate="CASCADE")


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_time", sa.BigInteger(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name="pk_registered_models"),
        **_MYSQL,
    )
    op.create_table(
        "registered_model_tags",
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.String(8000), nullable=True),
        sa.PrimaryKeyConstraint("name", "key", name="pk_registered_model_tags"),
        sa.ForeignKeyConstraint(["name"], ["registered_models.name"],
                                name="fk_registered_model_tags_name_registered_models", ondelete="CASCADE",
                                onupdate="CASCADE"),
        **_MYSQL,
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_time", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(250), nullable=True),
        sa.Column("current_stage", sa.String(32), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("run_link", sa.String(1000), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", "version", name="pk_model_versions"),
        sa.ForeignKeyConstraint(["name"], ["registered_models.name"], name="fk_model_versions_name_registered_models",
                                ondelete="CASCADE", onupdate="CASCADE"),
        **_MYSQL,
    )
    op.create_index("ix_model_versions_run_id", "model_versions", ["run_id"])
    op.create_index("ix_model_versions_model_id", "model_versions", ["model_id"])
    op.create_table(
        "model_version_tags",
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.String(8000), nullable=True),
        sa.PrimaryKeyConstraint("name", "version", "key", name="pk_model_version_tags"),
        _version_key("model_version_tags"),
        **_MYSQL,
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("alias", sa.String(250), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "alias", name="pk_registered_model_aliases"),
        _version_key("registered_model_aliases"),
        **_MYSQL,
    )
    op.create_index("ix_registered_model_aliases_name_version", "registered_model_aliases", ["name", "version"])


def downgrade() -> None:
    for table in ("registered_model_aliases", "model_version_tags", "model_versions", "registered_model_tags",
                  "registered_models"):
        op.drop_table(table)
