"""Every test starts with a fresh tracing runtime, its own SQLite file as tracking store and its own spill folder,
and with TRACEKIT_RAISE_INTERNAL_ERRORS on: a failure inside tracekit fails the test instead of being logged and
swallowed (tests of the swallowing itself use `internal_errors_swallowed`).

Tests of the stores run against real databases through `db_uri`: a copy of a migrated SQLite file, and the PostgreSQL
and MariaDB servers on 127.0.0.1 (see `tests/databases.py`: unreachable servers skip, or fail under CI=true; the run
creates its own databases there, migrates them once, empties their rows before each test and drops them when the
session ends).

Under CI=true no test may skip: `tests/ci_skips.py`, loaded here as a plugin, reports every skip as a failure
naming its reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from databases import BACKENDS, drop_created_databases, server_database

import tracekit
from tracekit import config
from tracekit.exporters.memory import InMemoryTraceExporter
from tracekit.tracing.safety import forget_reported_errors
from tracekit.tracking import state as tracking_state

pytest_plugins = ("ci_skips",)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A SQLite file migrated once per run; copying it is some 20 times faster than migrating a new file."""
    from tracekit.store.sql.traces import SqlTraceStore

    path = tmp_path_factory.mktemp("template") / "migrated.db"
    SqlTraceStore(f"sqlite:///{path}").close()
    assert not path.with_name(path.name + "-wal").exists(), "closing the last connection checkpoints the WAL"
    return path


@pytest.fixture(params=BACKENDS)
def db_uri(request, tmp_path, migrated_sqlite_file) -> str:
    """The URI of a migrated database of each kind holding no traces or tracking data: a copy of the migrated SQLite
    file, or this run's migrated server database with its rows emptied."""
    backend = request.param
    if backend == "sqlite":
        copy = shutil.copyfile(migrated_sqlite_file, tmp_path / "store.db")
        return f"sqlite:///{copy}"
    return server_database(backend)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop the databases this run created on the servers, whatever the outcome."""
    drop_created_databases()


@pytest.fixture(autouse=True)
def isolated_tracekit(tmp_path, monkeypatch):
    """Point tracekit at files under this test's tmp_path and start from clean state."""
    for setting in vars(config).values():
        for other_name in setting.names[1:] if isinstance(setting, config.Setting) else ():
            monkeypatch.delenv(other_name, raising=False)  # an MLFLOW_* variable or alias of the developer's shell
    monkeypatch.setenv("TRACEKIT_SPILL_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "2")
    monkeypatch.setenv(config.RAISE_INTERNAL_ERRORS.name, "true")
    monkeypatch.chdir(tmp_path)
    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'tracekit.db'}")
    tracekit.set_registry_uri(None)
    tracekit.tracing.set_exporter(None)
    tracekit.tracing.enable()
    tracekit.tracing.reset()
    tracking_state.reset()
    yield
    tracking_state.reset()
    tracekit.tracing.enable()
    tracekit.tracing.set_exporter(None)
    tracekit.set_tracking_uri(None)
    tracekit.set_registry_uri(None)


@pytest.fixture
def internal_errors_swallowed(monkeypatch) -> None:
    """Failures inside tracekit are logged and swallowed, as for users, each place's first one logged at WARNING."""
    monkeypatch.setenv(config.RAISE_INTERNAL_ERRORS.name, "false")
    forget_reported_errors()


@pytest.fixture
def fresh_global_tracer_provider():
    """No global OpenTelemetry provider set during the test (OpenTelemetry lets one be set once per process, so this
    resets its private once-flag); afterwards tracekit leaves join mode and the original global state comes back."""
    from opentelemetry import trace as trace_api
    from opentelemetry.util._once import Once

    saved = trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE
    trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE = None, Once()
    yield
    tracekit.tracing.reset()
    trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE = saved


@pytest.fixture
def exporter() -> InMemoryTraceExporter:
    """An in-memory exporter receiving this test's traces."""
    memory = InMemoryTraceExporter()
    tracekit.tracing.set_exporter(memory)
    return memory


@pytest.fixture
def exported(exporter):
    """Call to flush and get every trace exported so far."""

    def collect() -> list[tracekit.Trace]:
        tracekit.flush_trace_async_logging()
        return exporter.traces

    return collect


@pytest.fixture
def postgres_uri() -> str:
    """This run's migrated PostgreSQL database, its rows emptied (skipped when unreachable, failed under CI=true)."""
    return server_database("postgresql")


@pytest.fixture
def sql_statements():
    """Every SQL statement any SQLAlchemy engine of this process runs during the test (the in-process tracking
    server's too), in order."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield statements
    event.remove(Engine, "before_cursor_execute", record)
