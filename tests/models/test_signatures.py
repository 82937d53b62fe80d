"""Signatures: inferred from pandas, numpy, dicts, lists and strings; stored as JSON; enforced with the seed's rules
(by name, reordered, extra columns dropped, only lossless conversions, errors naming the column)."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from tracekit.exceptions import TracekitException
from tracekit.models import ModelSignature, infer_signature, validate_schema
from tracekit.models.enforcement import enforce_params, enforce_schema
from tracekit.types import ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec


def test_infer_signature_of_a_dataframe_and_predictions():
    frame = pd.DataFrame({"x": [1.0, 2.0], "n": [1, 2], "label": ["a", "b"], "flag": [True, False]})
    signature = infer_signature(frame, np.array([0, 1]))

    assert signature.inputs == Schema([ColSpec("double", "x"), ColSpec("long", "n"), ColSpec("string", "label"),
                                       ColSpec("boolean", "flag")])
    assert signature.outputs == Schema([TensorSpec(np.dtype("int64"), (-1,))])


def test_infer_signature_of_numpy_dicts_lists_strings_and_params():
    assert infer_signature(np.zeros((3, 28, 28), dtype=np.uint8)).inputs == Schema(
        [TensorSpec(np.dtype(np.uint8), (-1, 28, 28))])
    assert infer_signature({"question": "hi", "k": 3}).inputs == Schema(
        [ColSpec("string", "question"), ColSpec("long", "k")])
    assert infer_signature(["a", "b"]).inputs == Schema([ColSpec("string")])
    assert infer_signature([{"a": 1, "b": "x"}]).inputs == Schema([ColSpec("long", "a"), ColSpec("string", "b")])
    assert infer_signature("hello", "world").outputs == Schema([ColSpec("string")])
    params = infer_signature("q", params={"temperature": 0.5, "stop": ["\n"]}).params
    assert params == ParamSchema([ParamSpec("temperature", "double", 0.5), ParamSpec("stop", "string", ["\n"], (-1,))])


def test_infer_signature_names_a_column_without_a_type():
    with pytest.raises(TracekitException, match="column 'mixed'"):
        infer_signature(pd.DataFrame({"mixed": [1, "a"]}))


def test_signature_round_trips_through_its_dict_form():
    signature = ModelSignature(Schema([ColSpec("double", "x"), ColSpec("string", "y", required=False)]),
                               Schema([TensorSpec(np.dtype("float32"), (-1, 10))]),
                               ParamSchema([ParamSpec("when", "datetime", datetime.datetime(2024, 1, 1))]))

    assert ModelSignature.from_dict(signature.to_dict()) == signature


def test_the_older_tensor_form_of_the_seed_is_read():
    schema = Schema.from_json('[{"name": "images", "dtype": "uint8", "shape": [-1, 28, 28, 1]}]')

    assert schema == Schema([TensorSpec(np.dtype(np.uint8), (-1, 28, 28, 1), "images")])


def test_a_schema_mixing_columns_and_tensors_is_refused():
    with pytest.raises(TracekitException, match="not both"):
        Schema([ColSpec("double", "x"), TensorSpec(np.dtype("float32"), (-1,), "t")])


def test_columns_are_matched_by_name_reordered_and_extras_dropped():
    schema = Schema([ColSpec("double", "x"), ColSpec("long", "n")])
    given = pd.DataFrame({"extra": ["?"], "n": [3], "x": [1.5]})

    enforced = enforce_schema(given, schema)

    assert list(enforced.columns) == ["x", "n"]
    assert enforced.iloc[0].tolist() == [1.5, 3]


def test_missing_required_column_is_named():
    schema = Schema([ColSpec("double", "x"), ColSpec("long", "n")])

    with pytest.raises(TracekitException, match=r"missing required column\(s\) \['n'\]"):
        validate_schema(pd.DataFrame({"x": [1.0]}), schema)


def test_optional_column_may_be_missing():
    schema = Schema([ColSpec("double", "x"), ColSpec("string", "note", required=False)])

    assert list(enforce_schema(pd.DataFrame({"x": [1.0]}), schema).columns) == ["x"]


def test_safe_widening_converts_and_lossy_conversions_name_the_column():
    schema = Schema([ColSpec("double", "x"), ColSpec("long", "n")])
    widened = enforce_schema(pd.DataFrame({"x": np.array([1], dtype=np.int32), "n": np.array([2], dtype=np.int16)}),
                             schema)
    assert widened.dtypes.tolist() == [np.dtype("float64"), np.dtype("int64")]

    with pytest.raises(TracekitException, match=r"column 'x'.*expected double, got long"):
        validate_schema(pd.DataFrame({"x": [1], "n": [2]}), schema)
    with pytest.raises(TracekitException, match=r"column 'n'.*expected long, got double.*declare such a column"):
        validate_schema(pd.DataFrame({"x": [1.0], "n": [2.5]}), schema)


def test_string_column_with_numbers_is_refused():
    with pytest.raises(TracekitException, match="column 'label'.*expected string"):
        validate_schema(pd.DataFrame({"label": [1, 2]}), Schema([ColSpec("string", "label")]))


def test_dicts_lists_and_scalars_become_dataframes():
    named = Schema([ColSpec("string", "question"), ColSpec("long", "k")])
    assert enforce_schema({"question": "hi", "k": 2}, named).to_dict("records") == [{"question": "hi", "k": 2}]
    assert len(enforce_schema([{"question": "a", "k": 1}, {"question": "b", "k": 2}], named)) == 2
    assert enforce_schema("hi", Schema([ColSpec("string")])).iloc[0, 0] == "hi"


def test_unnamed_columns_are_matched_by_count():
    schema = Schema([ColSpec("double"), ColSpec("double")])
    assert enforce_schema(np.array([[1.0, 2.0]]), schema).shape == (1, 2)

    with pytest.raises(TracekitException, match="takes 2 unnamed column"):
        validate_schema(np.array([[1.0, 2.0, 3.0]]), schema)


def test_datetime_precision_is_ignored_for_columns():
    schema = Schema([ColSpec("datetime", "when")])
    days = pd.DataFrame({"when": np.array(["2024-01-01"], dtype="datetime64[D]")})

    validate_schema(days, schema)


def test_tensors_are_checked_strictly():
    schema = Schema([TensorSpec(np.dtype(np.float32), (-1, 2), "t")])

    assert enforce_schema({"t": np.zeros((3, 2), np.float32)}, schema)["t"].shape == (3, 2)
    with pytest.raises(TracekitException, match="Tensor 't'.*expected dtype float32, got float64"):
        validate_schema({"t": np.zeros((3, 2))}, schema)
    with pytest.raises(TracekitException, match=r"Tensor 't'.*expected shape \(-1, 2\).*got \(3, 3\)"):
        validate_schema({"t": np.zeros((3, 3), np.float32)}, schema)


def test_params_get_defaults_conversions_and_errors_naming_the_param():
    schema = ParamSchema([ParamSpec("temperature", DataType.double, 0.7), ParamSpec("k", "long", 3)])

    assert enforce_params({"temperature": 1}, schema) == {"temperature": 1.0, "k": 3}
    assert enforce_params(None, schema) == {"temperature": 0.7, "k": 3}
    with pytest.raises(TracekitException, match="Param 'k' must be long, got 'three'"):
        enforce_params({"k": "three"}, schema)


def test_a_param_default_of_the_wrong_type_is_refused():
    with pytest.raises(TracekitException, match="Param 'k' must be long"):
        ParamSpec("k", "long", 0.5)


def test_the_seed_explicit_signature_imports_work():
    from tracekit.models.signature import ModelSignature as SignatureAtItsMlflowPath
    from tracekit.types.schema import ColSpec as ColSpecAtItsMlflowPath
    from tracekit.types.schema import Schema as SchemaAtItsMlflowPath

    input_schema = SchemaAtItsMlflowPath([ColSpecAtItsMlflowPath("double", "sepal length (cm)")])
    signature = SignatureAtItsMlflowPath(inputs=input_schema, outputs=SchemaAtItsMlflowPath([ColSpec("long")]))
    assert signature.to_dict()["outputs"] == '[{"type": "long", "required": true}]'
