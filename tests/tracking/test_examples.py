"""The tracking examples run as scripts, each on its own SQLite file."""

from __future__ import annotations

import pytest
from example_scripts import run_example

pytestmark = pytest.mark.slow


def test_external_model_example(tmp_path):
    out = run_example("external_model.py", tmp_path)

    assert "(t=0.7) you said: hello" in out
    assert "3 traces linked to chatbot_agent" in out and "counted in SQL: 3" in out
    assert out.index("v2.0: accuracy 0.95 (READY)") < out.index("v1.0: accuracy 0.91 (READY)")
    assert "Model chatbot_agent is READY" in out


def test_nested_run_sweep_example(tmp_path):
    out = run_example("nested_run_sweep.py", tmp_path)

    assert "9 child runs, best first:" in out
    rows = out.split("best first:\n")[1].splitlines()
    assert rows[1].split()[:5] == ["lr_0.01_bs_32", "0.01", "32", "0.950", "0.050"]
    assert "best run lr_0.01_bs_32: 1 trace(s) linked" in out
    assert "runs with accuracy > 0.9 at batch size 32: ['lr_0.001_bs_32', 'lr_0.01_bs_32']" in out
    assert "parent hyperparameter_sweep: FINISHED, best_accuracy=0.95" in out


def test_datasets_and_checkpoints_example(tmp_path):
    out = run_example("datasets_and_checkpoints.py", tmp_path)

    assert "input train (training), digest" in out
    assert "input validation (no context)" in out and "input test (no context)" in out
    assert "loss points: 50" in out
    assert "'system/cpu_utilization_percentage'" in out
    assert "checkpoints above 0.85 on test: ['epoch-50']" in out
