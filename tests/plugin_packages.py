"""Fake installed distributions declaring entry points, for tests of plugin lookup (put the folder on sys.path)."""

from __future__ import annotations

from pathlib import Path


def install_plugin(folder: Path, name: str, group: str, entry_point: str) -> None:
    """Write `<name>-1.0.dist-info` into `folder`, declaring `entry_point` ("scheme = module:callable") in `group`."""
    dist = folder / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{entry_point}\n")
