"""Server app plugins (group `tracekit.app`): a real `tracekit server --app-name example-plugin-app --workers 2`
serves the example plugin's app around the built-in one: the plugin's own route, its header-based key check in
front of every API route, and the built-in API behind it for a client whose header provider sends the key. An
unknown app name fails before any worker starts, listing the installed apps."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import tracekit
from tracekit.cli import main
from tracekit.exceptions import TracekitException
from tracekit.store.backend import close_backends

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_helpers import ServerProcess  # noqa: E402

APP_KEY = "example-app-key"


@pytest.fixture
def plugin_app_server(example_plugin, tmp_path):
    """`tracekit server --app-name example-plugin-app` with two workers, its key check on."""
    server = ServerProcess(f"sqlite:///{tmp_path / 'app.db'}", tmp_path / "server.log", "--workers", "2",
                           "--app-name", "example-plugin-app",
                           env={"PYTHONPATH": example_plugin, "EXAMPLE_PLUGIN_APP_KEY": APP_KEY}).start(timeout=120)
    yield server
    server.stop()


def test_the_plugin_apps_own_route_is_served(plugin_app_server):
    for _ in range(4):  # whichever worker answers
        answer = httpx.get(f"{plugin_app_server.url}/example-plugin/info", timeout=10)
        assert answer.status_code == 200
        assert answer.json() == {"plugin": "tracekit-example-plugin", "version": "0.1.0"}
    assert httpx.get(f"{plugin_app_server.url}/health", timeout=10).status_code == 200  # built-in, left open


def test_the_plugin_apps_key_check_guards_the_built_in_api(plugin_app_server, monkeypatch):
    refused = httpx.post(f"{plugin_app_server.url}/api/v1/experiments/search", json={}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error_code"] == "UNAUTHENTICATED"
    tracekit.set_tracking_uri(plugin_app_server.url)
    monkeypatch.delenv("EXAMPLE_PLUGIN_APP_KEY", raising=False)
    with pytest.raises(TracekitException) as raised:
        tracekit.create_experiment("refused")
    assert raised.value.error_code == "UNAUTHENTICATED"
    close_backends()
    # The example plugin's request header provider sends the key from the client's environment.
    monkeypatch.setenv("EXAMPLE_PLUGIN_APP_KEY", APP_KEY)
    experiment_id = tracekit.create_experiment("through-the-plugin-app")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        tracekit.log_param("alpha", "0.5")
    assert tracekit.get_run(run.info.run_id).data.params == {"alpha": "0.5"}
    assert tracekit.get_experiment_by_name("through-the-plugin-app").experiment_id == experiment_id


def test_an_unknown_app_name_lists_the_installed_apps(example_plugin, tmp_path):
    result = CliRunner().invoke(main, ["server", "--backend-store-uri", f"sqlite:///{tmp_path / 'x.db'}",
                                       "--app-name", "nosuch", "--port", "1"])
    assert result.exit_code != 0
    assert "--app-name 'nosuch' names no installed server app. Installed: example-plugin-app" in result.output
    assert "tracekit.app" in result.output
    assert not (tmp_path / "x.db").exists()  # refused before the database was opened
