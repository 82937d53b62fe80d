"""Tracking tests: the fluent API on each real database (`tracking_uri`), or on the test's own SQLite file (the
default of tests/conftest.py) where the database makes no difference."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracekit
from tracekit.store.backend import close_backends


@pytest.fixture
def tracking_uri(db_uri) -> Iterator[str]:
    """The current tracking URI set to an empty database of each kind."""
    close_backends()  # a store cached for a server database from an earlier test knows tables that were dropped
    tracekit.set_tracking_uri(db_uri)
    yield db_uri
    tracekit.flush_trace_async_logging()
    close_backends()

