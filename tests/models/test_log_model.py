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


def test_a_model_logged_with_a_registered_name_loads_by_version_alias_and_latest(add_n_model, numbers_frame):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, registered_model_name="adder")
    assert info.registered_model_version == 1
    second = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, registered_model_name="adder")
    assert second.registered_model_version == 2
    client = tracekit.TracekitClient()
    client.set_registered_model_alias("adder", "champion", 1)
    version = client.get_model_version("adder", 1)
    assert version.model_id == info.model_id

    for uri, model_id in (("models:/adder/1", info.model_id), ("models:/adder@champion", info.model_id),
                          ("models:/adder/latest", second.model_id)):
        loaded = tracekit.pyfunc.load_model(uri)
        assert loaded.model_id == model_id
        expected = add_n_model.predict(None, numbers_frame)
        pd.testing.assert_frame_equal(pd.DataFrame(loaded.predict(numbers_frame)), pd.DataFrame(expected))
    # a registry URI resolves for artifact reads too
    assert "MLmodel" in {entry.path for entry in tracekit.artifacts.list_artifacts("models:/adder@champion")}
    # the predictions made through the registry URIs are traces of the versions' logged models
    assert len(tracekit.search_traces(model_id=info.model_id, return_type="list")) == 2


def test_a_bad_registered_name_is_refused_before_anything_is_logged(add_n_model):
    with pytest.raises(TracekitException, match="adder/1"):
        tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, registered_model_name="adder/1")
    assert tracekit.search_logged_models(output_format="list") == []
    with pytest.raises(ResourceNotFoundError, match="nosuch"):
        tracekit.pyfunc.load_model("models:/nosuch@champion")


def test_an_unknown_model_id_is_named():
    with pytest.raises(ResourceNotFoundError, match="m-0123456789abcdef0123456789abcdef"):
        tracekit.pyfunc.load_model("models:/m-0123456789abcdef0123456789abcdef")


class _Weights:
    """A stand-in for another library's model object, saved as a text file."""

    def __init__(self, factor: float) -> None:
        self.factor = factor


class _WeightsPredictor:
    def __init__(self, weights: _Weights) -> None:
        self.weights = weights

    def predict(self, data, params=None):
        return data["x"] * self.weights.factor


class _CustomFlavor:
    """A custom flavor written as the README's guide says: save_model, load_model, _load_pyfunc."""

    def save_model(self, weights, path, mlflow_model=None):
        from tracekit.models import Model

        os.makedirs(path)
        with open(os.path.join(path, "weights.txt"), "w") as file:
            file.write(str(weights.factor))
        model = mlflow_model or Model()
        model.add_flavor("weights", data="weights.txt", weights_version="1")
        model.add_flavor("python_function", loader_module=__name__, data="weights.txt")
        model.save(path)

    def load_model(self, model_uri):
        from tracekit.models import Model

        path = download_model(model_uri)
        with open(os.path.join(path, Model.load(path).flavors["weights"]["data"])) as file:
            return _Weights(float(file.read()))


def _load_pyfunc(path):
    with open(path) as file:
        return _WeightsPredictor(_Weights(float(file.read())))


def test_a_custom_flavor_logs_with_model_log_and_loads_as_pyfunc():
    from tracekit.models import Model

    flavor = _CustomFlavor()
    info = Model.log("scaler", flavor=flavor, weights=_Weights(3.0))

    assert tracekit.get_logged_model(info.model_id).status == tracekit.LoggedModelStatus.READY
    assert flavor.load_model(info.model_uri).factor == 3.0
    assert tracekit.pyfunc.load_model(info.model_uri).predict(pd.DataFrame({"x": [1, 2]})).tolist() == [3.0, 6.0]


def test_runs_uri_falls_back_on_the_runs_own_artifacts(tmp_path, add_n_model, numbers_frame):
    tracekit.pyfunc.save_model(tmp_path / "plain", python_model=add_n_model)
    with tracekit.start_run() as run:
        tracekit.log_artifacts(str(tmp_path / "plain"), "copied_model")

    loaded = tracekit.pyfunc.load_model(f"runs:/{run.info.run_id}/copied_model")
    assert loaded.predict(numbers_frame)["a"].tolist() == [6, 7]
    with pytest.raises(TracekitException, match="No model at"):
        tracekit.pyfunc.load_model(f"runs:/{run.info.run_id}/nothing_here")


def test_the_models_uri_works_with_the_artifact_functions(add_n_model):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model)

    names = {entry.path for entry in tracekit.artifacts.list_artifacts(info.model_uri)}
    assert {"MLmodel", "python_model.pkl", "requirements.txt"} <= names
    assert "python_function" in tracekit.artifacts.load_text(f"{info.model_uri}/MLmodel")


def test_loading_a_failed_model_warns_that_its_files_may_be_incomplete(add_n_model, caplog):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model)
    tracekit.finalize_logged_model(info.model_id, "FAILED")

    tracekit.pyfunc.load_model(info.model_uri)

    assert f"Logged model {info.model_id} is FAILED, not READY" in caplog.text
