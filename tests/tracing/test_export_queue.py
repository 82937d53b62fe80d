"""The export queue: batches, retries, the spill folder and replay; nothing is discarded."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from waiting import CountingExporter, wait_until

import tracekit
from tracekit.exporters.memory import InMemoryTraceExporter
from tracekit.tracing.exporter import TraceExporter


class FlakyExporter(InMemoryTraceExporter):
    """Fails while `down` is set, and the first `fail_times` calls."""

    def __init__(self, fail_times: int = 0, down: bool = False):
        super().__init__()
        self.fail_times = fail_times
        self.down = down
        self.calls = 0

    @property
    def name(self) -> str:
        return "flaky-test-destination"

    def export(self, traces):
        self.calls += 1
        if self.down or self.calls <= self.fail_times:
            raise ConnectionError("store refused the connection")
        super().export(traces)

    def ping(self):
        if self.down:
            raise ConnectionError("still down")


@tracekit.trace
def traced(i):
    return i



def test_traces_are_written_in_batches(exporter):
    for i in range(2000):
        traced(i)
    tracekit.flush_trace_async_logging()
    assert len(exporter.traces) == 2000
    assert exporter.batches < 2000  # the worker groups traces that queued up meanwhile


class BatchRecorder(InMemoryTraceExporter):
    """Keeps the size of every batch it was given."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def export(self, traces):
        self.sizes.append(len(traces))
        super().export(traces)


@pytest.fixture
def long_interval(monkeypatch):
    """The worker waits up to a minute for traces to fill a batch (only a full batch or a flush ends the wait)."""
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", "60000")
    tracekit.tracing.reset()
    recorder = BatchRecorder()
    tracekit.tracing.set_exporter(recorder)
    return recorder


def test_traces_arriving_one_by_one_are_written_together(long_interval):
    for i in range(5):
        traced(i)
        time.sleep(0.3)  # longer than the default interval: each would be written alone
    tracekit.flush_trace_async_logging()  # ends the wait at once
    assert long_interval.sizes == [5]
    assert tracekit.tracing.stats().exported == 5


def test_a_full_batch_is_written_without_waiting_for_the_interval(monkeypatch, long_interval):
    monkeypatch.setenv("TRACEKIT_EXPORT_BATCH_SIZE", "10")
    tracekit.tracing.reset()
    tracekit.tracing.set_exporter(long_interval)
    for i in range(10):
        traced(i)
    assert wait_until(lambda: len(long_interval.traces) == 10)  # no flush: the tenth trace woke the worker
    assert long_interval.sizes == [10]


def test_traces_are_written_once_the_interval_passes_without_a_flush(monkeypatch, exporter):
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", "50")
    tracekit.tracing.reset()
    tracekit.tracing.set_exporter(exporter)
    traced(1)
    assert wait_until(lambda: len(exporter.traces) == 1)
    traced(2)  # also after the worker went back to sleep
    assert wait_until(lambda: len(exporter.traces) == 2)


def test_the_mlflow_variable_sets_the_interval(monkeypatch):
    monkeypatch.setenv("MLFLOW_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", "60000")
    tracekit.tracing.reset()
    recorder = BatchRecorder()
    tracekit.tracing.set_exporter(recorder)
    traced(1)
    time.sleep(0.5)  # longer than the default interval
    traced(2)
    tracekit.flush_trace_async_logging()
    assert recorder.sizes == [2]


def test_a_process_exiting_within_the_interval_stores_its_traces(tmp_path):
    store = tmp_path / "exit.db"
    script = textwrap.dedent(f"""
        import os
        os.environ["TRACEKIT_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS"] = "600000"
        import tracekit
        tracekit.set_tracking_uri("sqlite:///{store}")

        @tracekit.trace
        def work(i):
            return i

        for i in range(3):
            work(i)
    """)
    # Exit flushes at once: a process waiting out the ten-minute interval would hit the timeout.
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    tracekit.set_tracking_uri(f"sqlite:///{store}")
    assert len(tracekit.search_traces(return_type="list")) == 3


def test_a_failing_export_is_retried_with_backoff():
    flaky = FlakyExporter(fail_times=2)
    tracekit.tracing.set_exporter(flaky)
    traced(1)
    tracekit.flush_trace_async_logging()
    assert len(flaky.traces) == 1
    stats = tracekit.tracing.stats()
    assert stats.retried == 2
    assert stats.exported == 1
    assert stats.spilled == 0


class CollectorWatcher(FlakyExporter):
    """Records whether Python's cyclic collector was enabled during each export call."""

    def __init__(self, fail_times: int = 0):
        super().__init__(fail_times=fail_times)
        self.collector_enabled: list[bool] = []

    def export(self, traces):
        self.collector_enabled.append(gc.isenabled())
        super().export(traces)


def test_the_collector_waits_during_an_export_and_runs_again_after_it_even_after_retries():
    watcher = CollectorWatcher(fail_times=1)
    tracekit.tracing.set_exporter(watcher)
    traced(1)
    tracekit.flush_trace_async_logging()
    assert len(watcher.traces) == 1
    assert watcher.collector_enabled == [False, False]
    assert gc.isenabled()


class RemoteCollectorWatcher(TraceExporter):
    """An exporter of its own (as a network one would be): it may block, so it runs with the collector on."""

    name = "remote-test-destination"

    def __init__(self):
        self.collector_enabled: list[bool] = []

    def export(self, traces):
        self.collector_enabled.append(gc.isenabled())


def test_an_exporter_that_may_block_exports_with_the_collector_running():
    watcher = RemoteCollectorWatcher()
    tracekit.tracing.set_exporter(watcher)
    traced(1)
    tracekit.flush_trace_async_logging()
    assert watcher.collector_enabled == [True]
    assert gc.isenabled()


