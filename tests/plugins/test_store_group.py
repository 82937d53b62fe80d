"""One store group, `tracekit.tracking_store`: a class built with the URI serving traces and tracking (and the
registry when declared for the scheme there too), tracekit's own SQL and REST stores found by the same lookup, a
class that keeps only half the contract refused at load time naming what it lacks, the old groups still read with
a warning naming the distribution, and every other group naming the missing methods of a class too."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

import tracekit
from tracekit.artifacts import get_artifact_repository
from tracekit.exceptions import TracekitException
from tracekit.plugins.loading import distribution_name, group_entry_points, named_entry_point
from tracekit.plugins.trace_exporters import TRACE_EXPORTER_GROUP, exporter_from_environment
from tracekit.store.backend import get_backend
from tracekit.store.sql.store import SqlStore
from tracekit.store.uri import (
    BACKEND_PLUGIN_GROUP,
    MODEL_REGISTRY_STORE_PLUGIN_GROUP,
    TRACE_STORE_PLUGIN_GROUP,
    TRACKING_STORE_PLUGIN_GROUP,
)

# Stores keeping everything in the SQLite file the URI's path names: `memo:///tmp/x.db`.
MEMO_STORES = """
    from tracekit.store.sql.store import SqlStore
    from tracekit.store.sql.traces import SqlTraceStore

    def sqlite_uri(uri):
        return "sqlite:///" + uri.split("://", 1)[1]

    class MemoStore(SqlStore):
        def __init__(self, uri):
            super().__init__(sqlite_uri(uri))

        @staticmethod
        def check_uri(uri):
            if not uri.endswith(".db"):
                raise ValueError("a memo URI names a .db file")

    class TracesOnly(SqlTraceStore):
        def __init__(self, uri):
            super().__init__(sqlite_uri(uri))

    def make_traces_only(uri):
        return TracesOnly(uri)
