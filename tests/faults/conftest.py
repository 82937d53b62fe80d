"""Fault injection: hostile values and traces the destination refuses for good, on every store and through the
tracking server. Every test ends by checking that each trace is stored or accounted for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import tracekit  # noqa: E402
from tracekit.store.backend import close_backends  # noqa: E402


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Refusals and outages are decided in a fraction of a second; each test opens its stores afresh (the server
    databases are emptied between tests, so a backend kept from an earlier test would miss its tables)."""
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.2")
    tracekit.tracing.reset()
    close_backends()
    yield
    tracekit.flush_trace_async_logging()
    close_backends()