class EmbeddedCollectorWatcher(RemoteCollectorWatcher):
    """An exporter of its own that says it writes within the process (an embedded database would)."""

    name = "embedded-test-destination"

    @property
    def writes_in_process(self) -> bool:
        return True


def test_an_exporter_that_writes_in_process_exports_with_the_collector_paused():
    watcher = EmbeddedCollectorWatcher()
    tracekit.tracing.set_exporter(watcher)
    traced(1)
    tracekit.flush_trace_async_logging()
    assert watcher.collector_enabled == [False]
    assert gc.isenabled()


def test_store_exporters_say_whether_they_write_in_process(tmp_path):
    from tracekit.exporters.store import StoreExporter

    assert StoreExporter(f"sqlite:///{tmp_path / 'traces.db'}").writes_in_process
    assert not StoreExporter("postgresql://user@127.0.0.1:5432/db").writes_in_process
    assert not StoreExporter("http://127.0.0.1:5000").writes_in_process
    assert not RemoteCollectorWatcher().writes_in_process


def test_a_collector_the_program_disabled_stays_disabled_after_an_export():
    watcher = CollectorWatcher()
    tracekit.tracing.set_exporter(watcher)
    gc.disable()
    try:
        traced(1)
        tracekit.flush_trace_async_logging()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert len(watcher.traces) == 1


def test_a_store_that_stays_down_gets_spilled_then_replayed_once(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.2")
    tracekit.tracing.reset()
    flaky = FlakyExporter(down=True)
    tracekit.tracing.set_exporter(flaky)
    for i in range(50):
        traced(i)
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert stats.spilled == 50 and stats.exported == 0 and stats.dropped == 0
    assert list((tmp_path / "spill").rglob("*.open"))  # on disk, in the documented place

    flaky.down = False
    assert wait_until(lambda: len(flaky.traces) == 50)
    assert sorted(t.data.spans[0].inputs["i"] for t in flaky.traces) == list(range(50))
    # Counted once the whole spill file went through, a moment after the exporter has its traces.
    assert wait_until(lambda: tracekit.tracing.stats().replayed == 50)
    assert wait_until(lambda: not list((tmp_path / "spill").rglob("*.json*")))


def test_a_full_queue_spills_instead_of_discarding(monkeypatch):
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_QUEUE_SIZE", "5")
    monkeypatch.setenv("TRACEKIT_EXPORT_QUEUE_FULL_WAIT_SECONDS", "0")
    tracekit.tracing.reset()
    release = threading.Event()

    class SlowExporter(InMemoryTraceExporter):
        def export(self, traces):
            release.wait(5)
            super().export(traces)

    slow = SlowExporter()
    tracekit.tracing.set_exporter(slow)
    for i in range(300):
        traced(i)
    assert tracekit.tracing.stats().spilled > 0
    release.set()
    tracekit.flush_trace_async_logging()
    assert wait_until(lambda: len(slow.traces) == 300)
    stats = tracekit.tracing.stats()
    assert stats.dropped == 0 and stats.replayed == stats.spilled
    assert stats.exported == 300 and stats.spilled_pending == 0  # replayed ones are exported too


def test_synchronous_mode_exports_before_the_call_returns(monkeypatch):
    monkeypatch.setenv("TRACEKIT_ASYNC_TRACE_LOGGING", "false")
    tracekit.tracing.reset()
    memory = InMemoryTraceExporter()
    tracekit.tracing.set_exporter(memory)
    traced(1)
    assert len(memory.traces) == 1  # no flush needed


@pytest.mark.slow
def test_spilled_traces_of_an_exited_process_are_replayed_by_the_next(tmp_path):
    script = textwrap.dedent(f"""
        import os
        os.environ["TRACEKIT_SPILL_DIR"] = {str(tmp_path / "spill")!r}
        os.environ["TRACEKIT_EXPORT_RETRY_MAX_SECONDS"] = "0.1"
        import tracekit
        sys_path_test = {str(__file__)!r}
        from tracekit.exporters import TraceExporter

        class Down(TraceExporter):
            name = "shared-destination"
            def export(self, traces):
                raise ConnectionError("down")

        tracekit.tracing.set_exporter(Down())

        @tracekit.trace
        def work(i):
            return i

        for i in range(20):
            work(i)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    class Up(InMemoryTraceExporter):
        name = "shared-destination"

    up = Up()
    tracekit.tracing.set_exporter(up)
    traced(99)  # any export activity replays what an earlier process left behind
    assert wait_until(lambda: len(up.traces) == 21)
    assert wait_until(lambda: tracekit.tracing.stats().replayed == 20)  # counted once the whole file went through



def test_a_tight_loop_of_10000_traced_calls_loses_nothing():
    counter = CountingExporter()
    tracekit.tracing.set_exporter(counter)
    for i in range(10_000):
        traced(i)
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    assert counter.count + stats.spilled == 10_000
    assert stats.dropped == 0


class LeakyDatabaseExporter(InMemoryTraceExporter):
    """Fails like a database whose error text carries the statement's parameters (SQLAlchemy's does)."""

    def export(self, traces):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT INTO spans (content) VALUES (?)", ("user secret: hunter2",),
                               Exception("database is locked"))


def test_export_failure_logs_name_the_reason_but_not_the_statements_parameters(monkeypatch, caplog):
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.2")
    tracekit.tracing.reset()
    tracekit.tracing.set_exporter(LeakyDatabaseExporter())
    with caplog.at_level("DEBUG", logger="tracekit"):
        traced(1)
        tracekit.flush_trace_async_logging()
    assert "database is locked" in caplog.text
    assert "hunter2" not in caplog.text and "INSERT INTO" not in caplog.text
    assert tracekit.tracing.stats().spilled == 1
