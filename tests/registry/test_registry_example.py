"""examples/model_registry.py runs as a script on its own SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_model_registry_example(tmp_path):
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": f"sqlite:///{tmp_path / 'example.db'}"}
    done = subprocess.run([sys.executable, str(EXAMPLES / "model_registry.py")], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "registered churn version 1 from models:/m-" in done.stdout
    assert "registered churn version 2 from models:/m-" in done.stdout
    assert "champion is version 2 (accuracy 0.95), 1 trace(s) of its model" in done.stdout
