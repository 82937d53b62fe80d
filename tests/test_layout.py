"""The package's shape: every package is installed, module names are not repeated in sibling folders, the public
API is exactly what `tracekit.__all__` lists, and core imports the mapped folders only lazily."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import tomllib

import tracekit

ROOT = Path(__file__).resolve().parent.parent
# Folders installed under another name (pyproject's package-dir mapping).
MAPPED = {"exporters": "tracekit.exporters", "integrations": "tracekit.integrations"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_dirs() -> dict[str, Path]:
    """Dotted package name -> folder, for every folder holding an __init__.py."""
    found = {}
    for top, name in [("tracekit", "tracekit"), *MAPPED.items()]:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            relative = init.parent.relative_to(ROOT / top)
            found[".".join([name, *relative.parts])] = init.parent
    return found


def test_every_package_directory_is_installed():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = set(_package_dirs())
    assert on_disk - listed == set(), "package folders missing from pyproject.toml's packages"
    assert listed - on_disk == set(), "pyproject.toml lists packages that do not exist"


def test_package_data_folders_exist():
    for package, patterns in _pyproject()["tool"]["setuptools"]["package-data"].items():
        folder = _package_dirs()[package]
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{package}: nothing matches {pattern!r}"


def test_sibling_folders_do_not_repeat_module_names():
    by_parent: dict[Path, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for folder in _package_dirs().values():
        for module in folder.glob("*.py"):
            if module.name not in ("__init__.py", "__main__.py"):
                by_parent[folder.parent][module.name].append(folder)
    repeated = {f"{parent.relative_to(ROOT)}/*/{name}": [str(f.relative_to(ROOT)) for f in folders]
                for parent, names in by_parent.items() for name, folders in names.items() if len(folders) > 1}
    assert repeated == {}


def test_all_lists_exactly_the_public_names():
    public = {name for name, value in vars(tracekit).items()
              if not name.startswith("_") and not isinstance(value, ModuleType)}
    listed_modules = {name for name in tracekit.__all__ if isinstance(getattr(tracekit, name), ModuleType)}
    assert set(tracekit.__all__) - listed_modules == public
    assert len(tracekit.__all__) == len(set(tracekit.__all__))
    assert all(hasattr(tracekit, name) for name in tracekit.__all__)


def _module_level_imports(path: Path) -> set[str]:
    """Modules imported at the top level of a file (not inside functions or TYPE_CHECKING blocks)."""
    tree = ast.parse(path.read_text())
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
    return imported


def test_core_imports_exporters_and_integrations_only_lazily():
    offenders = {}
    for module in sorted((ROOT / "tracekit").rglob("*.py")):
        eager = {name for name in _module_level_imports(module)
                 if name.startswith(("tracekit.exporters", "tracekit.integrations"))}
        if eager:
            offenders[str(module.relative_to(ROOT))] = sorted(eager)
    assert offenders == {}
