"""The model directory: MLmodel with its fields, environment files, input examples; and what bad directories and
hostile MLmodel files get (errors naming the file; nothing unpickled by reading)."""

from __future__ import annotations

import json
import os
import pickle

import pandas as pd
import pytest
import yaml

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.models import Model, get_model_info, infer_signature


def test_saved_model_directory_holds_the_mlmodel_environment_and_example(tmp_path, add_n_model, numbers_frame):
    path = tmp_path / "add_n"
    tracekit.pyfunc.save_model(path, python_model=add_n_model, input_example=numbers_frame, metadata={"team": "ml"})

    assert sorted(os.listdir(path)) == ["MLmodel", "conda.yaml", "input_example.json", "python_env.yaml",
                                        "python_model.pkl", "requirements.txt", "serving_input_example.json"]
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    assert mlmodel["flavors"]["python_function"]["loader_module"] == "tracekit.models.python_model"
    assert mlmodel["metadata"] == {"team": "ml"} and mlmodel["tracekit_version"] == tracekit.__version__
    assert len(mlmodel["model_uuid"]) == 32 and mlmodel["utc_time_created"]
    assert mlmodel["saved_input_example_info"]["type"] == "dataframe"
    assert json.loads(mlmodel["signature"]["inputs"]) == [{"type": "long", "name": "a", "required": True},
                                                          {"type": "double", "name": "b", "required": True}]
    requirements = (path / "requirements.txt").read_text().splitlines()
    assert f"tracekit=={tracekit.__version__}" in requirements
    assert any(line.startswith("cloudpickle==") for line in requirements)
    assert yaml.safe_load((path / "python_env.yaml").read_text())["dependencies"] == ["-r requirements.txt"]
    assert yaml.safe_load((path / "conda.yaml").read_text())["dependencies"][2] == {"pip": requirements}
    assert json.loads((path / "serving_input_example.json").read_text()) == {
        "dataframe_split": {"columns": ["a", "b"], "data": [[1, 0.5], [2, 1.5]]}}


def test_the_input_example_loads_back(tmp_path, add_n_model, numbers_frame):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model, input_example=numbers_frame)

    model = Model.load(str(tmp_path / "m"))
    pd.testing.assert_frame_equal(model.load_input_example(str(tmp_path / "m")), numbers_frame)


def test_pip_requirements_replace_and_extra_requirements_add(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "only", python_model=add_n_model, pip_requirements=["pandas>=2"])
    tracekit.pyfunc.save_model(tmp_path / "extra", python_model=add_n_model, extra_pip_requirements=["rich"])

    assert (tmp_path / "only" / "requirements.txt").read_text() == "pandas>=2\n"
    extra = (tmp_path / "extra" / "requirements.txt").read_text().splitlines()
    assert extra[-1] == "rich" and any(line.startswith("tracekit==") for line in extra)
    with pytest.raises(TracekitException, match="not both"):
        tracekit.pyfunc.save_model(tmp_path / "both", python_model=add_n_model, pip_requirements=["a"],
                                   extra_pip_requirements=["b"])


def test_the_seed_conda_env_gives_the_requirements(tmp_path, add_n_model):
    conda_env = {"channels": ["conda-forge"], "dependencies": ["python=3.8.8", "pip"],
                 "pip": ["mlflow", "scikit-learn==0.23.2", "cloudpickle==1.6.0"], "name": "mlflow-env"}
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model, conda_env=conda_env)

    assert (tmp_path / "m" / "requirements.txt").read_text().splitlines() == [
        "mlflow", "scikit-learn==0.23.2", "cloudpickle==1.6.0"]


def test_model_api_add_flavor_save_load_round_trip(tmp_path, numbers_frame):
    model = Model(signature=infer_signature(numbers_frame), metadata={"k": 1})
    model.add_flavor("my_flavor", data="weights.bin", version="1.2")
    model.save(str(tmp_path))

    loaded = Model.load(str(tmp_path))
    assert loaded == model
    assert loaded.flavors["my_flavor"] == {"data": "weights.bin", "version": "1.2"}
    assert get_model_info(str(tmp_path)).signature == model.signature


def test_saving_over_an_existing_model_is_refused(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)

    with pytest.raises(TracekitException, match="already exists"):
        tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)


def test_missing_mlmodel_names_the_file(tmp_path):
    (tmp_path / "empty").mkdir()

    with pytest.raises(TracekitException, match=r"empty/MLmodel.*does not exist"):
        get_model_info(str(tmp_path / "empty"))
    with pytest.raises(TracekitException, match="No model at"):
        tracekit.pyfunc.load_model(str(tmp_path / "nowhere"))


@pytest.mark.parametrize("contents", ["flavors: [unclosed", "- just\n- a list\n", "flavors: 3\n",
                                      "flavors: {}\nsignature: {inputs: 'not json'}\n"])
def test_malformed_mlmodel_names_the_file(tmp_path, contents):
    (tmp_path / "MLmodel").write_text(contents)

    with pytest.raises(TracekitException, match=r"Malformed MLmodel file '.*MLmodel'"):
        get_model_info(str(tmp_path))


class _Boom:
    def __reduce__(self):
        return (os.mkdir, ("unpickled-marker",))


def test_reading_model_info_never_unpickles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.pkl").write_bytes(pickle.dumps(_Boom()))
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump({"flavors": {"sklearn": {"pickled_model": "model.pkl"}}}))
    # A YAML tag asking for a Python object is refused by the safe loader, not executed.
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "MLmodel").write_text("flavors: !!python/object/apply:os.mkdir ['unpickled-marker']\n")

    assert get_model_info(str(tmp_path / "m")).flavors == {"sklearn": {"pickled_model": "model.pkl"}}
    with pytest.raises(TracekitException, match="Malformed MLmodel"):
        get_model_info(str(tmp_path / "evil"))
    assert not (tmp_path / "unpickled-marker").exists()


def test_mlmodel_pointing_outside_its_directory_is_refused(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)
    (tmp_path / "outside.pkl").write_bytes(b"")
    mlmodel = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    mlmodel["flavors"]["python_function"]["python_model"] = "../outside.pkl"
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump(mlmodel))

    with pytest.raises(TracekitException, match="outside the model directory"):
        tracekit.pyfunc.load_model(str(tmp_path / "m"))


def test_a_model_without_the_pyfunc_flavor_is_refused_by_pyfunc(tmp_path):
    Model().add_flavor("custom", data="x").save(str(tmp_path))

    with pytest.raises(TracekitException, match=r"no python_function flavor.*\['custom'\]"):
        tracekit.pyfunc.load_model(str(tmp_path))


def test_a_missing_flavor_file_is_named(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)
    (tmp_path / "m" / "python_model.pkl").unlink()

    with pytest.raises(TracekitException, match="missing 'python_model.pkl'"):
        tracekit.pyfunc.load_model(str(tmp_path / "m"))


@pytest.mark.parametrize("key, value", [("code", "/"), ("model_path", "../outside.pkl")])
def test_pyfunc_entries_pointing_outside_the_model_are_refused(tmp_path, iris_classifier, key, value):
    tracekit.sklearn.save_model(iris_classifier, tmp_path / "m")
    mlmodel = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    mlmodel["flavors"]["python_function"][key] = value
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump(mlmodel))

    with pytest.raises(TracekitException, match="outside the model directory"):
        tracekit.pyfunc.load_model(str(tmp_path / "m"))
