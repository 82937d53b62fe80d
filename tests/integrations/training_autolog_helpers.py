"""Read-back helpers the training autolog tests (scikit-learn, XGBoost, LightGBM) share, all through the public
API."""

from __future__ import annotations

import json
from pathlib import Path

import tracekit


def logged_models() -> list:
    """Every logged model in the test's store."""
    return tracekit.search_logged_models(output_format="list")


def history(run_id: str, key: str) -> list[tuple[int, float]]:
    """(step, value) of each point of the metric `key` in the run."""
    return [(point.step, point.value) for point in tracekit.get_metric_history(run_id, key)]


def artifact_json(run_id: str, path: str, tmp_path: Path) -> dict:
    """The run's JSON artifact at `path`, downloaded into `tmp_path` and parsed."""
    local = tracekit.MlflowClient().download_artifacts(run_id, path, dst_path=str(tmp_path))
    with open(local, encoding="utf-8") as file:
        return json.load(file)


def use_an_experiment_whose_artifacts_cannot_be_written(tmp_path: Path) -> None:
    """Make the active experiment one whose artifact location is a file, so every artifact write fails."""
    not_a_folder = tmp_path / "artifacts-here"
    not_a_folder.write_text("a file where the artifact folder should be")
    tracekit.set_experiment(experiment_id=tracekit.create_experiment("broken", artifact_location=str(not_a_folder)))
