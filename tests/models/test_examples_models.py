"""The models examples run as scripts, each on its own SQLite file."""

from __future__ import annotations

import pytest
from example_scripts import run_example

pytestmark = pytest.mark.slow


def test_sklearn_model_example(tmp_path):
    out = run_example("sklearn_model.py", tmp_path)

    assert "logged models:/m-" in out and "accuracy 1.00" in out
    assert "signature inputs: ['sepal length (cm)': double" in out
    assert "refused: Input column 'petal width (cm)' does not match the model signature" in out
    assert "4 prediction traces linked to m-" in out and "['ERROR', 'OK', 'OK', 'OK']" in out
    assert "logged model iris_lr: READY, source run True, params {'max_iter': '500'}" in out


def test_agent_from_code_example(tmp_path):
    out = run_example("agent_from_code/log_agent.py", tmp_path)

    assert "python_model=agent.py" in out
    assert "What is tracing? -> Here is what I know: tracekit records each call as a trace of spans." in out
    assert "How do models and runs relate? -> Here is what I know: A logged model is a directory" in out
    assert "What is the weather? -> Here is what I know: I do not know." in out
    assert "3 traces linked to the agent; spans of one: ['docs_agent.predict', 'retrieve']" in out


def test_evaluate_model_example(tmp_path):
    out = run_example("evaluate_model.py", tmp_path)

    assert "run True: accuracy 0.977, f1 0.982, roc_auc 0.994, false alarms 0.009" in out
    assert "artifacts: ['confusion_matrix', 'eval_results_table', 'precision_recall_curve_plot', 'roc_curve_plot']" \
        in out
    assert "results table: 171 rows, last columns ['target', 'prediction']" in out
    assert "metrics linked to the logged model: True" in out and "prediction traces of the candidate: 1" in out
    assert "candidate passes the thresholds against the baseline" in out
    assert "baseline fails 2 check(s): accuracy_score" in out
