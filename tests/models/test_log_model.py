"""log_model makes an MLflow 3 logged model: READY once its files are under its artifact location (FAILED if writing
fails), with params, tags and the active run as its source; loadable by models:/<model_id> and runs:/<run_id>/<name>;
found by search_logged_models."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import tracekit
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.models import get_model_info, infer_signature, set_signature
from tracekit.models.model_uris import download_model


def test_log_model_creates_a_ready_logged_model_with_its_files(iris, iris_classifier):
    features, _ = iris
    with tracekit.start_run() as run:
        info = tracekit.sklearn.log_model(iris_classifier, name="iris_lr", input_example=features.head(3),
                                          params={"max_iter": 500}, tags={"team": "ml"})

    logged = tracekit.get_logged_model(info.model_id)
    assert info.model_uri == f"models:/{info.model_id}" and info.run_id == run.info.run_id
    assert logged.status == tracekit.LoggedModelStatus.READY and logged.name == "iris_lr"
    assert logged.source_run_id == run.info.run_id
    assert logged.params == {"max_iter": "500"} and logged.tags["team"] == "ml"
    local = download_model(info.model_uri)
    assert {"MLmodel", "model.pkl", "requirements.txt", "input_example.json"} <= set(os.listdir(local))
    mlmodel = get_model_info(info.model_uri)
    assert (mlmodel.model_id, mlmodel.run_id, mlmodel.artifact_path) == (info.model_id, run.info.run_id, "iris_lr")
    assert info.flavors["sklearn"]["serialization_format"] == "cloudpickle"


def test_logged_model_loads_by_models_and_runs_uris(iris, iris_classifier):
    features, _ = iris
    with tracekit.start_run() as run:
        info = tracekit.sklearn.log_model(iris_classifier, name="iris_lr")
    expected = iris_classifier.predict(features)

    assert np.array_equal(tracekit.pyfunc.load_model(info.model_uri).predict(features), expected)
    assert np.array_equal(tracekit.sklearn.load_model(f"runs:/{run.info.run_id}/iris_lr").predict(features), expected)


def test_search_logged_models_finds_it(add_n_model):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, model_type="custom")

    found = tracekit.search_logged_models(filter_string="name = 'add_n'", output_format="list")
    assert [model.model_id for model in found] == [info.model_id]


class _Unpicklable(tracekit.pyfunc.PythonModel):
    def __reduce__(self):
        raise TypeError("no pickling here")

    def predict(self, context, model_input, params=None):
        return model_input


def test_a_model_that_fails_to_save_is_marked_failed():
    with pytest.raises(TracekitException, match="Cannot pickle"):
        tracekit.pyfunc.log_model(name="broken", python_model=_Unpicklable())

    (model,) = tracekit.search_logged_models(filter_string="name = 'broken'", output_format="list")
    assert model.status == tracekit.LoggedModelStatus.FAILED


def test_predictions_of_a_logged_model_are_linked_to_it(add_n_model, numbers_frame):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, input_example=numbers_frame)
    model = tracekit.pyfunc.load_model(info.model_uri)
    model.predict(numbers_frame)
    model.predict(numbers_frame)

    assert len(tracekit.search_traces(model_id=info.model_id, return_type="list")) == 2


def test_set_signature_rewrites_the_logged_model(add_n_model, numbers_frame):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model)
    signature = infer_signature(numbers_frame, numbers_frame)

    set_signature(info.model_uri, signature)

    assert get_model_info(info.model_uri).signature == signature
    with pytest.raises(TracekitException, match=r"missing required column\(s\) \['b'\]"):
        tracekit.pyfunc.load_model(info.model_uri).predict(pd.DataFrame({"a": [1]}))


def test_registry_features_say_they_need_the_registry(add_n_model):
    with pytest.raises(TracekitException, match="issue 16") as raised:
        tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, registered_model_name="adder")
    assert raised.value.error_code == "NOT_IMPLEMENTED"
    assert tracekit.search_logged_models(output_format="list") == []
    for uri in ("models:/adder/1", "models:/adder@champion"):
        with pytest.raises(TracekitException, match="model registry") as raised:
            tracekit.pyfunc.load_model(uri)
        assert raised.value.error_code == "NOT_IMPLEMENTED"


def test_an_unknown_model_id_is_named():
    with pytest.raises(ResourceNotFoundError, match="m-0123456789abcdef0123456789abcdef"):
        tracekit.pyfunc.load_model("models:/m-0123456789abcdef0123456789abcdef")
