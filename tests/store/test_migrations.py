"""Schema migrations: first use, agreement with schema.py, refusing unknown revisions, the `tracekit db upgrade` CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from databases import BACKENDS, empty_server_database
from sqlalchemy import inspect, select, text

from tracekit.cli import main
from tracekit.entities.assessment import Feedback, new_assessment_id
from tracekit.exceptions import TracekitException
from tracekit.store.sql import migrate, schema
from tracekit.store.sql.engine import create_store_engine
from tracekit.store.sql.traces import SqlTraceStore

FUTURE_REVISION = "9999_from_the_future"


@pytest.fixture(params=BACKENDS)
def db_uri(request, tmp_path) -> str:
    """A database of each kind with no tables at all: a new SQLite file, or this run's bare server database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return empty_server_database(request.param)


@pytest.fixture
def engine(db_uri):
    created = create_store_engine(db_uri)
    yield created
    created.dispose()


def stamp(engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


def test_new_sqlite_file_is_created_and_migrated_on_first_use(tmp_path):
    path = tmp_path / "nested" / "dirs" / "traces.db"
    store = SqlTraceStore(f"sqlite:///{path}")
    try:
        assert path.exists()
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        with store.engine.connect() as connection:
            default = connection.execute(select(schema.experiments)).one()
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (default.experiment_id, default.name) == ("0", "Default")
    finally:
        store.close()


def test_relative_sqlite_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    SqlTraceStore("sqlite:///relative.db").close()
    assert (tmp_path / "relative.db").exists()


def test_empty_server_database_is_migrated_on_first_use(db_uri):
    store = SqlTraceStore(db_uri)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
    finally:
        store.close()


def test_migrated_database_matches_schema_py(engine):
    before, after = migrate.upgrade(engine)
    assert (before, after) == (None, migrate.head_revision())
    with engine.connect() as connection:
        assert migrate.schema_differences(connection) == []


def test_a_database_at_0001_keeps_its_traces_when_upgraded(engine):
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001_initial")
        connection.execute(schema.trace_info.insert(), [{
            "trace_id": "tr-" + "a" * 32, "experiment_id": "0", "request_time": 1, "state": "OK", "run_id": "r1"}])
    assert migrate.upgrade(engine) == ("0001_initial", migrate.head_revision())
    with engine.connect() as connection:
        assert connection.execute(select(schema.trace_info.c.run_id)).scalar() == "r1"
        indexes = {index["name"] for index in inspect(connection).get_indexes("trace_info")}
    assert {"ix_trace_info_run_id", "ix_trace_info_model_id"} <= indexes


def test_upgrade_twice_is_a_no_op(engine):
    migrate.upgrade(engine)
    assert migrate.upgrade(engine) == (migrate.head_revision(), migrate.head_revision())


def test_database_from_a_newer_tracekit_is_refused(engine, db_uri):
    migrate.upgrade(engine)
    stamp(engine, FUTURE_REVISION)
    with pytest.raises(TracekitException, match="newer than this tracekit.*Upgrade tracekit") as raised:
        SqlTraceStore(db_uri)
    assert FUTURE_REVISION in str(raised.value)
    with pytest.raises(TracekitException, match="newer than this tracekit"):
        migrate.upgrade(engine)


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])  # SQLite files are upgraded automatically
def test_older_server_schema_asks_for_db_upgrade(backend, monkeypatch):
    db_uri = empty_server_database(backend)
    engine = create_store_engine(db_uri)
    migrate.upgrade(engine)
    engine.dispose()
    # Pretend this tracekit knows a newer revision than the database has.
    known = migrate.known_revisions()
    monkeypatch.setattr(migrate, "head_revision", lambda: "9000_next")
    monkeypatch.setattr(migrate, "known_revisions", lambda: known | {"9000_next"})
    with pytest.raises(TracekitException, match="tracekit db upgrade"):
        SqlTraceStore(db_uri)


def test_tables_not_made_by_tracekit_are_refused(engine, db_uri):
    schema.metadata.create_all(engine)
    with pytest.raises(TracekitException, match="no tracekit schema revision"):
        SqlTraceStore(db_uri)


def test_cli_db_upgrade(db_uri):
    runner = CliRunner()
    first = runner.invoke(main, ["db", "upgrade", db_uri])
    assert first.exit_code == 0, first.output
    assert "revision before upgrade: (none, new database)" in first.output
    assert f"Upgraded to revision {migrate.head_revision()}" in first.output
    second = runner.invoke(main, ["db", "upgrade", db_uri])
    assert second.exit_code == 0, second.output
    assert f"revision before upgrade: {migrate.head_revision()}" in second.output
    assert "nothing to do" in second.output


def test_cli_db_upgrade_refuses_a_newer_database(engine, db_uri):
    migrate.upgrade(engine)
    stamp(engine, FUTURE_REVISION)
    result = CliRunner().invoke(main, ["db", "upgrade", db_uri])
    assert result.exit_code == 1
    assert "newer than this tracekit" in result.output


