"""`tracekit gc` and the server's trace retention on each real database: old traces go with everything stored under
them, soft-deleted runs and experiments are purged for good, and nothing else is touched."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import tracekit
from tracekit.cli import main
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.server.app import create_app
from tracekit.server.settings import ServerSettings
from tracekit.store.backend import get_backend
from tracekit.tracking.garbage_collection import collect_garbage, parse_duration

MS = 1_000_000
DAY_MS = 86_400_000


def trace_at(client: tracekit.TracekitClient, name: str, start_ms: int) -> str:
    """A finished trace of two spans whose request time is `start_ms`, tagged; returns its id."""
    root = client.start_trace(name, start_time_ns=start_ms * MS)
    child = client.start_span("child", trace_id=root.trace_id, parent_id=root.span_id, start_time_ns=start_ms * MS)
    client.end_span(root.trace_id, child.span_id, end_time_ns=(start_ms + 1) * MS)
    client.end_trace(root.trace_id, end_time_ns=(start_ms + 5) * MS)
    client.set_trace_tag(root.trace_id, "kept", "maybe")
    return root.trace_id


def gc(uri: str, *args: str):
    result = CliRunner().invoke(main, ["gc", "--tracking-uri", uri, *args])
    return result


def ids_of(experiment_id: str) -> set[str]:
    return {trace.info.trace_id
            for trace in tracekit.search_traces([experiment_id], return_type="list", include_spans=False)}


def test_gc_deletes_only_traces_older_than_the_cutoff(tracking_uri):
    client = tracekit.TracekitClient()
    now = int(time.time() * 1000)
    old = [trace_at(client, f"old{n}", now - 40 * DAY_MS - n) for n in range(30)]
    recent = [trace_at(client, f"new{n}", now - 2 * DAY_MS - n) for n in range(5)]
    experiment_id = client.get_trace(old[0]).info.experiment_id

    result = gc(tracking_uri, "--older-than", "30d", "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted 30 traces" in result.output
    assert ids_of(experiment_id) == set(recent)
    assert client.get_trace(old[0]) is None
    assert len(client.get_trace(recent[0]).data.spans) == 2


def test_gc_dry_run_counts_and_deletes_nothing(tracking_uri):
    client = tracekit.TracekitClient()
    now = int(time.time() * 1000)
    traces = [trace_at(client, f"old{n}", now - 10 * DAY_MS) for n in range(3)]
    run = tracekit.start_run()
    tracekit.end_run()
    tracekit.delete_run(run.info.run_id)

    result = gc(tracking_uri, "--older-than", "1d", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would delete 3 traces; would purge 0 runs" in result.output  # deleted just now: not older than 1d
    assert ids_of(client.get_trace(traces[0]).info.experiment_id) == set(traces)
    assert tracekit.get_run(run.info.run_id).info.lifecycle_stage == "deleted"


def test_gc_asks_before_deleting_traces_and_stops_on_no(tracking_uri):
    client = tracekit.TracekitClient()
    trace_id = trace_at(client, "old", int(time.time() * 1000) - 10 * DAY_MS)
    result = CliRunner().invoke(main, ["gc", "--tracking-uri", tracking_uri, "--older-than", "1d"], input="n\n")
    assert "Delete 1 traces older than 1d" in result.output
    assert result.exit_code == 1
    assert client.get_trace(trace_id) is not None


def test_gc_purges_deleted_runs_with_their_data_and_artifacts(tracking_uri, tmp_path):
    experiment_id = tracekit.create_experiment("purge-me-not", artifact_location=str(tmp_path / "artifacts"))
    with tracekit.start_run(experiment_id=experiment_id) as doomed:
        tracekit.log_metric("loss", 0.5)
        tracekit.log_input(tracekit.data.from_pandas(pd.DataFrame({"x": [1]}), name="train"))
        tracekit.log_param("lr", "0.1")
        tracekit.set_tag("team", "a")
        tracekit.log_text("hello", "notes.txt")
    with tracekit.start_run(experiment_id=experiment_id) as kept:
        tracekit.log_metric("loss", 0.4)
        tracekit.log_text("hello", "notes.txt")
    doomed_dir = Path(tracekit.get_run(doomed.info.run_id).info.artifact_uri)
    assert (doomed_dir / "notes.txt").is_file()
    tracekit.delete_run(doomed.info.run_id)

    result = gc(tracking_uri)
    assert result.exit_code == 0, result.output
    assert "purged 1 runs and 0 experiments" in result.output
    with pytest.raises(ResourceNotFoundError):
        tracekit.get_run(doomed.info.run_id)
    assert not doomed_dir.exists()
    survivor = tracekit.get_run(kept.info.run_id)
    assert survivor.data.metrics == {"loss": 0.4}
    assert Path(survivor.info.artifact_uri, "notes.txt").is_file()
    assert tracekit.search_runs([experiment_id], run_view_type=tracekit.ViewType.ALL,
                                output_format="list")[0].info.run_id == kept.info.run_id


def test_gc_older_than_keeps_runs_deleted_recently(tracking_uri):
    with tracekit.start_run() as run:
        pass
    tracekit.delete_run(run.info.run_id)
    result = gc(tracking_uri, "--older-than", "1h", "--no-traces")
    assert "purged 0 runs" in result.output
    assert tracekit.get_run(run.info.run_id).info.lifecycle_stage == "deleted"


def test_gc_purges_a_deleted_experiment_with_its_runs_traces_and_models(tracking_uri):
    experiment_id = tracekit.create_experiment("short-lived")
    other_id = tracekit.create_experiment("long-lived")
    client = tracekit.TracekitClient()
    with tracekit.start_run(experiment_id=experiment_id) as run:
        tracekit.log_metric("acc", 0.9)
        tracekit.log_input(tracekit.data.from_pandas(pd.DataFrame({"x": [1, 2]}), name="train"), context="training")
        model = tracekit.create_external_model(name="m")
        client.set_trace_tag(trace_at(client, "t", int(time.time() * 1000)), "x", "y")
    tracekit.set_experiment(experiment_id=other_id)
    kept_trace = trace_at(client, "kept", int(time.time() * 1000))
    tracekit.delete_experiment(experiment_id)

    result = gc(tracking_uri)
    assert result.exit_code == 0, result.output
    assert "purged 1 runs and 1 experiments" in result.output
    with pytest.raises(TracekitException):
        tracekit.get_experiment(experiment_id)
    with pytest.raises(ResourceNotFoundError):
        tracekit.get_run(run.info.run_id)
    with pytest.raises(ResourceNotFoundError):
        tracekit.get_logged_model(model.model_id)
    assert ids_of(other_id) == {kept_trace}
    # The name is free again once the experiment is gone for good.
    assert tracekit.create_experiment("short-lived") != experiment_id


def test_gc_run_ids_must_name_deleted_runs(tracking_uri):
    with tracekit.start_run() as run:
        pass
    result = gc(tracking_uri, "--run-ids", run.info.run_id)
    assert result.exit_code == 1
    assert f"not in the deleted stage (delete them first, or check the ids): {run.info.run_id}" in result.output
    assert tracekit.get_run(run.info.run_id).info.lifecycle_stage == "active"


def store_old_traces(uri: str, count: int) -> int:
    """Make `uri` the tracking URI and store `count` traces there, 1 ms apart from 5 days ago; that start, in ms."""
    tracekit.set_tracking_uri(uri)
    client = tracekit.TracekitClient()
    start = int(time.time() * 1000) - 5 * DAY_MS
    for n in range(count):
        trace_at(client, f"t{n}", start + n)
    tracekit.flush_trace_async_logging()
    return start


def test_gc_deletes_in_transactions_near_the_hold_target(tmp_path):
    """Many traces in one experiment go in several batches, none much longer than the target."""
    uri = f"sqlite:///{tmp_path / 'many.db'}"
    start = store_old_traces(uri, 3000)
    batches: list[int] = []
    from tracekit.tracking.garbage_collection import delete_traces_older_than

    deleted = delete_traces_older_than(get_backend(uri).traces, start + 10_000, ["0"], max_hold_ms=100,
                                       on_batch=lambda count, _ms: batches.append(count))
    assert deleted == 3000
    assert len(batches) > 1 and sum(batches) == 3000
    assert tracekit.search_traces(["0"], return_type="list") == []


def test_a_writer_that_finds_the_database_locked_by_gc_gets_in_before_the_next_batch(tmp_path):
    """A program writing while gc deletes waits for the batch under way, not for the ones after it: gc pauses after
    each batch, and the waiting writer takes the database then."""
    path = tmp_path / "busy.db"
    uri = f"sqlite:///{path}"
    start = store_old_traces(uri, 2000)
    batch_ends: list[float] = []
    writer_done: list[float] = []

    def write() -> None:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # the database's write lock, as a store's write takes it
            connection.execute("COMMIT")
            writer_done.append(time.perf_counter())
        finally:
            connection.close()

    writer = threading.Thread(target=write)

    def on_batch(_count: int, _ms: float) -> None:
        batch_ends.append(time.perf_counter())
        if len(batch_ends) == 1:
            writer.start()

    from tracekit.tracking.garbage_collection import delete_traces_older_than

    deleted = delete_traces_older_than(get_backend(uri).traces, start + 10_000, ["0"], max_hold_ms=5,
                                       on_batch=on_batch)
    writer.join()
    assert deleted == 2000 and len(batch_ends) > 2
    assert writer_done[0] < batch_ends[1]


@pytest.mark.parametrize("text, expected", [("30d", 30 * DAY_MS), ("1d2h", DAY_MS + 7_200_000), ("90m", 5_400_000),
                                            ("45s", 45_000), (" 2H ", 7_200_000)])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "d", "3w", "1d-2h", "-1d"])
def test_bad_durations_say_how_to_write_them(text):
    with pytest.raises(TracekitException, match="e.g. '30d'"):
        parse_duration(text)


def test_gc_on_a_tracking_server_uri_says_where_to_run_it(tmp_path):
    result = CliRunner().invoke(main, ["gc", "--tracking-uri", "http://127.0.0.1:9", "--dry-run"])
    assert result.exit_code == 1
    assert "not a SQL database" in result.output or "could not" in result.output.lower()


def test_server_trace_retention_deletes_expired_traces_in_the_background(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'served.db'}"
    tracekit.set_tracking_uri(uri)
    client = tracekit.TracekitClient()
    now = int(time.time() * 1000)
    old = trace_at(client, "old", now - 3 * DAY_MS)
    new = trace_at(client, "new", now)
    tracekit.flush_trace_async_logging()
    monkeypatch.setenv("TRACEKIT_SERVER_RETENTION_INTERVAL_SECONDS", "1")
    app = create_app(ServerSettings(backend_store_uri=uri, trace_retention_days=1, serve_artifacts=False))
    with TestClient(app):
        deadline = time.monotonic() + 20
        while client.get_trace(old) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert client.get_trace(old) is None
    assert client.get_trace(new) is not None


def test_negative_retention_is_refused():
    with pytest.raises(TracekitException, match="trace retention"):
        ServerSettings(trace_retention_days=-1)


def test_collect_garbage_refuses_a_negative_age(tmp_path):
    backend = get_backend(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(TracekitException, match="must not be negative"):
        collect_garbage(backend, older_than_ms=-5)
