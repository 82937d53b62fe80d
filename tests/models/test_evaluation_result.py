"""EvaluationResult: saved to a directory and loaded back whole."""

import pandas as pd
import pytest

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation import EvaluationArtifact, EvaluationResult


def test_a_saved_result_loads_back_with_metrics_artifacts_and_tables(tmp_path):
    table = pd.DataFrame({"inputs": ["a", "b"], "score": [1.0, 0.5]})
    result = EvaluationResult(metrics={"accuracy": 0.75}, run_id="r1",
                              artifacts={"confusion_matrix": EvaluationArtifact(uri="runs:/r1/cm.png")},
                              tables={"eval_results_table": table})
    result.save(tmp_path / "out")
    back = EvaluationResult.load(tmp_path / "out")
    assert back.metrics == {"accuracy": 0.75}
    assert back.run_id == "r1"
    assert back.artifacts["confusion_matrix"].uri == "runs:/r1/cm.png"
    pd.testing.assert_frame_equal(back.tables["eval_results_table"], table)


def test_loading_a_directory_without_a_result_says_so(tmp_path):
    with pytest.raises(TracekitException, match="holds no saved evaluation"):
        EvaluationResult.load(tmp_path)