"""


def memo_uri(tmp_path: Path, name: str = "memo.db", scheme: str = "memo") -> str:
    return f"{scheme}://{tmp_path / name}"


def test_one_entry_point_serves_traces_runs_and_models_of_its_scheme(plugin_site, tmp_path, recwarn):
    plugin_site.install("memo-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["memo = memo_store:MemoStore"])
    tracekit.set_tracking_uri(memo_uri(tmp_path))
    with tracekit.start_run() as run:
        with tracekit.start_span("inside"):
            pass
    tracekit.flush_trace_async_logging()
    backend = get_backend(memo_uri(tmp_path))
    assert type(backend.traces).__name__ == "MemoStore" and backend.traces is backend.tracking
    assert tracekit.get_run(run.info.run_id).info.status == "FINISHED"
    assert len(tracekit.search_traces(run_id=run.info.run_id, return_type="list")) == 1
    assert (tmp_path / "memo.db").is_file()
    assert not [warning for warning in recwarn if issubclass(warning.category, FutureWarning)]


def test_the_store_serves_the_registry_when_its_class_is_declared_for_it(plugin_site, tmp_path):
    plugin_site.install("memo-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["memo = memo_store:MemoStore"])
    backend = get_backend(memo_uri(tmp_path))
    with pytest.raises(TracekitException, match="has no model registry"):
        _ = backend.registry
    plugin_site.install("memo-registry", "memo_registry", "from memo_store import MemoStore\n",
                        MODEL_REGISTRY_STORE_PLUGIN_GROUP, ["memo = memo_registry:MemoStore"])
    backend = get_backend(memo_uri(tmp_path, "second.db"))
    assert backend.registry is backend.tracking  # one instance: one database, one pool
    backend.registry.create_registered_model("shared")
    assert backend.registry.get_registered_model("shared").name == "shared"


@pytest.mark.parametrize("value", ["memo_store:TracesOnly", "memo_store:make_traces_only"])
def test_a_store_serving_only_traces_is_refused_naming_the_missing_methods(plugin_site, tmp_path, value):
    plugin_site.install("half-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP, [f"memo = {value}"])
    with pytest.raises(TracekitException) as raised:
        get_backend(memo_uri(tmp_path))
    message = str(raised.value)
    assert "tracekit.plugins.TraceStore and tracekit.plugins.TrackingStore" in message
    assert "memo_store.TracesOnly is missing" in message
    for method in ("create_experiment", "create_run", "log_batch", "search_runs", "get_logged_model"):
        assert method in message
    assert "write_traces" not in message


def test_a_class_missing_methods_is_refused_when_the_uri_is_set(plugin_site, tmp_path):
    plugin_site.install("half-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["memo = memo_store:TracesOnly"])
    with pytest.raises(TracekitException, match=r"'memo' \(memo_store:TracesOnly, from half-store\).*search_runs"):
        tracekit.set_tracking_uri(memo_uri(tmp_path))


def test_the_store_class_checks_its_uri_when_it_is_set(plugin_site, tmp_path):
    plugin_site.install("memo-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["memo = memo_store:MemoStore"])
    with pytest.raises(TracekitException, match=r"'memo' \(memo_store:MemoStore\) refuses .*names a .db file"):
        tracekit.set_tracking_uri(memo_uri(tmp_path, "memo.txt"))
    assert not (tmp_path / "memo.txt").exists()  # nothing was opened


def test_tracekits_own_stores_are_entries_of_the_same_group():
    entries = {entry.name: entry for entry in group_entry_points(TRACKING_STORE_PLUGIN_GROUP)}
    for scheme in ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "http", "https"):
        assert distribution_name(entries[scheme]) == "tracekit (built in)"
    assert entries["sqlite"].load() is SqlStore
    assert type(get_backend("https://tracking.example:8443/prefix").traces).__name__ == "RestStore"


def test_an_installed_plugin_replaces_a_built_in_scheme(plugin_site, tmp_path):
    plugin_site.install("https-memo", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["https = memo_store:MemoStore"])
    assert distribution_name(named_entry_point(TRACKING_STORE_PLUGIN_GROUP, "https")) == "https-memo"
    backend = get_backend(f"https://{tmp_path / 'served-locally.db'}")
    assert type(backend.traces).__name__ == "MemoStore"


def test_an_unknown_scheme_lists_built_in_and_plugin_schemes(plugin_site):
    plugin_site.install("memo-store", "memo_store", MEMO_STORES, TRACKING_STORE_PLUGIN_GROUP,
                        ["memo = memo_store:MemoStore"])
    with pytest.raises(TracekitException) as raised:
        tracekit.set_tracking_uri("mongodb://db.example/traces")
    message = str(raised.value)
    assert "built in: http, https, mariadb, mysql, postgres, postgresql, sqlite" in message
    assert "plugins and registered: memo" in message and TRACKING_STORE_PLUGIN_GROUP in message


@pytest.mark.parametrize("group", [TRACE_STORE_PLUGIN_GROUP, BACKEND_PLUGIN_GROUP])
def test_the_old_store_groups_still_work_with_a_warning_naming_the_distribution(plugin_site, tmp_path, group):
    source = MEMO_STORES + """
    from tracekit.store.backend import Backend

    def backend(uri):
        store = MemoStore(uri)
        return Backend(uri, store, store, resource=store)
    """
    value = "memo_store:make_traces_only" if group == TRACE_STORE_PLUGIN_GROUP else "memo_store:backend"
    plugin_site.install("old-memo-store", "memo_store", source, group, [f"memo = {value}"])
    with pytest.warns(FutureWarning, match=rf"'old-memo-store' declares 'memo' in .*'{group}', which is deprecated"):
        backend = get_backend(memo_uri(tmp_path))
    backend.traces.write_traces([])
    assert backend.has_tracking == (group == BACKEND_PLUGIN_GROUP)


def test_an_artifact_repository_class_missing_methods_is_named(plugin_site):
    plugin_site.install("half-repo", "half_repo", """
        from tracekit.plugins import ArtifactRepository

        class HalfRepository(ArtifactRepository):
            def log_artifact(self, local_file, artifact_path=None):
                pass
    """, "tracekit.artifact_repository", ["halfrepo = half_repo:HalfRepository"])
    with pytest.raises(TracekitException, match=r"half_repo.HalfRepository is missing (.*, )?list_artifacts"):
        get_artifact_repository("halfrepo://bucket/x")


def test_a_registry_store_class_missing_methods_is_named(plugin_site):
    plugin_site.install("thin-registry", "thin_registry", """
        from tracekit.plugins import ModelRegistryStore

        class ThinRegistry(ModelRegistryStore):
            def get_registered_model(self, name):
                raise KeyError(name)
    """, MODEL_REGISTRY_STORE_PLUGIN_GROUP, ["https = thin_registry:ThinRegistry"])
    with pytest.raises(TracekitException, match=r"tracekit.plugins.ModelRegistryStore.*create_model_version"):
        _ = get_backend("https://tracking.example").registry


def test_an_exporter_class_missing_export_is_named(plugin_site, monkeypatch):
    plugin_site.install("lazy-exporter", "lazy_exporter", """
        from tracekit.plugins import TraceExporter

        class Lazy(TraceExporter):
            pass
    """, TRACE_EXPORTER_GROUP, ["lazy = lazy_exporter:Lazy"])
    monkeypatch.setenv("TRACEKIT_TRACE_EXPORTER", "lazy")
    with pytest.raises(TracekitException, match=r"'lazy' \(lazy_exporter:Lazy, from lazy-exporter\).*missing export"):
        exporter_from_environment()


def test_an_auth_provider_missing_get_auth_is_reported_by_name(plugin_site, monkeypatch, caplog):
    plugin_site.install("half-auth", "half_auth", """
        from tracekit.plugins import RequestAuthProvider

        class HalfAuth(RequestAuthProvider):
            def get_name(self):
                return "half"
    """, "tracekit.request_auth_provider", ["half = half_auth:HalfAuth"])
    monkeypatch.setenv("TRACEKIT_TRACKING_AUTH", "half")
    from tracekit.plugins.request_auth import auth_from_environment

    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"), pytest.raises(TracekitException,
                                                                                    match="Installed: none"):
        auth_from_environment()
    assert any("half_auth.HalfAuth is missing get_auth" in record.getMessage() for record in caplog.records)


def test_a_distribution_installed_while_running_is_seen_by_the_next_lookup(plugin_site, tmp_path):
    from plugin_packages import install_plugin

    with pytest.raises(TracekitException, match="no backend handles the scheme 'memo'"):
        tracekit.set_tracking_uri(memo_uri(tmp_path))
    (plugin_site.folder / "memo_store.py").write_text(textwrap.dedent(MEMO_STORES))
    plugin_site.modules.append("memo_store")
    install_plugin(plugin_site.folder, "late_memo_store", TRACKING_STORE_PLUGIN_GROUP, "memo = memo_store:MemoStore")
    tracekit.set_tracking_uri(memo_uri(tmp_path))  # no cache reset: the folder changed
    assert type(get_backend(memo_uri(tmp_path)).traces).__name__ == "MemoStore"
