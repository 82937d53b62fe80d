"""Fake installed distributions declaring entry points, for tests of plugin lookup (put the folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import tomllib


def install_plugin(folder: Path, name: str, group: str, entry_point: str) -> None:
    """Write `<name>-1.0.dist-info` into `folder`, declaring `entry_point` ("scheme = module:callable") in `group`."""
    dist = folder / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{entry_point}\n")


def install_source_project(folder: Path, project: Path) -> list[Path]:
    """Install the source project `project` (a folder with a pyproject.toml and its package beside it) as pip would
    without building: its `<name>-<version>.dist-info` in `folder`, with the METADATA and entry_points.txt its
    `[project]` table declares. Returns the folders to put on sys.path (or PYTHONPATH): `folder` and `project`."""
    declared = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    name, version = declared["name"], declared["version"]
    dist = folder / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    sections = [f"[{group}]\n" + "".join(f"{entry} = {value}\n" for entry, value in entries.items())
                for group, entries in declared.get("entry-points", {}).items()]
    (dist / "entry_points.txt").write_text("\n".join(sections))
    return [folder, project]
