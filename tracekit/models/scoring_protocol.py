"""The /invocations protocol without the web server: a request body (JSON or CSV) turned into model input and
params, and predictions turned into the `{"predictions": ...}` answer. Shared by the scoring server,
`tracekit models predict` and `tracekit.models.predict`.

JSON bodies are what `input_example.parse_serving_input` reads (`dataframe_split`, `dataframe_records`,
`instances`, `inputs`, optional `params`); a bare JSON list of records is accepted too, as S2's
`format=pandas-records` example sends it.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import orjson

from tracekit.exceptions import TracekitException
from tracekit.models.input_example import parse_serving_input

JSON_CONTENT_TYPE = "application/json"
CSV_CONTENT_TYPE = "text/csv"
CONTENT_TYPES = ("json", "csv")
_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def media_type(content_type: str) -> str:
    """`json` or `csv` for a Content-Type header (or a short name); TracekitException naming the valid ones."""
    main = content_type.split(";", 1)[0].strip().lower()
    if main in ("json", JSON_CONTENT_TYPE):
        return "json"
    if main in ("csv", CSV_CONTENT_TYPE):
        return "csv"
    raise TracekitException.invalid_parameter_value(
        f"Unsupported content type {content_type!r}: send {JSON_CONTENT_TYPE!r} (a body with dataframe_split, "
        f"dataframe_records, instances or inputs) or {CSV_CONTENT_TYPE!r} (a CSV table with a header row).")


def parse_request(body: bytes | str, content_type: str) -> tuple[Any, dict[str, Any] | None]:
    """`(model input, params)` from a request body of `content_type`; TracekitException (400) for a body that is
    not valid JSON or CSV, lacks the fields, or has an unsupported content type."""
    kind = media_type(content_type)
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if kind == "csv":
        return _parse_csv(text), None
    try:
        parsed = json.loads(text)
    except ValueError as error:
        raise TracekitException.invalid_parameter_value(f"The request body is not valid JSON: {error}.") from None
    if isinstance(parsed, list):
        parsed = {"dataframe_records": parsed}
    try:
        return parse_serving_input(parsed)
    except TracekitException:
        raise
    except (ValueError, TypeError) as error:  # pandas refusing the shape of the data
        raise TracekitException.invalid_parameter_value(
            f"The request's data cannot be made into model input: {error}.") from None


def _parse_csv(text: str) -> Any:
    import pandas as pd

    if not text.strip():
        raise TracekitException.invalid_parameter_value("The CSV request body is empty; send a header row and rows.")
    try:
        return pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError) as error:
        raise TracekitException.invalid_parameter_value(f"The request body is not valid CSV: {error}.") from None


def predictions_to_json(predictions: Any) -> dict[str, Any]:
    """The answer for `predictions`: `{"predictions": ...}` with DataFrames as records, arrays and Series as
    lists, numpy scalars as Python numbers."""
    return orjson.loads(predictions_json(predictions))


def predictions_json(predictions: Any) -> bytes:
    """The answer for `predictions` as JSON bytes (see `predictions_to_json`), written once: the scoring server sends
    these bytes and records them as its span's outputs. NaN and infinity are written as null, as pandas does."""
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        value = predictions.to_json(orient="records", date_format="iso")
    elif isinstance(predictions, pd.Series):
        value = predictions.to_json(orient="values", date_format="iso")
    else:
        answer = {"predictions": predictions}
        try:
            return orjson.dumps(answer, default=_numpy_value, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:  # integers beyond 64 bits, or a value _numpy_value refuses (named by json)
            return json.dumps(answer, default=_numpy_value, allow_nan=False).encode("utf-8")
    return b'{"predictions":' + value.encode("utf-8") + b"}"


def _numpy_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"predictions of type {type(value).__name__} cannot be written as JSON")
