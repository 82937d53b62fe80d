"""Tracking URIs: drivers filled in, clear errors naming the URI (password hidden), plugin schemes."""

from __future__ import annotations

import textwrap

import pytest
from plugin_packages import install_plugin

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.store.backend import Backend, close_backends, get_backend, register_backend, sql_backend
from tracekit.store.sql.traces import SqlTraceStore
from tracekit.store.uri import (
    BACKEND_PLUGIN_GROUP,
    TRACE_STORE_PLUGIN_GROUP,
    TRACKING_STORE_PLUGIN_GROUP,
    to_sqlalchemy_url,
)


@pytest.mark.parametrize(("uri", "driver"), [
    ("postgresql://me@db:5432/traces", "postgresql+psycopg"),
    ("postgres://me@db/traces", "postgresql+psycopg"),
    ("postgresql+psycopg2://me@db/traces", "postgresql+psycopg2"),
    ("mysql://root@db:3306/traces", "mysql+pymysql"),
    ("mysql+mysqldb://root@db/traces", "mysql+mysqldb"),
    ("mariadb://root@db/traces", "mariadb+pymysql"),
    ("sqlite:///traces.db", "sqlite"),
    ("sqlite+pysqlite:////abs/traces.db", "sqlite+pysqlite"),
])
def test_default_drivers(uri, driver):
    assert to_sqlalchemy_url(uri).drivername == driver


def test_sqlite_paths():
    assert to_sqlalchemy_url("sqlite:///rel/traces.db").database == "rel/traces.db"
    assert to_sqlalchemy_url("sqlite:////abs/traces.db").database == "/abs/traces.db"


def test_mysql_gets_utf8mb4_unless_told_otherwise():
    assert to_sqlalchemy_url("mysql://root@db/traces").query["charset"] == "utf8mb4"
    assert to_sqlalchemy_url("mysql://root@db/traces?charset=latin1").query["charset"] == "latin1"


@pytest.mark.parametrize(("uri", "reason"), [
    ("", "expected '<scheme>://"),
    ("just some text", "expected '<scheme>://"),
    ("sqlite:/one-slash.db", "expected '<scheme>://"),
    ("sqlite://host/traces.db", "three slashes"),
    ("sqlite:///", "no file name"),
    ("postgresql:///traces", "no host"),
    ("postgresql://me:pw@db.example", "no database name"),
    ("mysql://root@db:notaport/traces", "Malformed"),
])
def test_malformed_uri_is_named_in_the_error(uri, reason):
    with pytest.raises(TracekitException, match=reason) as raised:
        to_sqlalchemy_url(uri)
    assert repr(uri.replace(":pw@", ":***@")) in str(raised.value)
    assert ":pw@" not in str(raised.value)


def test_unknown_scheme_lists_the_supported_ones():
    with pytest.raises(TracekitException) as raised:
        _ = get_backend("mongodb://db.example/traces").traces
    message = str(raised.value)
    assert "'mongodb://db.example/traces'" in message
    for scheme in ("sqlite:///", "postgresql://", "mysql://", "http(s)://", TRACKING_STORE_PLUGIN_GROUP, "plugin"):
        assert scheme in message


def test_http_uri_opens_a_rest_store_without_connecting():
    from tracekit.store.rest.remote_traces import RestTraceStore

    store = get_backend("https://tracking.example:8443/prefix").traces
    assert isinstance(store, RestTraceStore)
    assert store.client.base_url == "https://tracking.example:8443/prefix"


@pytest.mark.parametrize("uri", [
    "postgresql://me:hunter2@127.0.0.1:1/traces",
    "mysql://me:hunter2@127.0.0.1:1/traces",
])
def test_unreachable_database_names_uri_without_password(uri):
    with pytest.raises(TracekitException) as raised:
        SqlTraceStore(uri)
    message = str(raised.value)
    assert uri.replace(":hunter2@", ":***@") in message
    assert "hunter2" not in message
    assert "refused" in message.lower()  # the driver's own reason


