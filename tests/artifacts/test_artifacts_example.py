"""examples/artifacts.py runs as a script on its own SQLite file and prints what it logged and read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "artifacts.py"


@pytest.mark.slow
def test_artifacts_example(tmp_path):
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": f"sqlite:///{tmp_path / 'example.db'}"}
    for name in ("TRACEKIT_EXPERIMENT_NAME", "TRACEKIT_EXPERIMENT_ID", "TRACEKIT_DEFAULT_ARTIFACT_ROOT"):
        environment.pop(name, None)
    done = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=environment, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"artifacts at {tmp_path / 'tracekit-artifacts'}/1/" in out
    assert [line.split()[:2] for line in out.splitlines() if line.startswith(("dir ", "file"))] == [
        ["file", "config.yaml"], ["file", "eval_results.json"], ["dir", "notes"], ["dir", "outputs"]]
    assert "config: {'model': 'small', 'temperature': 0.2}" in out
    assert "summary: Accuracy went up after the tokenizer fix." in out
    assert "table: 2 rows, 1 correct" in out
    assert "downloaded: ['predictions.csv']" in out
    assert (tmp_path / "downloaded" / "outputs" / "predictions.csv").read_text().startswith("id,label")
