"""The trace store's tables, declared once with SQLAlchemy Core; the alembic migrations mirror this file.

String lengths keep every index within MySQL's 3072-byte key limit under utf8mb4 (4 bytes a character), and MySQL
tables use the binary utf8mb4 collation so that keys and values compare case-sensitively everywhere.
Tag and metadata values are only indexed through their key: a value may be longer than a B-tree entry can be.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Table options for MySQL/MariaDB; other dialects ignore them.
MYSQL_TABLE_ARGS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}

TRACE_ID_LENGTH = 64
SPAN_ID_LENGTH = 32
EXPERIMENT_ID_LENGTH = 32
KEY_LENGTH = 250
TAG_VALUE_LENGTH = 8000
NAME_LENGTH = 500
SPAN_TYPE_LENGTH = 100
STATE_LENGTH = 32

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"

# JSON documents: TEXT holds 64 KB on MySQL, so use LONGTEXT there.
BigText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

metadata = MetaData(naming_convention=NAMING_CONVENTION)

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("artifact_location", String(1000), nullable=True),
    Column("lifecycle_stage", String(STATE_LENGTH), nullable=False, server_default="active"),
    Column("creation_time", BigInteger, nullable=True),
    Column("last_update_time", BigInteger, nullable=True),
    PrimaryKeyConstraint("experiment_id"),
    **MYSQL_TABLE_ARGS,
)

trace_info = Table(
    "trace_info",
    metadata,
    Column("trace_id", String(TRACE_ID_LENGTH), nullable=False),
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), ForeignKey("experiments.experiment_id"), nullable=False),
    Column("request_time", BigInteger, nullable=False),
    Column("execution_duration", BigInteger, nullable=True),
    Column("state", String(STATE_LENGTH), nullable=False),
    Column("request_preview", Text, nullable=True),
    Column("response_preview", Text, nullable=True),
    Column("client_request_id", String(KEY_LENGTH), nullable=True),
    Column("root_span_name", String(NAME_LENGTH), nullable=True),
    Column("run_id", String(TRACE_ID_LENGTH), nullable=True),
    Column("model_id", String(TRACE_ID_LENGTH), nullable=True),
    PrimaryKeyConstraint("trace_id"),
    # The default listing and keyset paging: newest first within an experiment, trace id breaking ties.
    Index(None, "experiment_id", "request_time", "trace_id"),
    Index(None, "experiment_id", "run_id"),
    Index(None, "experiment_id", "model_id"),
    Index(None, "client_request_id"),
    **MYSQL_TABLE_ARGS,
)


def _key_value_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("trace_id", String(TRACE_ID_LENGTH), ForeignKey("trace_info.trace_id", ondelete="CASCADE"),
               nullable=False),
        Column("key", String(KEY_LENGTH), nullable=False),
        Column("value", String(TAG_VALUE_LENGTH), nullable=True),
        PrimaryKeyConstraint("trace_id", "key"),
        Index(None, "key"),
        **MYSQL_TABLE_ARGS,
    )


trace_tags = _key_value_table("trace_tags")
trace_metadata = _key_value_table("trace_metadata")

spans = Table(
    "spans",
    metadata,
    Column("trace_id", String(TRACE_ID_LENGTH), ForeignKey("trace_info.trace_id", ondelete="CASCADE"),
           nullable=False),
    Column("span_id", String(SPAN_ID_LENGTH), nullable=False),
    Column("parent_span_id", String(SPAN_ID_LENGTH), nullable=True),
    Column("name", String(NAME_LENGTH), nullable=True),
    Column("span_type", String(SPAN_TYPE_LENGTH), nullable=True),
    Column("status", String(STATE_LENGTH), nullable=True),
    Column("start_time_ns", BigInteger, nullable=False),
    Column("end_time_ns", BigInteger, nullable=True),
    Column("content", BigText, nullable=False),
    PrimaryKeyConstraint("trace_id", "span_id"),
    # span.name / span.type / span.status filters check a trace's spans from this index alone.
    Index(None, "trace_id", "name", "span_type", "status"),
    **MYSQL_TABLE_ARGS,
)

TRACEKIT_TABLES = tuple(metadata.tables)
