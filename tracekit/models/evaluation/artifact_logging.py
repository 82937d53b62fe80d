"""Logging an evaluation's artifacts to a run: figures as PNG, DataFrames as CSV, arrays as .npy, dicts and JSON
text as .json, and files a custom artifact function wrote (by their path). Each becomes an `EvaluationArtifact`."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import numpy as np
import pandas as pd

from tracekit.artifacts.artifact_uris import append_to_uri_path
from tracekit.artifacts.run_artifacts import log_file_content, run_artifact_repository, run_artifact_uri
from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.result import EvaluationArtifact


def _is_figure(value: Any) -> bool:
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is needed only for figures
        return False
    return isinstance(value, Figure)


def _writer(name: str, value: Any) -> tuple[str, Any]:
    """The file name for artifact `name` holding `value`, and a function writing it to a local path."""
    if _is_figure(value):
        return f"{name}.png", lambda path: value.savefig(path, format="png")
    if isinstance(value, pd.DataFrame):
        return f"{name}.csv", lambda path: value.to_csv(path, index=False)
    if isinstance(value, np.ndarray):
        return f"{name}.npy", lambda path: np.save(path, value, allow_pickle=False)
    if isinstance(value, str) and os.path.isfile(value):
        extension = os.path.splitext(value)[1]
        return f"{name}{extension}", lambda path: shutil.copyfile(value, path)
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError as error:
            raise TracekitException.invalid_parameter_value(
                f"The artifact {name!r} is a string that is neither an existing file path nor JSON text.") from error
        return f"{name}.json", lambda path: _write_text(path, value)
    if isinstance(value, (dict, list)):
        try:
            text = json.dumps(value, indent=2, default=str)
        except (TypeError, ValueError) as error:
            raise TracekitException.invalid_parameter_value(
                f"The artifact {name!r} cannot be written as JSON: {error}.") from error
        return f"{name}.json", lambda path: _write_text(path, text)
    raise TracekitException.invalid_parameter_value(
        f"The artifact {name!r} is a {type(value).__module__}.{type(value).__qualname__}; an evaluation artifact is a "
        f"matplotlib Figure, a DataFrame, a numpy array, a dict or list, JSON text, or the path of a file.")


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def log_evaluation_artifact(run_id: str, name: str, value: Any) -> EvaluationArtifact:
    """Log `value` as the artifact `name` (plus the extension its kind takes) of run `run_id`."""
    file_name, write = _writer(name, value)
    log_file_content(file_name, write, lambda: run_artifact_repository(run_id))
    return EvaluationArtifact(uri=append_to_uri_path(run_artifact_uri(run_id), file_name), content=value)
