"""Payload JSON: nothing raises, oversize payloads are truncated visibly."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import uuid

import pytest

import tracekit
from tracekit import serialization


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Item:
    name: str
    tags: set


class Cyclic:
    def __init__(self):
        self.me = self


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": 1, "b": [1.5, None, True]}, {"a": 1, "b": [1.5, None, True]}),
        ({1: "int key", (1, 2): "tuple key"}, {"1": "int key", "(1, 2)": "tuple key"}),
        (datetime.datetime(2024, 5, 1, 12, 0), "2024-05-01T12:00:00"),
        (Color.RED, "red"),
        (b"bytes", "bytes"),
        (frozenset({3}), [3]),
        (2**70, "1180591620717411303424 [tracekit: integer beyond 64 bits, stored as text]"),
    ],
)
def test_values_become_json(value, expected):
    assert json.loads(serialization.dumps(value)) == expected


def test_objects_json_cannot_take_are_converted_not_raised():
    for value in (Item("x", {1}), Cyclic(), object(), uuid.uuid4(), float("nan"), lambda: 0):
        json.loads(serialization.dumps(value))


def test_pydantic_and_numpy_and_pandas_values():
    numpy = pytest.importorskip("numpy")
    pandas = pytest.importorskip("pandas")
    pydantic = pytest.importorskip("pydantic")

    class Model(pydantic.BaseModel):
        x: int

    assert json.loads(serialization.dumps(Model(x=1))) == {"x": 1}
    assert json.loads(serialization.dumps(numpy.arange(3))) == [0, 1, 2]
    assert json.loads(serialization.dumps(numpy.float32(1.5))) == 1.5
    frame = pandas.DataFrame({"a": [1, 2]})
    assert json.loads(serialization.dumps(frame)) == [{"a": 1}, {"a": 2}]
    assert json.loads(serialization.dumps(pandas.Series([1, 2]))) == {"0": 1, "1": 2}


def test_oversize_payload_is_truncated_with_a_marker(monkeypatch, exported):
    monkeypatch.setenv("TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", "1000")
    tracekit.tracing.reset()

    @tracekit.trace
    def big(text):
        return "ok"

    big("x" * 50_000)
    inputs = exported()[0].data.spans[0].inputs
    assert isinstance(inputs, str)
    assert len(inputs.encode()) <= 1000
    assert inputs.startswith('{"text":"xxx')
    assert inputs.endswith("[truncated by tracekit: 50011 bytes, limit 1000]")


def test_multibyte_text_is_measured_in_bytes():
    text = serialization.dumps("é" * 600, limit=1000)
    assert "truncated by tracekit" in json.loads(text)
    assert len(text.encode()) <= 1000
