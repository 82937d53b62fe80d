"""The example plugin package (examples/tracekit-example-plugin) installed from its own pyproject.toml's entry points
and used end to end: runs, traces and artifacts in a `file-plugin:` folder, its run tags, its trace exporter, and
`tracekit server` on a `file-plugin:` store answering a client authenticated by the plugin's auth provider."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.plugins.request_headers import resolve_request_headers
from tracekit.store.backend import close_backends, get_backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_helpers import ServerProcess  # noqa: E402

TOKEN = "example-plugin-secret"


@tracekit.trace
def add(a: int, b: int) -> int:
    return a + b


def test_runs_traces_and_artifacts_live_in_the_file_plugin_folder(example_plugin, tmp_path):
    folder = tmp_path / "plugin-store"
    tracekit.set_tracking_uri(f"file-plugin://{folder}")
    tracekit.set_experiment("plugin-experiment")
    source = tmp_path / "notes.txt"
    source.write_text("kept by the plugin")
    with tracekit.start_run(tags={"mine": "yes"}) as run:
        tracekit.log_param("alpha", "0.5")
        tracekit.log_metric("loss", 0.25)
        tracekit.log_artifact(str(source), artifact_path="docs")
        assert add(2, 3) == 5
    tracekit.flush_trace_async_logging()

    assert (folder / "tracekit.db").is_file()
    stored = tracekit.get_run(run.info.run_id)
    assert stored.info.artifact_uri.startswith(f"file-plugin://{folder / 'artifacts'}")
    assert stored.data.params == {"alpha": "0.5"} and stored.data.metrics == {"loss": 0.25}
    assert stored.data.tags["example_plugin.version"] == "0.1.0" and stored.data.tags["mine"] == "yes"
    found = tracekit.search_runs(filter_string="params.alpha = '0.5'", output_format="list")
    assert [found_run.info.run_id for found_run in found] == [run.info.run_id]
    traces = tracekit.search_traces(filter_string="name = 'add'", return_type="list")
    assert [trace.info.trace_id for trace in traces] == [tracekit.get_last_active_trace_id()]
    logged = list((folder / "artifacts").rglob("notes.txt"))
    assert [path.read_text() for path in logged] == ["kept by the plugin"]
    assert [info.path for info in tracekit.artifacts.list_artifacts(run_id=run.info.run_id, artifact_path="docs")] \
        == ["docs/notes.txt"]


def test_one_store_class_serves_traces_tracking_and_the_registry_of_its_scheme(example_plugin, tmp_path):
    uri = f"file-plugin://{tmp_path / 'one'}"
    backend = get_backend(uri)
    assert type(backend.traces).__name__ == "FilePluginStore"
    assert backend.traces is backend.tracking is backend.registry  # one instance, one database
    tracekit.set_tracking_uri(uri)
    experiment_id = tracekit.create_experiment("one-store")
    assert tracekit.get_experiment_by_name("one-store").experiment_id == experiment_id
    backend.registry.create_registered_model("from-the-plugin")
    assert backend.registry.get_registered_model("from-the-plugin").name == "from-the-plugin"


def test_the_plugins_trace_exporter_receives_completed_traces(example_plugin, tmp_path, monkeypatch):
    out = tmp_path / "exported.jsonl"
    monkeypatch.setenv("EXAMPLE_PLUGIN_EXPORT_PATH", str(out))
    monkeypatch.setenv("TRACEKIT_TRACE_EXPORTER", "jsonl-file")
    tracekit.tracing.reset()
    add(1, 1)
    tracekit.flush_trace_async_logging()
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(line["trace_id"], line["spans"]) for line in exported] == [(tracekit.get_last_active_trace_id(), ["add"])]


def test_the_plugins_request_header_provider_adds_its_header_only_in_context(example_plugin, monkeypatch):
    assert "X-Example-Plugin-Cluster" not in resolve_request_headers()
    monkeypatch.setenv("EXAMPLE_PLUGIN_CLUSTER", "east-1")
    assert resolve_request_headers()["X-Example-Plugin-Cluster"] == "east-1"


def test_server_on_a_file_plugin_store_answers_a_client_using_the_plugins_auth(example_plugin, tmp_path,
                                                                               monkeypatch):
    folder = tmp_path / "served"
    server = ServerProcess(f"file-plugin://{folder}", tmp_path / "server.log", "--auth", "bearer",
                           env={"PYTHONPATH": example_plugin, "TRACEKIT_SERVER_TOKENS": TOKEN}).start()
    try:
        tracekit.set_tracking_uri(server.url)
        with pytest.raises(TracekitException) as refused:
            tracekit.search_traces(return_type="list")
        assert refused.value.error_code == "UNAUTHENTICATED"
        close_backends()
        monkeypatch.setenv("TRACEKIT_TRACKING_AUTH", "example-plugin-token")
        monkeypatch.setenv("EXAMPLE_PLUGIN_TOKEN", TOKEN)
        tracekit.tracing.reset()
        add(4, 5)
        tracekit.flush_trace_async_logging()
        trace_id = tracekit.get_last_active_trace_id()
        over_http = tracekit.search_traces(filter_string="name = 'add'", return_type="list")
        assert [trace.info.trace_id for trace in over_http] == [trace_id]
    finally:
        server.stop()
    assert (folder / "tracekit.db").is_file()
    in_the_folder = get_backend(f"file-plugin://{folder}").traces.search_traces(["0"], max_results=10)
    assert [trace.info.trace_id for trace in in_the_folder] == [trace_id]
