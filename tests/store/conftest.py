"""Store tests run against real databases: a SQLite file, and the PostgreSQL and MariaDB servers on 127.0.0.1.

Server databases come from `tests/databases.py` (skip when unreachable, fail under CI=true), emptied for each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from databases import empty_server_database
from trace_builders import build_trace
from tracekit.entities import Trace
from tracekit.store.sql_store import SqlTraceStore

BACKENDS = ("sqlite", "postgresql", "mysql")


@pytest.fixture(params=BACKENDS)
def db_uri(request, tmp_path) -> str:
    """The URI of an empty database of each kind: a new SQLite file, or a server database with no tables."""
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return empty_server_database(backend)


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
