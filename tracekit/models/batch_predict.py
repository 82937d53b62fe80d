"""`tracekit.models.predict`: score a request body (JSON or CSV, the formats the scoring server takes) with a model
in this process, writing `{"predictions": ...}` to a file or stdout."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.scoring_protocol import parse_request, predictions_to_json

SUPPORTED_ENV_MANAGERS = ("local", "virtualenv")


def check_env_manager(env_manager: str) -> None:
    """TracekitException unless `env_manager` is one tracekit supports: `local` (this Python environment) or
    `virtualenv` (one built from the model's python_env.yaml and requirements.txt)."""
    if env_manager not in SUPPORTED_ENV_MANAGERS:
        raise TracekitException.invalid_parameter_value(
            f"--env-manager {env_manager!r} is not supported: use 'local' (the model runs in this Python environment) "
            "or 'virtualenv' (in a virtual environment built from the model's requirements). conda is not supported.")


def _predict_in_virtualenv(model_uri: str, input_path: str, content_type: str) -> dict[str, Any]:
    """The answer of `tracekit models predict` run with the Python of the model's virtual environment."""
    import subprocess
    import tempfile

    from tracekit.models.virtualenv_manager import model_virtualenv_python

    python = model_virtualenv_python(model_uri)
    with tempfile.TemporaryDirectory(prefix="tracekit-predict-") as scratch:
        output = os.path.join(scratch, "predictions.json")
        finished = subprocess.run(
            [str(python), "-m", "tracekit.cli", "models", "predict", "-m", model_uri, "-i", input_path,
             "-t", content_type, "-o", output, "--env-manager", "local"],
            capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            message = (finished.stderr.strip() or finished.stdout.strip()).removeprefix("Error: ")
            raise TracekitException.invalid_parameter_value(
                f"Predicting in the model's virtual environment ({python}) failed: {message}")
        with open(output, encoding="utf-8") as file:
            answer: dict[str, Any] = json.load(file)
    return answer


def _input_file(input_data: Any, content_type: str, folder: str) -> tuple[str, str]:
    """`input_data` written to a file in `folder` (for a predict in another process): its path and content type."""
    import pandas as pd

    path = os.path.join(folder, "input")
    if isinstance(input_data, pd.DataFrame):
        split = json.loads(input_data.to_json(orient="split", index=False))
        input_data, content_type = json.dumps({"dataframe_split": split}), "json"
    elif isinstance(input_data, (Mapping, list)):
        input_data, content_type = json.dumps(input_data), "json"
    elif not isinstance(input_data, (str, bytes)):
        raise TracekitException.invalid_parameter_value(
            f"input_data must be a serving body (dict, list, or JSON/CSV text) or a DataFrame, not "
            f"{type(input_data).__name__}.")
    with open(path, "wb") as file:
        file.write(input_data.encode("utf-8") if isinstance(input_data, str) else input_data)
    return path, content_type


def predict(model_uri: str, input_data: Any = None, input_path: str | None = None, content_type: str = "json",
            output_path: str | None = None, env_manager: str = "local") -> dict[str, Any]:
    """Score `input_data` (a serving body as a dict or JSON/CSV text, or a DataFrame) or the file at `input_path`
    with the model at `model_uri`; write `{"predictions": ...}` as JSON to `output_path` (stdout when None) and
    return it.

    >>> tracekit.models.predict(info.model_uri, {"dataframe_split": {"columns": ["x"], "data": [[1.0]]}})
    """
    import pandas as pd

    from tracekit.models.pyfunc_model import load_model

    check_env_manager(env_manager)
    if (input_data is None) == (input_path is None):
        raise TracekitException.invalid_parameter_value("Give exactly one of input_data and input_path.")
    if env_manager == "virtualenv":
        import tempfile

        with tempfile.TemporaryDirectory(prefix="tracekit-predict-input-") as folder:
            if input_path is None:
                input_path, content_type = _input_file(input_data, content_type, folder)
            answer = _predict_in_virtualenv(model_uri, input_path, content_type)
        _write_answer(answer, output_path)
        return answer
    params: dict[str, Any] | None = None
    if input_path is not None:
        with open(input_path, "rb") as file:
            data, params = parse_request(file.read(), content_type)
    elif isinstance(input_data, pd.DataFrame):
        data = input_data
    elif isinstance(input_data, (str, bytes)):
        data, params = parse_request(input_data, content_type)
    elif isinstance(input_data, (Mapping, list)):
        data, params = parse_request(json.dumps(input_data), "json")
    else:
        raise TracekitException.invalid_parameter_value(
            f"input_data must be a serving body (dict, list, or JSON/CSV text) or a DataFrame, not "
            f"{type(input_data).__name__}.")
    answer = predictions_to_json(load_model(model_uri).predict(data, params=params))
    _write_answer(answer, output_path)
    return answer


def _write_answer(answer: dict[str, Any], output_path: str | None) -> None:
    text = json.dumps(answer)
    if output_path is None:
        sys.stdout.write(text + "\n")
    else:
        with open(output_path, "w", encoding="utf-8") as file:
            file.write(text)
