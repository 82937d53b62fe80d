"""Store tests run against real databases: a SQLite file, and the PostgreSQL and MariaDB servers on 127.0.0.1.

A server that cannot be reached skips its tests, except under CI=true, where it fails them. The server databases are
shared, so each test starts by dropping every table in them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import MetaData

from trace_builders import build_trace
from tracekit.entities import Trace
from tracekit.store.engine import check_connection, create_store_engine
from tracekit.store.sql_store import SqlTraceStore

SERVER_URIS = {
    "postgresql": os.environ.get("TRACEKIT_TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("TRACEKIT_TEST_MYSQL_URI", "mysql://root@127.0.0.1:3306/test"),
}
BACKENDS = ("sqlite", "postgresql", "mysql")


def _unavailable(backend: str, reason: str) -> None:
    message = f"{backend} test database unavailable: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def drop_all_tables(uri: str) -> None:
    """Empty a shared test database: drop every table in it, alembic_version included."""
    engine = create_store_engine(uri)
    try:
        check_connection(engine, uri)
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_uri(request, tmp_path) -> str:
    """The URI of an empty database of each kind: a new SQLite file, or a server database with no tables."""
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    uri = SERVER_URIS[backend]
    try:
        drop_all_tables(uri)
    except Exception as error:  # noqa: BLE001 - any failure to reach the server decides skip or fail
        _unavailable(backend, str(error))
    return uri


@pytest.fixture
def store(db_uri) -> Iterator[SqlTraceStore]:
    """A fresh store on each database kind."""
    opened = SqlTraceStore(db_uri)
    yield opened
    opened.close()


@pytest.fixture
def make_trace() -> Callable[..., Trace]:
    """Factory of three-span test traces (see `build_trace` for the knobs)."""
    return build_trace
