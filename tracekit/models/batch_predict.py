"""`tracekit.models.predict`: score a request body (JSON or CSV, the formats the scoring server takes) with a model
in this process, writing `{"predictions": ...}` to a file or stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.scoring_protocol import parse_request, predictions_to_json

SUPPORTED_ENV_MANAGERS = ("local",)


def check_env_manager(env_manager: str) -> None:
    """TracekitException unless `env_manager` is one tracekit supports (only `local` for now)."""
    if env_manager not in SUPPORTED_ENV_MANAGERS:
        raise TracekitException.invalid_parameter_value(
            f"--env-manager {env_manager!r} is not supported: only 'local' is supported for now (the model runs in "
            "this Python environment; install the packages of its requirements.txt here first).")


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
    text = json.dumps(answer)
    if output_path is None:
        sys.stdout.write(text + "\n")
    else:
        with open(output_path, "w", encoding="utf-8") as file:
            file.write(text)
    return answer
