"""Tracking tests: the fluent API on each real database (`tracking_uri`), or on the test's own SQLite file (the
default of tests/conftest.py) where the database makes no difference."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracekit
from tracekit.store.backend import close_backends


@pytest.fixture
def tracking_uri(db_uri) -> Iterator[str]:
    """The current tracking URI set to an emptied database of each kind."""
    close_backends()  # no store (or its caches) kept from an earlier test on the same server database
    tracekit.set_tracking_uri(db_uri)
    yield db_uri
    tracekit.flush_trace_async_logging()
    close_backends()

