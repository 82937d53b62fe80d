"""Importing tracekit, tracking included, stays light: the database and DataFrame libraries load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_import_tracekit_does_not_load_sqlalchemy_or_pandas():
    code = "import sys, tracekit; print(sorted(m for m in ('sqlalchemy', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
