"""Plugins installed for real, without pip: each test writes a plugin module and its distribution's metadata
(`tests/plugin_packages.py`) into its own folder, which goes on sys.path; importlib's entry-point discovery finds
them as it finds any installed distribution. The plugin caches are reset around each
test, and every backend the test opened is closed."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLE_PLUGIN_PROJECT = Path(__file__).resolve().parents[2] / "examples" / "tracekit-example-plugin"

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from plugin_packages import install_plugin, install_source_project  # noqa: E402

from tracekit.plugins.loading import reset_plugin_cache  # noqa: E402
from tracekit.store.backend import close_backends  # noqa: E402


class PluginSite:
    """A folder on sys.path that fake distributions are installed into."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.modules: list[str] = []

    def install(self, distribution: str, module: str, source: str, group: str, entry_points: list[str]) -> None:
        """Install `distribution` (its name with dashes): the module `module` with `source`, declaring
        `entry_points` ("name = module:attr" lines) in `group`."""
        (self.folder / f"{module}.py").write_text(textwrap.dedent(source))
        install_plugin(self.folder, distribution.replace("-", "_"), group, "\n".join(entry_points))
        self.modules.append(module)
        importlib.invalidate_caches()
        reset_plugin_cache()


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    """Where this test installs its plugins (see `PluginSite.install`)."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    site = PluginSite(folder)
    reset_plugin_cache()
    close_backends()
    yield site
    close_backends()
    reset_plugin_cache()
    for module in site.modules:
        sys.modules.pop(module, None)


@pytest.fixture
def example_plugin(tmp_path, monkeypatch):
    """The example plugin installed on sys.path; returns the PYTHONPATH a subprocess needs to see it too."""
    paths = install_source_project(tmp_path / "example-site", EXAMPLE_PLUGIN_PROJECT)
    for path in reversed(paths):
        monkeypatch.syspath_prepend(str(path))
    reset_plugin_cache()
    close_backends()
    yield os.pathsep.join([*map(str, paths), os.environ.get("PYTHONPATH", "")])
    close_backends()
    reset_plugin_cache()
    for module in [name for name in sys.modules if name.startswith("tracekit_example_plugin")]:
        sys.modules.pop(module)
