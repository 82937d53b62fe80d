"""tracekit.plugins.testing: tracekit's own SQL stores (SQLite, PostgreSQL, MariaDB) and local artifact repository
pass the contract checks, so does the example plugin, and a store breaking a promise fails with that promise named."""

from __future__ import annotations

import pytest

from tracekit.artifacts import get_artifact_repository
from tracekit.artifacts.local_repository import LocalArtifactRepository
from tracekit.entities import Run
from tracekit.exceptions import TracekitException
from tracekit.plugins.testing import (
    check_artifact_repository,
    check_store,
    check_trace_store,
    check_tracking_store,
)
from tracekit.store.backend import get_backend, sql_backend
from tracekit.store.sql.tracking import SqlTrackingStore
from tracekit.store.trace_store import TraceStore


def test_tracekits_sql_stores_pass_the_contract(db_uri):
    backend = sql_backend(db_uri)
    try:
        check_tracking_store(backend.tracking)
        check_trace_store(backend.traces)
        check_store(backend.traces)
    finally:
        backend.close()


def test_a_store_serving_only_traces_fails_the_whole_contract_naming_what_is_missing(tmp_path):
    from tracekit.store.sql.traces import SqlTraceStore

    traces_only = SqlTraceStore(f"sqlite:///{tmp_path / 'half.db'}")
    try:
        with pytest.raises(AssertionError, match="missing: .*create_experiment.*search_runs"):
            check_store(traces_only)
    finally:
        traces_only.close()


def test_the_local_artifact_repository_passes_the_contract(tmp_path):
    check_artifact_repository(LocalArtifactRepository(str(tmp_path / "artifacts")))


def test_the_example_plugins_stores_and_repository_pass_the_contract(example_plugin, tmp_path):
    check_store(get_backend(f"file-plugin://{tmp_path / 'store'}").tracking)
    check_artifact_repository(get_artifact_repository(f"file-plugin://{tmp_path / 'artifacts'}"))


class ForgetfulTrackingStore(SqlTrackingStore):
    """Loses the params of every run it reads back."""

    def get_run(self, run_id: str) -> Run:
        run = super().get_run(run_id)
        run.data.params.clear()
        return run


def test_a_store_breaking_a_promise_fails_naming_it(tmp_path):
    backend = sql_backend(f"sqlite:///{tmp_path / 'broken.db'}")
    try:
        broken = ForgetfulTrackingStore(backend.tracking.database)
        with pytest.raises(AssertionError, match="get_run returns the logged params"):
            check_tracking_store(broken)
    finally:
        backend.close()


class EscapingRepository(LocalArtifactRepository):
    """Writes wherever it is told, `..` included."""

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        if artifact_path and artifact_path.startswith(".."):
            return
        super().log_artifact(local_file, artifact_path)


def test_a_repository_accepting_an_escaping_path_fails(tmp_path):
    with pytest.raises(AssertionError, match="climbing out of the root is refused"):
        check_artifact_repository(EscapingRepository(str(tmp_path / "artifacts")))


class TracesOnlyStore(TraceStore):
    """Keeps traces (through a SQL store) but not assessments: the base class's assessment methods."""

    def __init__(self, inner: TraceStore) -> None:
        self.inner = inner

    def write_traces(self, traces):
        self.inner.write_traces(traces)

    def get_trace(self, trace_id):
        return self.inner.get_trace(trace_id)

    def search_traces(self, *args, **kwargs):
        return self.inner.search_traces(*args, **kwargs)

    def set_trace_tag(self, trace_id, key, value):
        self.inner.set_trace_tag(trace_id, key, value)

    def delete_trace_tag(self, trace_id, key):
        self.inner.delete_trace_tag(trace_id, key)

    def delete_traces(self, *args, **kwargs):
        return self.inner.delete_traces(*args, **kwargs)


def test_a_store_without_assessments_says_so_and_can_opt_out_of_their_checks(tmp_path):
    backend = sql_backend(f"sqlite:///{tmp_path / 'traces-only.db'}")
    try:
        store = TracesOnlyStore(backend.traces)
        with pytest.raises(AssertionError, match="not supported by this store.*assessments=False"):
            check_trace_store(store)
        check_trace_store(store, assessments=False)
        with pytest.raises(TracekitException, match="not supported by this store"):
            store.get_assessment("tr-" + "0" * 32, "a-1")
    finally:
        backend.close()
