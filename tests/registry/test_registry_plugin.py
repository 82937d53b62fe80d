"""A model registry store from a plugin: the entry point group `tracekit.model_registry_store`, named for the URI's
scheme, joins the plugin's per-store factories into one backend."""

from __future__ import annotations

import textwrap

import pytest
from plugin_packages import install_plugin

import tracekit
from tracekit import TracekitException
from tracekit.store.backend import close_backends, get_backend
from tracekit.store.uri import MODEL_REGISTRY_STORE_PLUGIN_GROUP, TRACE_STORE_PLUGIN_GROUP


@pytest.fixture
def plugin_folder(tmp_path, monkeypatch):
    """A plugin module `regplug` whose stores keep everything in a SQLite file named after the URI's path."""
    (tmp_path / "regplug.py").write_text(textwrap.dedent(f"""
        from tracekit.registry.sql_registry import SqlModelRegistryStore
        from tracekit.store.sql.database import SqlDatabase
        from tracekit.store.sql.traces import SqlTraceStore

        def path(uri):
            return "sqlite:///{tmp_path}/" + uri.split("://", 1)[1] + ".db"

        def traces(uri):
            return SqlTraceStore(path(uri))

        def registry(uri):
            return SqlModelRegistryStore(SqlDatabase(path(uri)))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    close_backends()


def test_a_registry_plugin_serves_the_registry_of_its_scheme(plugin_folder):
    install_plugin(plugin_folder, "regplug_traces", TRACE_STORE_PLUGIN_GROUP, "regplug = regplug:traces")
    install_plugin(plugin_folder, "regplug_registry", MODEL_REGISTRY_STORE_PLUGIN_GROUP,
                   "regplug = regplug:registry")
    tracekit.set_registry_uri("regplug://team")
    client = tracekit.TracekitClient()
    client.create_registered_model("plugged")
    assert client.create_model_version("plugged", "models:/m-x").version == 1
    assert (plugin_folder / "team.db").exists()
    assert type(get_backend("regplug://team").registry).__name__ == "SqlModelRegistryStore"


def test_a_plugin_without_a_registry_says_which_group_provides_one(plugin_folder):
    install_plugin(plugin_folder, "regplug_traces", TRACE_STORE_PLUGIN_GROUP, "regplug = regplug:traces")
    tracekit.set_registry_uri("regplug://team")
    with pytest.raises(TracekitException, match="has no model registry.*tracekit.model_registry_store") as raised:
        tracekit.TracekitClient().get_registered_model("x")
    assert raised.value.error_code == "NOT_IMPLEMENTED"
