"""A trace export that fails for good (a wrong setting) is neither retried nor spilled: the traces go to the
dead-letter file at once, are counted as rejected, and the error is logged once with what to change; the user's
program goes on. Failures that can heal are still retried, then spilled."""

from __future__ import annotations

import json
import logging

import pytest

import tracekit
from tracekit.exceptions import TracekitException, TrackingServerUnavailableError, is_transient_error
from tracekit.exporters.memory import InMemoryTraceExporter


@tracekit.trace
def work(i: int) -> int:
    return i * 2


class MisconfiguredExporter(InMemoryTraceExporter):
    """Refuses every batch with a permanent error, like a store behind a wrong setting."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.calls = 0

    @property
    def name(self) -> str:
        return "misconfigured-destination"

    def export(self, traces):
        self.calls += 1
        raise self.error


@pytest.mark.parametrize(("error", "transient"), [
    (TracekitException.invalid_parameter_value("unknown scheme"), False),
    (TracekitException.unauthenticated("HTTP 401"), False),
    (TracekitException.permission_denied("HTTP 403"), False),
    (tracekit.ResourceNotFoundError("no experiment 42"), False),
    (TracekitException.not_implemented("HTTP 501"), False),
    (TracekitException.temporarily_unavailable("connection refused"), True),
    (TrackingServerUnavailableError("HTTP 502", "INTERNAL_ERROR"), True),
    (TracekitException("the store failed"), True),  # INTERNAL_ERROR (500)
    (TracekitException("slow down", "TOO_MANY_REQUESTS"), True),
    (ConnectionError("a custom exporter's own error"), True),
    (TimeoutError("timed out"), True),
])
def test_which_failures_can_heal(error, transient):
    assert is_transient_error(error) is transient


def _dead_letters(tmp_path) -> list[dict]:
    return [json.loads(line) for path in (tmp_path / "spill").rglob("dead/*.jsonl")
            for line in path.read_text().splitlines()]


def test_a_permanent_export_failure_is_dead_lettered_at_once_and_logged_once(tmp_path, caplog):
    exporter = MisconfiguredExporter(TracekitException.unauthenticated(
        "The tracking server refused the request (HTTP 401). Set TRACEKIT_TRACKING_TOKEN."))
    tracekit.tracing.set_exporter(exporter)
    with caplog.at_level(logging.WARNING, logger="tracekit"):
        results = [work(i) for i in range(3)]
        tracekit.flush_trace_async_logging()
        results.append(work(3))
        tracekit.flush_trace_async_logging()

    assert results == [0, 2, 4, 6]  # the program is unaffected
    stats = tracekit.tracing.stats()
    assert (stats.completed, stats.rejected, stats.retried, stats.spilled, stats.exported) == (4, 4, 0, 0, 0)
    assert exporter.calls <= 4  # one try per batch, no retries
    assert not list((tmp_path / "spill").rglob("*.open")) and not list((tmp_path / "spill").rglob("*.jsonl.*"))
    letters = _dead_letters(tmp_path)
    assert len(letters) == 4 and all("TRACEKIT_TRACKING_TOKEN" in letter["reason"] for letter in letters)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1, errors
    assert "TRACEKIT_TRACKING_TOKEN" in errors[0] and "tracekit spill list --dead" in errors[0]


def test_a_tracking_uri_from_the_environment_that_no_backend_serves_fails_at_first_use(monkeypatch, tmp_path,
                                                                                        caplog):
    monkeypatch.setenv("TRACEKIT_TRACKING_URI", "postgress://me@db.example/traces")  # a typo
    tracekit.set_tracking_uri(None)
    tracekit.tracing.reset()
    with pytest.raises(TracekitException, match="no backend handles the scheme 'postgress'"):
        tracekit.search_traces()
    with caplog.at_level(logging.ERROR, logger="tracekit"):
        assert work(21) == 42
        tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert (stats.rejected, stats.retried, stats.spilled) == (1, 0, 0)
    assert [letter["trace_id"] for letter in _dead_letters(tmp_path)] == [tracekit.get_last_active_trace_id()]
    assert any("postgress" in r.getMessage() and "postgresql://" in r.getMessage() for r in caplog.records)
    assert not list(tmp_path.glob("*.db"))  # no local file stands in for the store asked for


def test_a_store_that_is_down_is_still_retried_then_spilled(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.2")
    tracekit.tracing.reset()
    exporter = MisconfiguredExporter(TracekitException.temporarily_unavailable("connection refused"))
    tracekit.tracing.set_exporter(exporter)
    work(1)
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert stats.retried >= 1 and stats.spilled == 1 and stats.rejected == 0
    assert not _dead_letters(tmp_path)
