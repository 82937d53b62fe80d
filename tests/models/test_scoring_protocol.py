"""The /invocations answer written once as JSON bytes (`predictions_json`) and as a dict (`predictions_to_json`)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tracekit.models.scoring_protocol import predictions_json, predictions_to_json


@pytest.mark.parametrize(("predictions", "expected"), [
    (np.array([1, 0, 2]), [1, 0, 2]),
    (np.array([[0.25, 0.75], [1.0, 0.0]], dtype=np.float32), [[0.25, 0.75], [1.0, 0.0]]),
    (np.array([1.0, 2.0, 3.0])[::2], [1.0, 3.0]),  # not contiguous: written through tolist
    (np.array(["setosa", "virginica"], dtype=object), ["setosa", "virginica"]),
    (np.int64(7), 7),
    ([np.float64(0.5), {"k": np.int32(3)}], [0.5, {"k": 3}]),
    ({1: "one"}, {"1": "one"}),
    (pd.DataFrame({"label": ["a", "b"], "score": [0.5, 0.25]}), [{"label": "a", "score": 0.5},
                                                                 {"label": "b", "score": 0.25}]),
    (pd.Series([3, 4], index=[10, 11]), [3, 4]),
    (np.array([1.0, np.nan]), [1.0, None]),
    (pd.Series([1.0, np.nan]), [1.0, None]),
], ids=["ints", "float32_matrix", "strided", "object_strings", "numpy_scalar", "nested", "int_keys", "dataframe",
        "series", "nan_array", "nan_series"])
def test_the_answer_bytes_are_json_of_the_predictions(predictions, expected):
    answer = predictions_json(predictions)
    assert isinstance(answer, bytes)
    assert json.loads(answer) == {"predictions": expected}
    assert predictions_to_json(predictions) == {"predictions": expected}


def test_integers_beyond_64_bits_are_written_too():
    assert json.loads(predictions_json([2**70])) == {"predictions": [2**70]}


def test_predictions_json_cannot_hold_are_refused_naming_their_type():
    with pytest.raises(TypeError, match="predictions of type object cannot be written as JSON"):
        predictions_json([object()])
