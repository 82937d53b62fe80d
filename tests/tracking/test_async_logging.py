"""Asynchronous logging: `synchronous=False` (or TRACEKIT_ENABLE_ASYNC_LOGGING) queues metrics, params and tags
for a background thread, returns a RunOperations whose `wait()` raises what went wrong, and loses nothing:
`flush_async_logging()`, `end_run` and process exit write everything queued."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import tracekit
from tracekit import RunOperations, TracekitException
from tracekit.store.backend import get_backend
from tracekit.tracking.async_logging import AsyncLogger


def test_async_calls_return_run_operations_and_are_written_once_waited(tracking_uri):
    with tracekit.start_run() as run:
        operations = [
            tracekit.log_metric("loss", 0.5, step=1, synchronous=False),
            tracekit.log_metrics({"acc": 0.9, "f1": 0.8}, synchronous=False),
            tracekit.log_param("lr", 0.01, synchronous=False),
            tracekit.log_params({"depth": 3}, synchronous=False),
            tracekit.set_tag("stage", "dev", synchronous=False),
            tracekit.set_tags({"team": "ml"}, synchronous=False),
        ]
        assert all(isinstance(op, RunOperations) for op in operations)
        for op in operations:
            op.wait()
        stored = tracekit.get_run(run.info.run_id).data
    assert stored.metrics == {"loss": 0.5, "acc": 0.9, "f1": 0.8}
    assert stored.params == {"lr": "0.01", "depth": "3"}
    assert stored.tags["stage"] == "dev" and stored.tags["team"] == "ml"


def test_synchronous_calls_keep_their_return_values(tracking_uri):
    with tracekit.start_run():
        assert tracekit.log_param("lr", 0.1) == 0.1
        assert tracekit.log_metric("loss", 1.0) is None
        assert tracekit.set_tag("a", "b") is None


def test_many_async_points_all_arrive_in_order_after_flush(tracking_uri):
    with tracekit.start_run() as run:
        for step in range(500):
            tracekit.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=False)
        tracekit.flush_async_logging()
        history = tracekit.get_metric_history(run.info.run_id, "loss")
    assert [point.step for point in history] == list(range(500))


def test_end_run_writes_what_is_queued_before_ending(tracking_uri):
    with tracekit.start_run() as run:
        for step in range(50):
            tracekit.log_metric("x", step, step=step, synchronous=False)
    assert len(tracekit.get_metric_history(run.info.run_id, "x")) == 50


def test_environment_variable_makes_logging_async(tracking_uri, monkeypatch):
    monkeypatch.setenv("TRACEKIT_ENABLE_ASYNC_LOGGING", "true")
    with tracekit.start_run() as run:
        operation = tracekit.log_metric("m", 1.0)
        assert isinstance(operation, RunOperations)
        operation.wait()
        assert tracekit.log_param("p", 1, synchronous=True) == 1
    assert tracekit.get_run(run.info.run_id).data.metrics == {"m": 1.0}


def test_a_failed_async_write_raises_on_wait_and_spares_other_calls(tracking_uri, caplog):
    with tracekit.start_run() as run:
        tracekit.log_param("lr", 0.1)
        good_before = tracekit.log_metric("a", 1.0, synchronous=False)
        conflicting = tracekit.log_param("lr", 0.2, synchronous=False)
        good_after = tracekit.log_metric("b", 2.0, synchronous=False)
        with pytest.raises(TracekitException, match="Param 'lr' .* already has the value '0.1'"):
            conflicting.wait()
        good_before.wait()
        good_after.wait()
    assert tracekit.get_run(run.info.run_id).data.metrics == {"a": 1.0, "b": 2.0}
    assert "could not log asynchronously" in caplog.text


def test_bad_input_is_refused_at_the_call_not_later(tracking_uri):
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="log_metrics\\(\\) takes a dict"):
            tracekit.log_metrics([("a", 1)], synchronous=False)
        with pytest.raises(TracekitException):
            tracekit.log_metric("bad", "not a number", synchronous=False)


def test_a_full_queue_makes_callers_wait_instead_of_dropping(tracking_uri):
    store = get_backend().tracking
    with tracekit.start_run() as run:
        small = AsyncLogger(max_queue_size=2, batch_size=1)
        from tracekit.entities import Metric

        operations = [small.submit(store, run.info.run_id, [Metric("q", float(i), timestamp=1000 + i, step=i)])
                      for i in range(40)]
        small.flush()
        assert all(op.done() for op in operations)
        assert len(tracekit.get_metric_history(run.info.run_id, "q")) == 40


def test_nothing_queued_is_lost_when_the_process_exits(tmp_path):
    db = tmp_path / "exit.db"
    script = textwrap.dedent(f"""
        import tracekit
        tracekit.set_tracking_uri("sqlite:///{db}")
        run = tracekit.start_run()
        print(run.info.run_id)
        for step in range(300):
            tracekit.log_metric("loss", step, step=step, synchronous=False)
        # no flush, no end_run: exit must write everything
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip().splitlines()[-1]
    tracekit.set_tracking_uri(f"sqlite:///{db}")
    assert len(tracekit.get_metric_history(run_id, "loss")) == 300
    assert tracekit.get_run(run_id).info.status == "FINISHED"