@pytest.mark.slow
def test_cli_db_upgrade_as_a_subprocess(tmp_path):
    script = Path(sys.executable).with_name("tracekit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tracekit.cli"]
    uri = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run([*command, "db", "upgrade", uri], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert migrate.head_revision() in result.stdout
    engine = create_store_engine(uri)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
    failed = subprocess.run([*command, "db", "upgrade", "postgresql://me:hunter2@127.0.0.1:1/nothing"],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "postgresql://me:***@127.0.0.1:1/nothing" in failed.stderr
    assert "hunter2" not in failed.stderr


def test_cli_help_texts():
    runner = CliRunner()
    assert "db" in runner.invoke(main, ["--help"]).output
    assert "upgrade" in runner.invoke(main, ["db", "--help"]).output
    upgrade_help = runner.invoke(main, ["db", "upgrade", "--help"]).output
    assert "URI" in upgrade_help and "Back up" in upgrade_help


def test_a_database_at_0002_has_its_run_system_tags_renamed_to_mlflow_names(engine):
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_tracking")
        if connection.execute(select(schema.experiments)).first() is None:
            connection.execute(schema.experiments.insert(), [{"experiment_id": "0", "name": "Default"}])
        connection.execute(schema.runs.insert(), [
            {"run_id": run_id, "experiment_id": "0", "status": "FINISHED", "start_time": 1}
            for run_id in ("parent", "child")])
        connection.execute(schema.run_tags.insert(), [
            {"run_id": "child", "key": "tracekit.parentRunId", "value": "parent"},
            {"run_id": "child", "key": "tracekit.runName", "value": "child"},
            {"run_id": "child", "key": "team", "value": "nlp"},
            {"run_id": "parent", "key": "tracekit.note.content", "value": "old note"},
            {"run_id": "parent", "key": "mlflow.note.content", "value": "set by hand"}])
    assert migrate.upgrade(engine) == ("0002_tracking", migrate.head_revision())
    with engine.connect() as connection:
        rows = connection.execute(select(schema.run_tags.c.run_id, schema.run_tags.c.key, schema.run_tags.c.value))
        tags = {(row.run_id, row.key): row.value for row in rows}
    assert tags == {("child", "mlflow.parentRunId"): "parent", ("child", "mlflow.runName"): "child",
                    ("child", "team"): "nlp", ("parent", "mlflow.note.content"): "set by hand"}


def test_a_database_at_0005_gains_assessments_and_keeps_its_traces(engine, db_uri):
    config = migrate.alembic_config()
    trace_id = "tr-" + "b" * 32
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005_model_registry")
        if connection.execute(select(schema.experiments)).first() is None:
            connection.execute(schema.experiments.insert(), [{"experiment_id": "0", "name": "Default"}])
        connection.execute(schema.trace_info.insert(), [
            {"trace_id": trace_id, "experiment_id": "0", "request_time": 1, "state": "OK"}])
        assert "assessments" not in inspect(connection).get_table_names()
    assert migrate.upgrade(engine) == ("0005_model_registry", migrate.head_revision())
    with engine.connect() as connection:
        indexes = {index["name"] for index in inspect(connection).get_indexes("assessments")}
    assert {"ix_assessments_trace_id_kind_name", "ix_assessments_kind_name"} <= indexes
    store = SqlTraceStore(db_uri)
    try:
        feedback = Feedback(name="ok", value=True, trace_id=trace_id, assessment_id=new_assessment_id())
        store.log_assessment(feedback)
        assert store.get_trace(trace_id).info.assessments == [feedback]
    finally:
        store.close()


def _trace_keys(connection) -> dict[str, list[str]]:
    inspector = inspect(connection)
    return {table: [key["referred_table"] for key in inspector.get_foreign_keys(table)]
            for table in ("spans", "trace_tags", "trace_metadata", "assessments")}


def test_0009_drops_the_trace_keys_of_spans_tags_and_metadata_and_downgrade_puts_them_back(engine):
    config = migrate.alembic_config()
    trace_id, orphan_id = "tr-" + "c" * 32, "tr-" + "d" * 32
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008_run_deleted_time")
        if connection.execute(select(schema.experiments)).first() is None:
            connection.execute(schema.experiments.insert(), [{"experiment_id": "0", "name": "Default"}])
        connection.execute(schema.trace_info.insert(), [
            {"trace_id": trace_id, "experiment_id": "0", "request_time": 1, "state": "OK"}])
        connection.execute(schema.spans.insert(), [
            {"trace_id": trace_id, "span_id": "s1", "start_time_ns": 1, "content": "{}"}])
        assert _trace_keys(connection) == {table: ["trace_info"] for table in
                                           ("spans", "trace_tags", "trace_metadata", "assessments")}
    assert migrate.upgrade(engine) == ("0008_run_deleted_time", migrate.head_revision())
    with engine.begin() as connection:
        assert _trace_keys(connection) == {"spans": [], "trace_tags": [], "trace_metadata": [],
                                           "assessments": ["trace_info"]}
        assert connection.scalar(select(schema.spans.c.trace_id)) == trace_id
        # a row no trace holds: the keys could not come back over it
        connection.execute(schema.trace_tags.insert(), [{"trace_id": orphan_id, "key": "k", "value": "v"}])

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_run_deleted_time")
    with engine.connect() as connection:
        assert _trace_keys(connection) == {table: ["trace_info"] for table in
                                           ("spans", "trace_tags", "trace_metadata", "assessments")}
        assert connection.scalar(select(schema.spans.c.trace_id)) == trace_id
        assert connection.execute(select(schema.trace_tags)).all() == []


def _span_indexes(connection) -> dict[str, list[str]]:
    """The spans table's key and index columns: on PostgreSQL the key's INCLUDE columns follow a "+"."""
    if connection.dialect.name == "postgresql":
        key = connection.scalar(text(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'spans'::regclass AND indisprimary"))
        key_columns, _, included = key.split("(", 1)[1].rstrip(")").partition(") INCLUDE (")
        names = [name.strip() for name in key_columns.split(",")]
        names += ["+" + name.strip() for name in included.split(",") if name.strip()]
    else:
        names = inspect(connection).get_pk_constraint("spans")["constrained_columns"]
    found = {"key": names}
    found.update({index["name"]: index["column_names"] for index in inspect(connection).get_indexes("spans")})
    return found


def test_0010_lets_the_spans_key_serve_span_filters_and_downgrade_puts_the_index_back(engine):
    config = migrate.alembic_config()
    trace_id = "tr-" + "e" * 32
    before = {"key": ["trace_id", "span_id"],
              "ix_spans_trace_id_name_span_type_status": ["trace_id", "name", "span_type", "status"]}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009_trace_child_keys")
        connection.execute(schema.spans.insert(), [
            {"trace_id": trace_id, "span_id": "s1", "name": "llm", "start_time_ns": 1, "content": "{}"}])
        assert _span_indexes(connection) == before
    assert migrate.upgrade(engine) == ("0009_trace_child_keys", migrate.head_revision())
    with engine.begin() as connection:
        after = {"postgresql": {"key": ["trace_id", "span_id", "+name", "+span_type", "+status"]},
                 "sqlite": before}.get(connection.dialect.name, {"key": ["trace_id", "span_id"]})
        assert _span_indexes(connection) == after
        assert connection.scalar(select(schema.spans.c.name).where(schema.spans.c.trace_id == trace_id)) == "llm"
        assert migrate.schema_differences(connection) == []
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_trace_child_keys")
    with engine.connect() as connection:
        assert _span_indexes(connection) == before
        assert connection.scalar(select(schema.spans.c.name).where(schema.spans.c.trace_id == trace_id)) == "llm"


def _trace_info_lookup_indexes(connection) -> dict[str, str]:
    """The SQL of trace_info's run_id, model_id and client_request_id indexes, lower case (MySQL: their columns)."""
    names = [f"ix_trace_info_{column}" for column in ("run_id", "model_id", "client_request_id")]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'trace_info'"))
    elif dialect == "sqlite":
        rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'trace_info'"))
    else:
        rows = ((index["name"], ",".join(index["column_names"]))
                for index in inspect(connection).get_indexes("trace_info"))
    return {name: " ".join(sql.lower().replace('"', "").split()) for name, sql in rows if name in names}


def test_0011_indexes_only_trace_info_rows_having_a_run_model_or_request_id(engine):
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010_spans_covering_key")
        before = _trace_info_lookup_indexes(connection)
    assert len(before) == 3 and not any("where" in sql for sql in before.values())
    migrate.upgrade(engine)
    with engine.connect() as connection:
        after = _trace_info_lookup_indexes(connection)
        assert migrate.schema_differences(connection) == []
        if connection.dialect.name in ("postgresql", "sqlite"):
            assert {name: sql.rsplit(" where ", 1)[1].strip("()") for name, sql in after.items()} == {
                f"ix_trace_info_{column}": f"{column} is not null"
                for column in ("run_id", "model_id", "client_request_id")}
        else:
            assert after == before
    # the indexes still find a run's, a model's and a request's traces
    store = SqlTraceStore(str(engine.url.render_as_string(hide_password=False)))
    try:
        with store.engine.begin() as connection:
            connection.execute(schema.trace_info.insert(), [
                {"trace_id": f"tr-{number:032x}", "experiment_id": "0", "request_time": number, "state": "OK",
                 "run_id": "run-a" if number % 2 else None, "client_request_id": f"req-{number}" if number < 2
                 else None} for number in range(4)])
            run_traces = connection.scalars(select(schema.trace_info.c.trace_id)
                                            .where(schema.trace_info.c.run_id == "run-a")).all()
            assert sorted(run_traces) == [f"tr-{1:032x}", f"tr-{3:032x}"]
            assert connection.scalar(select(schema.trace_info.c.trace_id)
                                     .where(schema.trace_info.c.client_request_id == "req-1")) == f"tr-{1:032x}"
    finally:
        store.close()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_spans_covering_key")
        assert _trace_info_lookup_indexes(connection) == before