def test_missing_driver_says_what_to_install():
    with pytest.raises(TracekitException, match="driver 'nosuchdriver' is not installed"):
        SqlTraceStore("postgresql+nosuchdriver://me@127.0.0.1/traces")


def test_sqlite_file_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(TracekitException, match="Cannot create the folder") as raised:
        SqlTraceStore(f"sqlite:///{blocker}/traces.db")
    assert f"sqlite:///{blocker}/traces.db" in str(raised.value)


def test_trace_store_plugin_scheme_is_resolved_through_entry_points(tmp_path, monkeypatch):
    (tmp_path / "memo_store_plugin.py").write_text(textwrap.dedent("""
        class MemoStore:
            def __init__(self, uri):
                self.uri = uri
            def close(self):
                pass

        def make_store(uri):
            return MemoStore(uri)
    """))
    install_plugin(tmp_path, "memo_store_plugin", TRACE_STORE_PLUGIN_GROUP, "memo = memo_store_plugin:make_store")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        backend = get_backend("memo://anything")
        assert type(backend.traces).__name__ == "MemoStore" and backend.traces.uri == "memo://anything"
        assert get_backend("memo://anything") is backend
        assert not backend.has_tracking
        with pytest.raises(TracekitException, match="stores traces only") as raised:
            _ = backend.tracking
        assert raised.value.error_code == "NOT_IMPLEMENTED"
        with pytest.raises(TracekitException, match="memo"):
            get_backend("unknown://x")  # the error lists installed plugin schemes
    finally:
        close_backends()


def test_backend_plugin_serves_traces_and_tracking_of_its_scheme(tmp_path, monkeypatch):
    # A plugin backend that keeps everything in a SQLite file named after the URI's path.
    (tmp_path / "lite_backend_plugin.py").write_text(textwrap.dedent(f"""
        from tracekit.store.backend import sql_backend

        def make_backend(uri):
            return sql_backend("sqlite:///{tmp_path}/" + uri.split("://", 1)[1] + ".db")
    """))
    install_plugin(tmp_path, "lite_backend_plugin", BACKEND_PLUGIN_GROUP, "lite = lite_backend_plugin:make_backend")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        tracekit.set_tracking_uri("lite://team")
        with tracekit.start_run() as run:
            traced_call()
        assert (tmp_path / "team.db").exists()
        assert len(tracekit.search_traces(run_id=run.info.run_id, return_type="list")) == 1
        assert tracekit.get_run(run.info.run_id).info.status == "FINISHED"
    finally:
        close_backends()


def test_backend_plugin_must_return_a_backend(tmp_path, monkeypatch):
    (tmp_path / "wrong_backend_plugin.py").write_text("def make(uri):\n    return object()\n")
    install_plugin(tmp_path, "wrong_backend_plugin", BACKEND_PLUGIN_GROUP, "wrong = wrong_backend_plugin:make")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TracekitException, match="returned object, not a tracekit Backend"):
        get_backend("wrong://x")


def test_registered_backend_takes_over_a_scheme_in_this_process(tmp_path):
    opened = []

    def factory(uri: str) -> Backend:
        opened.append(uri)
        return sql_backend(f"sqlite:///{tmp_path / 'registered.db'}")

    register_backend("inproc", factory)
    try:
        backend = get_backend("inproc://a")
        assert get_backend("inproc://a") is backend and opened == ["inproc://a"]
        assert backend.tracking.get_experiment("0").name == "Default"
    finally:
        register_backend("inproc", None)
        close_backends()
    with pytest.raises(TracekitException, match="no backend handles the scheme 'inproc'"):
        get_backend("inproc://a")


def test_one_backend_shares_one_store_and_database_between_traces_tracking_and_registry(tmp_path):
    backend = get_backend(f"sqlite:///{tmp_path / 'shared.db'}")
    try:
        assert backend.traces is backend.tracking is backend.registry is backend.resource
        assert type(backend.traces).__name__ == "SqlStore"
    finally:
        close_backends()


@tracekit.trace
def traced_call() -> str:
    return "done"
