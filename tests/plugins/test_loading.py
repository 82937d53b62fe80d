"""Plugin loading: lazy (nothing at `import tracekit`), the base classes in one place, trace exporters chosen by
TRACEKIT_TRACE_EXPORTER, a broken store plugin never breaking another scheme, two plugins claiming one scheme an
error naming both."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.plugins.trace_exporters import TRACE_EXPORTER_GROUP
from tracekit.store.backend import get_backend
from tracekit.store.uri import BACKEND_PLUGIN_GROUP

FILE_EXPORTER = """
    import json
    import os

    from tracekit.plugins import TraceExporter

    class JsonLinesExporter(TraceExporter):
        def export(self, traces):
            with open(os.environ["JSONL_EXPORT_PATH"], "a") as out:
                for trace in traces:
                    out.write(json.dumps({"trace_id": trace.info.trace_id}) + "\\n")

    def make_exporter():
        return JsonLinesExporter()

    def not_an_exporter():
        return object()
"""


def test_import_tracekit_loads_no_plugin_code():
    done = subprocess.run([sys.executable, "-c", "import sys, tracekit; "
                           "print([m for m in sys.modules if m.startswith('tracekit.plugins')])"],
                          capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_base_classes_are_importable_from_tracekit_plugins():
    from tracekit import plugins
    from tracekit.artifacts.repository import ArtifactRepository
    from tracekit.store.backend import Backend
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore
    from tracekit.tracing.exporter import TraceExporter

    assert (plugins.TraceStore, plugins.TrackingStore, plugins.Backend, plugins.ArtifactRepository,
            plugins.TraceExporter) == (TraceStore, TrackingStore, Backend, ArtifactRepository, TraceExporter)
    for name in plugins.__all__:
        assert isinstance(getattr(plugins, name), type), name
    with pytest.raises(AttributeError, match="NotAPluginBase"):
        _ = plugins.NotAPluginBase


def test_trace_exporter_named_in_the_environment_receives_the_traces(plugin_site, tmp_path, monkeypatch):
    plugin_site.install("jsonl-exporter", "jsonl_exporter", FILE_EXPORTER, TRACE_EXPORTER_GROUP, [
        "jsonl = jsonl_exporter:make_exporter"])
    out = tmp_path / "traces.jsonl"
    monkeypatch.setenv("JSONL_EXPORT_PATH", str(out))
    monkeypatch.setenv("TRACEKIT_TRACE_EXPORTER", "jsonl")
    tracekit.tracing.reset()

    @tracekit.trace
    def answer() -> int:
        return 42

    answer()
    tracekit.flush_trace_async_logging()
    exported = [json.loads(line)["trace_id"] for line in out.read_text().splitlines()]
    assert exported == [tracekit.get_last_active_trace_id()]
    assert tracekit.search_traces(return_type="list") == []  # it replaced the tracking store


@pytest.mark.parametrize(("name", "message"), [
    ("nosuch", "names no installed trace exporter. Installed: broken, jsonl"),
    ("broken", "returned object, not a tracekit.plugins.TraceExporter"),
])
def test_unusable_exporter_is_logged_and_traces_go_to_the_store(plugin_site, monkeypatch, caplog, name, message):
    plugin_site.install("jsonl-exporter", "jsonl_exporter", FILE_EXPORTER, TRACE_EXPORTER_GROUP, [
        "jsonl = jsonl_exporter:make_exporter", "broken = jsonl_exporter:not_an_exporter"])
    monkeypatch.setenv("TRACEKIT_TRACE_EXPORTER", name)
    tracekit.tracing.reset()
    with caplog.at_level(logging.ERROR, logger="tracekit.tracing"):
        with tracekit.start_span("kept"):
            pass
        tracekit.flush_trace_async_logging()
    assert [trace.info.trace_id for trace in tracekit.search_traces(return_type="list")] == \
        [tracekit.get_last_active_trace_id()]
    assert sum(message in record.getMessage() or message in (record.exc_text or "") for record in caplog.records) == 1


MEMO_BACKEND = """
    from tracekit.store.backend import Backend

    class MemoTraces:
        def __init__(self, uri):
            self.uri = uri

        def close(self):
            pass

    def make_backend(uri):
        return Backend(uri, MemoTraces(uri))
"""


def test_store_plugin_that_fails_to_import_never_breaks_another_scheme(plugin_site, tmp_path, caplog):
    plugin_site.install("broken-store", "broken_store", "raise ImportError('needs libfoo 2')\n",
                        BACKEND_PLUGIN_GROUP, ["broken = broken_store:make_backend"])
    plugin_site.install("memo-store", "memo_store", MEMO_BACKEND, BACKEND_PLUGIN_GROUP, [
        "memo = memo_store:make_backend"])
    assert get_backend("memo://x").traces.uri == "memo://x"
    assert get_backend(f"sqlite:///{tmp_path / 'other.db'}").has_tracking
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        for _ in range(2):
            with pytest.raises(TracekitException, match=r"broken.*from broken-store.*needs libfoo 2"):
                get_backend("broken://x")
    assert sum("needs libfoo 2" in record.getMessage() for record in caplog.records) == 1


def test_two_plugins_claiming_one_scheme_is_an_error_naming_both(plugin_site):
    plugin_site.install("memo-store", "memo_store", MEMO_BACKEND, BACKEND_PLUGIN_GROUP, [
        "memo = memo_store:make_backend"])
    plugin_site.install("memo-store-fork", "memo_store_fork", MEMO_BACKEND, BACKEND_PLUGIN_GROUP, [
        "memo = memo_store_fork:make_backend"])
    with pytest.raises(TracekitException, match="Two plugins claim the name 'memo'") as raised:
        get_backend("memo://x")
    assert "memo_store:make_backend (distribution memo-store)" in str(raised.value)
    assert "memo_store_fork:make_backend (distribution memo-store-fork)" in str(raised.value)
