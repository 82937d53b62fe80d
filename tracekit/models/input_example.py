"""Input examples: saved beside a model as `input_example.json` (what was given) and `serving_input_example.json`
(the request body a scoring server takes), read back, and serving bodies turned into model input.

Tabular examples (a DataFrame, a dict of scalars or of equal-length lists, a list of dicts) are stored in pandas'
split orientation; arrays (or a dict of arrays) as `{"inputs": ...}`; anything else JSON can hold (a string, a list
of strings, a chat request dict) as itself. An example may be `(data, params)`, the params saved alongside.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from tracekit.exceptions import TracekitException
from tracekit.models.type_inference import python_value_type

INPUT_EXAMPLE_FILE = "input_example.json"
SERVING_INPUT_FILE = "serving_input_example.json"


def split_example(input_example: Any) -> tuple[Any, dict[str, Any] | None]:
    """`(data, params)` from an example given as data alone or as a `(data, params)` tuple."""
    if isinstance(input_example, tuple) and len(input_example) == 2 and isinstance(input_example[1], Mapping):
        return input_example[0], dict(input_example[1])
    return input_example, None


def _example_kind(data: Any) -> str:
    import pandas as pd

    if isinstance(data, (pd.DataFrame, pd.Series)):
        return "dataframe"
    if isinstance(data, np.ndarray):
        return "ndarray"
    if isinstance(data, Mapping) and data:
        values = list(data.values())
        if all(isinstance(value, np.ndarray) for value in values):
            return "ndarray"
        if all(python_value_type(value) is not None for value in values):
            return "dataframe"
        if all(isinstance(value, list) and all(python_value_type(item) is not None for item in value)
               for value in values) and len({len(value) for value in values}) == 1:
            return "dataframe"
    if isinstance(data, list) and data and all(
            isinstance(item, Mapping) and all(python_value_type(v) is not None for v in item.values())
            for item in data):
        return "dataframe"
    return "json_object"


def _to_frame(data: Any) -> Any:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, Mapping) and all(python_value_type(value) is not None for value in data.values()):
        return pd.DataFrame([dict(data)])
    return pd.DataFrame(data)


def _jsonable(data: Any, kind: str) -> Any:
    """The JSON value stored for `data` of `kind`."""
    if kind == "dataframe":
        split = json.loads(_to_frame(data).to_json(orient="split", index=False, date_format="iso"))
        return {"columns": split["columns"], "data": split["data"]}
    if kind == "ndarray":
        if isinstance(data, Mapping):
            return {"inputs": {str(key): np.asarray(value).tolist() for key, value in data.items()}}
        return {"inputs": data.tolist()}
    try:
        json.dumps(data)
    except (TypeError, ValueError) as error:
        raise TracekitException.invalid_parameter_value(
            f"The input example ({type(data).__name__}) cannot be saved: it is not a DataFrame, numpy array, dict, "
            f"list or JSON value ({error}).") from None
    return data


def to_serving_input(data: Any, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The scoring-server request body for `data` (and `params`)."""
    kind = _example_kind(data)
    stored = _jsonable(data, kind)
    body: dict[str, Any] = ({"dataframe_split": stored} if kind == "dataframe" else
                            stored if kind == "ndarray" else {"inputs": stored})
    if params:
        body["params"] = dict(params)
    return body


def convert_input_example_to_serving_input(input_example: Any) -> str | None:
    """The scoring-server request body (JSON text) for a model input example; None for None.

    >>> convert_input_example_to_serving_input(pd.DataFrame({"x": [1.0]}))
    '{"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}'
    """
    if input_example is None:
        return None
    data, params = split_example(input_example)
    return json.dumps(to_serving_input(data, params))


def save_input_example(model_dir: str, input_example: Any) -> dict[str, Any]:
    """Write the example's two files into `model_dir`; the `saved_input_example_info` the MLmodel file records."""
    data, params = split_example(input_example)
    kind = _example_kind(data)
    stored = _jsonable(data, kind)
    with open(os.path.join(model_dir, INPUT_EXAMPLE_FILE), "w", encoding="utf-8") as file:
        json.dump(stored, file)
    with open(os.path.join(model_dir, SERVING_INPUT_FILE), "w", encoding="utf-8") as file:
        json.dump(to_serving_input(data, params), file, indent=2)
    info: dict[str, Any] = {"artifact_path": INPUT_EXAMPLE_FILE, "type": kind,
                            "serving_input_path": SERVING_INPUT_FILE}
    if kind == "dataframe":
        info["pandas_orient"] = "split"
    if params:
        info["params"] = params
    return info


def load_input_example(model_dir: str, info: Mapping[str, Any] | None) -> Any:
    """The example saved in `model_dir` as described by `info` (None when there is none): a DataFrame, a numpy
    array (or dict of arrays), or the JSON value."""
    if not info:
        return None
    path = os.path.join(model_dir, str(info.get("artifact_path", INPUT_EXAMPLE_FILE)))
    stored = _read_json(path)
    kind = info.get("type")
    if kind == "dataframe":
        import pandas as pd

        return pd.DataFrame(stored["data"], columns=stored["columns"])
    if kind == "ndarray":
        inputs = stored["inputs"]
        return ({key: np.asarray(value) for key, value in inputs.items()} if isinstance(inputs, dict)
                else np.asarray(inputs))
    return stored


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        raise TracekitException.invalid_parameter_value(
            f"The model's MLmodel file names an input example {path!r} that does not exist.") from None
    except ValueError as error:
        raise TracekitException.invalid_parameter_value(f"{path!r} is not valid JSON: {error}.") from None


def parse_serving_input(serving_input: str | Mapping[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """`(data, params)` from a scoring-server request body: `dataframe_split`, `dataframe_records`, `instances`
    or `inputs`, with optional `params`."""
    import pandas as pd

    if isinstance(serving_input, str):
        try:
            body = json.loads(serving_input)
        except ValueError as error:
            raise TracekitException.invalid_parameter_value(f"The serving input is not valid JSON: {error}.") from None
    else:
        body = serving_input
    keys = ("dataframe_split", "dataframe_records", "instances", "inputs")
    if not isinstance(body, Mapping) or sum(key in body for key in keys) != 1:
        raise TracekitException.invalid_parameter_value(
            f"A serving input is a JSON object with exactly one of {list(keys)} (and optionally 'params'), got "
            f"{sorted(body) if isinstance(body, Mapping) else type(body).__name__}.")
    params = body.get("params")
    if params is not None and not isinstance(params, Mapping):
        raise TracekitException.invalid_parameter_value("The serving input's 'params' must be a JSON object.")
    if "dataframe_split" in body:
        split = body["dataframe_split"]
        if not isinstance(split, Mapping) or "data" not in split:
            raise TracekitException.invalid_parameter_value(
                "'dataframe_split' must be an object with 'data' (and usually 'columns').")
        data: Any = pd.DataFrame(split["data"], columns=split.get("columns"))
    elif "dataframe_records" in body:
        data = pd.DataFrame(body["dataframe_records"])
    else:
        data = body.get("inputs", body.get("instances"))
        if isinstance(data, list) and data and all(isinstance(item, list) for item in data):
            data = np.asarray(data)
    return data, None if params is None else dict(params)
