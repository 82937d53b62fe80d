"""Span filters read a trace's spans from its primary key, so the separate (trace_id, name, span_type, status) index
goes where the key can serve them: one index fewer to update per written span (benchmarks/store_writes.py).

- PostgreSQL: the key becomes PRIMARY KEY (trace_id, span_id) INCLUDE (name, span_type, status), so a filter on a
  trace's span names, types or statuses stays an index-only scan.
- MySQL/MariaDB: InnoDB stores the rows in primary key order, so a trace's spans are already read together through
  the key; the index was a second copy of that.
- SQLite: unchanged (its rows are ordered by rowid, and the index keeps filters off the table).

Revision ID: 0010_spans_covering_key
Revises: 0009_trace_child_keys
Create Date: 2026-12-01

Written by hand with literal names (see 0001_initial).
"""

from __future__ import annotations

from alembic import op

revision = "0010_spans_covering_key"
down_revision = "0009_trace_child_keys"
branch_labels = None
depends_on = None

_INDEX = "ix_spans_trace_id_name_span_type_status"
_INDEX_COLUMNS = ["trace_id", "name", "span_type", "status"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE spans DROP CONSTRAINT pk_spans, "
                   "ADD CONSTRAINT pk_spans PRIMARY KEY (trace_id, span_id) INCLUDE (name, span_type, status)")
        op.drop_index(_INDEX, table_name="spans")
    elif dialect in ("mysql", "mariadb"):
        op.drop_index(_INDEX, table_name="spans")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.create_index(_INDEX, "spans", _INDEX_COLUMNS)
        op.execute("ALTER TABLE spans DROP CONSTRAINT pk_spans, "
                   "ADD CONSTRAINT pk_spans PRIMARY KEY (trace_id, span_id)")
    elif dialect in ("mysql", "mariadb"):
        op.create_index(_INDEX, "spans", _INDEX_COLUMNS)
