"""The store's tables (traces, and the experiments, runs and logged models they link to), declared once with
SQLAlchemy Core; the alembic migrations mirror this file.

String lengths keep every index within MySQL's 3072-byte key limit under utf8mb4 (4 bytes a character), and MySQL
tables use the binary utf8mb4 collation so that keys and values compare case-sensitively everywhere.
Tag and metadata values are only indexed through their key: a value may be longer than a B-tree entry can be.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mysql

from tracekit.store.column_limits import (
    EXPERIMENT_ID_LENGTH,
    KEY_LENGTH,
    NAME_LENGTH,
    PARAM_VALUE_LENGTH,
    TAG_VALUE_LENGTH,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# `Index(..., info={DIALECTS: (...)})`: the index exists on these dialects only (with `.ddl_if`, which schema
# comparisons do not read; see `migrate.schema_differences`).
DIALECTS = "tracekit_dialects"

# Table options for MySQL/MariaDB; other dialects ignore them.
MYSQL_TABLE_ARGS: dict[str, Any] = {
    "mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}

TRACE_ID_LENGTH = 64
SPAN_ID_LENGTH = 32
SPAN_TYPE_LENGTH = 100
STATE_LENGTH = 32
RUN_ID_LENGTH = 64
MODEL_ID_LENGTH = 64
LOCATION_LENGTH = 1000
DATASET_ID_LENGTH = 32
DIGEST_LENGTH = 36
INPUT_TYPE_LENGTH = 16

DEFAULT_EXPERIMENT_NAME = "Default"

# JSON documents: TEXT holds 64 KB on MySQL, so use LONGTEXT there.
BigText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

metadata = MetaData(naming_convention=NAMING_CONVENTION)

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("artifact_location", String(LOCATION_LENGTH), nullable=True),
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
    # A run's or a model's traces, in one experiment or across all of them. Most traces have none of these ids, so
    # where the database can, only the rows having one are indexed (0011_trace_info_partial_indexes): a trace without
    # them costs no index entry, and a lookup by value (x = ..., x IN (...)) still uses the index.
    *(Index(None, name, postgresql_where=text(f"{name} IS NOT NULL"), sqlite_where=text(f"{name} IS NOT NULL"))
      for name in ("run_id", "model_id", "client_request_id")),
    **MYSQL_TABLE_ARGS,
)


# The rows of a trace's tags, metadata and spans name their trace without a foreign key (since 0009_trace_child_keys):
# checking one per written row was ~40% of PostgreSQL's CPU for a new trace (benchmarks/store_writes.py). Rows are
# only written with their trace_info row, in one transaction, and `SqlTraceStore.delete_traces` deletes them itself.
def _key_value_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("trace_id", String(TRACE_ID_LENGTH), nullable=False),
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
    Column("trace_id", String(TRACE_ID_LENGTH), nullable=False),
    Column("span_id", String(SPAN_ID_LENGTH), nullable=False),
    Column("parent_span_id", String(SPAN_ID_LENGTH), nullable=True),
    Column("name", String(NAME_LENGTH), nullable=True),
    Column("span_type", String(SPAN_TYPE_LENGTH), nullable=True),
    Column("status", String(STATE_LENGTH), nullable=True),
    Column("start_time_ns", BigInteger, nullable=False),
    Column("end_time_ns", BigInteger, nullable=True),
    Column("content", BigText, nullable=False),
    # span.name / span.type / span.status filters check a trace's spans from one index alone (0010_spans_covering_key):
    # PostgreSQL's key includes the columns they read, InnoDB stores rows in key order, and SQLite has its own index.
    PrimaryKeyConstraint("trace_id", "span_id", postgresql_include=["name", "span_type", "status"]),
    Index(None, "trace_id", "name", "span_type", "status", info={DIALECTS: ("sqlite",)}).ddl_if(dialect="sqlite"),
    **MYSQL_TABLE_ARGS,
)


ASSESSMENT_ID_LENGTH = 64
ASSESSMENT_KIND_LENGTH = 32

# Feedback and expectations on traces (tracekit.entities.assessment). `value` holds the value as canonical JSON text
# (what `feedback.<name> = 'yes'` compares, the JSON of 'yes'); `value_number` repeats a numeric value as a number so
# that `<`, `>` compare numerically. Filters look assessments up by (trace id, kind, name) from the trace side and by
# (kind, name) from the assessment side.
assessments = Table(
    "assessments",
    metadata,
    Column("assessment_id", String(ASSESSMENT_ID_LENGTH), nullable=False),
    Column("trace_id", String(TRACE_ID_LENGTH), ForeignKey("trace_info.trace_id", ondelete="CASCADE"),
           nullable=False),
    Column("kind", String(ASSESSMENT_KIND_LENGTH), nullable=False),
    Column("name", String(KEY_LENGTH), nullable=False),
    Column("span_id", String(SPAN_ID_LENGTH), nullable=True),
    Column("source_type", String(STATE_LENGTH), nullable=False),
    Column("source_id", String(KEY_LENGTH), nullable=False),
    Column("value", BigText, nullable=True),
    Column("value_number", Double, nullable=True),
    Column("rationale", BigText, nullable=True),
    Column("error", BigText, nullable=True),
    Column("metadata", BigText, nullable=True),
    Column("create_time_ms", BigInteger, nullable=False),
    Column("last_update_time_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("assessment_id"),
    Index(None, "trace_id", "kind", "name"),
    Index(None, "kind", "name"),
    **MYSQL_TABLE_ARGS,
)


def _owned_key_value_table(name: str, owner_column: str, owner: str, id_length: int,
                           value_length: int = TAG_VALUE_LENGTH) -> Table:
    """A (owner id, key) -> value table: tags of experiments, runs and models, params of runs and models."""
    return Table(
        name,
        metadata,
        Column(owner_column, String(id_length), ForeignKey(f"{owner}.{owner_column}", ondelete="CASCADE"),
               nullable=False),
        Column("key", String(KEY_LENGTH), nullable=False),
        Column("value", String(value_length), nullable=True),
        PrimaryKeyConstraint(owner_column, "key"),
        **MYSQL_TABLE_ARGS,
    )


def _metric_point_columns() -> list[Column]:
    """The columns of one metric point; NaN is stored as value 0 with is_nan true (SQLite turns NaN into NULL and
    MySQL cannot hold it at all)."""
    return [
        Column("key", String(KEY_LENGTH), nullable=False),
        Column("value", Double, nullable=False),
        Column("is_nan", Boolean, nullable=False),
        Column("step", BigInteger, nullable=False),
        Column("timestamp", BigInteger, nullable=False),
    ]


experiment_tags = _owned_key_value_table("experiment_tags", "experiment_id", "experiments", EXPERIMENT_ID_LENGTH)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(RUN_ID_LENGTH), nullable=False),
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), ForeignKey("experiments.experiment_id"), nullable=False),
    Column("run_name", String(NAME_LENGTH), nullable=True),
    Column("user_id", String(KEY_LENGTH), nullable=True),
    Column("status", String(STATE_LENGTH), nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger, nullable=True),
    Column("lifecycle_stage", String(STATE_LENGTH), nullable=False, server_default="active"),
    Column("artifact_uri", String(LOCATION_LENGTH), nullable=True),
    # When the run was soft-deleted (ms); `tracekit gc --older-than` purges by it.
    Column("deleted_time", BigInteger, nullable=True),
    PrimaryKeyConstraint("run_id"),
    # The default listing (newest first within an experiment) and its paging.
    Index(None, "experiment_id", "start_time", "run_id"),
    **MYSQL_TABLE_ARGS,
)

run_tags = _owned_key_value_table("run_tags", "run_id", "runs", RUN_ID_LENGTH)
params = _owned_key_value_table("params", "run_id", "runs", RUN_ID_LENGTH, PARAM_VALUE_LENGTH)

# Every logged point of every metric. A point logged twice (same key, value, step and time) is stored once.
metrics = Table(
    "metrics",
    metadata,
    Column("run_id", String(RUN_ID_LENGTH), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    *_metric_point_columns(),
    Column("model_id", String(MODEL_ID_LENGTH), nullable=True),
    # The dataset the point measured (log_metric(..., dataset=...)), by name and digest.
    Column("dataset_name", String(NAME_LENGTH), nullable=True),
    Column("dataset_digest", String(DIGEST_LENGTH), nullable=True),
    PrimaryKeyConstraint("run_id", "key", "timestamp", "step", "value", "is_nan"),
    # search_logged_models(datasets=...): a model's points of one metric.
    Index(None, "model_id", "key"),
    **MYSQL_TABLE_ARGS,
)

# Each run's current value of each metric (largest step, then latest time, then largest value): what search_runs
# filters and sorts on and what `Run.data.metrics` shows, without reading the history.
latest_metrics = Table(
    "latest_metrics",
    metadata,
    Column("run_id", String(RUN_ID_LENGTH), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    *_metric_point_columns(),
    PrimaryKeyConstraint("run_id", "key"),
    **MYSQL_TABLE_ARGS,
)

logged_models = Table(
    "logged_models",
    metadata,
    Column("model_id", String(MODEL_ID_LENGTH), nullable=False),
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), ForeignKey("experiments.experiment_id"), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("source_run_id", String(RUN_ID_LENGTH), nullable=True),
    Column("model_type", String(KEY_LENGTH), nullable=True),
    Column("status", String(STATE_LENGTH), nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    Column("lifecycle_stage", String(STATE_LENGTH), nullable=False, server_default="active"),
    Column("artifact_location", String(LOCATION_LENGTH), nullable=True),
    PrimaryKeyConstraint("model_id"),
    Index(None, "experiment_id", "creation_time", "model_id"),
    # set_active_model(name=...) looks a model up by name within an experiment.
    Index(None, "experiment_id", "name"),
    Index(None, "source_run_id"),
    **MYSQL_TABLE_ARGS,
)

logged_model_tags = _owned_key_value_table("logged_model_tags", "model_id", "logged_models", MODEL_ID_LENGTH)
logged_model_params = _owned_key_value_table("logged_model_params", "model_id", "logged_models", MODEL_ID_LENGTH,
                                             PARAM_VALUE_LENGTH)

# Each model's current value of each metric linked to it (log_metric(..., model_id=...)), chosen as for runs.
logged_model_metrics = Table(
    "logged_model_metrics",
    metadata,
    Column("model_id", String(MODEL_ID_LENGTH), ForeignKey("logged_models.model_id", ondelete="CASCADE"),
           nullable=False),
    *_metric_point_columns(),
    Column("run_id", String(RUN_ID_LENGTH), nullable=True),
    Column("dataset_name", String(NAME_LENGTH), nullable=True),
    Column("dataset_digest", String(DIGEST_LENGTH), nullable=True),
    PrimaryKeyConstraint("model_id", "key"),
    **MYSQL_TABLE_ARGS,
)

# --- datasets and run inputs --------------------------------------------------------------------------------------
# A dataset is recorded once per experiment, by name and digest; runs point at it through run_inputs.
datasets = Table(
    "datasets",
    metadata,
    Column("dataset_id", String(DATASET_ID_LENGTH), nullable=False),
    Column("experiment_id", String(EXPERIMENT_ID_LENGTH), ForeignKey("experiments.experiment_id"), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("digest", String(DIGEST_LENGTH), nullable=False),
    Column("source_type", String(KEY_LENGTH), nullable=False),
    Column("source", Text, nullable=False),
    Column("schema_json", BigText, nullable=True),
    Column("profile_json", Text, nullable=True),
    Column("creation_time", BigInteger, nullable=False),
    PrimaryKeyConstraint("dataset_id"),
    UniqueConstraint("experiment_id", "name", "digest"),
    **MYSQL_TABLE_ARGS,
)

# What a run used: a dataset (input_type DATASET, input_id a dataset_id) or a logged model (MODEL, a model_id).
run_inputs = Table(
    "run_inputs",
    metadata,
    Column("run_id", String(RUN_ID_LENGTH), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("input_type", String(INPUT_TYPE_LENGTH), nullable=False),
    Column("input_id", String(MODEL_ID_LENGTH), nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    PrimaryKeyConstraint("run_id", "input_type", "input_id"),
    # The runs that used a dataset or a model.
    Index(None, "input_type", "input_id"),
    **MYSQL_TABLE_ARGS,
)

run_input_tags = Table(
    "run_input_tags",
    metadata,
    Column("run_id", String(RUN_ID_LENGTH), nullable=False),
    Column("input_type", String(INPUT_TYPE_LENGTH), nullable=False),
    Column("input_id", String(MODEL_ID_LENGTH), nullable=False),
    Column("key", String(KEY_LENGTH), nullable=False),
    Column("value", String(TAG_VALUE_LENGTH), nullable=True),
    PrimaryKeyConstraint("run_id", "input_type", "input_id", "key"),
    ForeignKeyConstraint(["run_id", "input_type", "input_id"],
                         ["run_inputs.run_id", "run_inputs.input_type", "run_inputs.input_id"], ondelete="CASCADE"),
    **MYSQL_TABLE_ARGS,
)

# --- the model registry -------------------------------------------------------------------------------------------
# A registered model is keyed by its name; renaming it changes the key, which ON UPDATE CASCADE carries to its
# versions and from them to their tags and aliases (one chain of cascades, as MySQL checks keys row by row).
registered_models = Table(
    "registered_models",
    metadata,
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("description", Text, nullable=True),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    # The highest version number ever given, deleted versions included, so that a number is never given twice.
    Column("last_version", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("name"),
    **MYSQL_TABLE_ARGS,
)

registered_model_tags = Table(
    "registered_model_tags",
    metadata,
    Column("name", String(NAME_LENGTH), ForeignKey("registered_models.name", ondelete="CASCADE",
                                                   onupdate="CASCADE"), nullable=False),
    Column("key", String(KEY_LENGTH), nullable=False),
    Column("value", String(TAG_VALUE_LENGTH), nullable=True),
    PrimaryKeyConstraint("name", "key"),
    **MYSQL_TABLE_ARGS,
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("name", String(NAME_LENGTH), ForeignKey("registered_models.name", ondelete="CASCADE",
                                                   onupdate="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    Column("description", Text, nullable=True),
    Column("user_id", String(KEY_LENGTH), nullable=True),
    Column("current_stage", String(STATE_LENGTH), nullable=False),
    Column("source", String(LOCATION_LENGTH), nullable=False),
    Column("run_id", String(RUN_ID_LENGTH), nullable=True),
    Column("model_id", String(MODEL_ID_LENGTH), nullable=True),
    Column("run_link", String(LOCATION_LENGTH), nullable=True),
    Column("status", String(STATE_LENGTH), nullable=False),
    Column("status_message", Text, nullable=True),
    PrimaryKeyConstraint("name", "version"),
    # The versions of a run or of a logged model (search by run_id / model_id, a logged model's page).
    Index(None, "run_id"),
    Index(None, "model_id"),
    **MYSQL_TABLE_ARGS,
)


def _version_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["name", "version"], ["model_versions.name", "model_versions.version"],
                                ondelete="CASCADE", onupdate="CASCADE")


model_version_tags = Table(
    "model_version_tags",
    metadata,
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("version", Integer, nullable=False),
    Column("key", String(KEY_LENGTH), nullable=False),
    Column("value", String(TAG_VALUE_LENGTH), nullable=True),
    PrimaryKeyConstraint("name", "version", "key"),
    _version_key(),
    **MYSQL_TABLE_ARGS,
)

registered_model_aliases = Table(
    "registered_model_aliases",
    metadata,
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("alias", String(KEY_LENGTH), nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("name", "alias"),
    _version_key(),
    # The aliases of one version (its key, which MySQL would otherwise index under a name of its own).
    Index(None, "name", "version"),
    **MYSQL_TABLE_ARGS,
)

TRACEKIT_TABLES = tuple(metadata.tables)
