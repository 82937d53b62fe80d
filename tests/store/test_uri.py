"""Tracking URIs: drivers filled in, clear errors naming the URI (password hidden), plugin schemes."""

from __future__ import annotations

import textwrap

import pytest

from tracekit.exceptions import TracekitException
from tracekit.store.registry import close_stores, get_store
from tracekit.store.sql_store import SqlTraceStore
from tracekit.store.uri import PLUGIN_GROUP, to_sqlalchemy_url


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
        get_store("mongodb://db.example/traces")
    message = str(raised.value)
    assert "'mongodb://db.example/traces'" in message
    for scheme in ("sqlite:///", "postgresql://", "mysql://", "http(s)://", PLUGIN_GROUP, "plugin"):
        assert scheme in message


def test_http_uri_opens_a_rest_store_without_connecting():
    from tracekit.store.rest_store import RestTraceStore

    store = get_store("https://tracking.example:8443/prefix")
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


def test_plugin_scheme_is_resolved_through_entry_points(tmp_path, monkeypatch):
    (tmp_path / "memo_store_plugin.py").write_text(textwrap.dedent("""
        class MemoStore:
            def __init__(self, uri):
                self.uri = uri
            def close(self):
                pass

        def make_store(uri):
            return MemoStore(uri)
    """))
    dist = tmp_path / "memo_store_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: memo-store-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{PLUGIN_GROUP}]\nmemo = memo_store_plugin:make_store\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        store = get_store("memo://anything")
        assert type(store).__name__ == "MemoStore" and store.uri == "memo://anything"
        assert get_store("memo://anything") is store
        with pytest.raises(TracekitException, match="memo"):
            get_store("unknown://x")  # the error lists installed plugin schemes
    finally:
        close_stores()
