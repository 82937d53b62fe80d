"""Store tests run against real databases (the `db_uri` fixture of tests/conftest.py): a SQLite file, and the
PostgreSQL and MariaDB servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from trace_builders import build_trace

from tracekit.entities import Trace
from tracekit.store.sql.traces import SqlTraceStore


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
