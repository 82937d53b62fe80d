"""The scikit-learn flavor: pickle and cloudpickle, recorded; loadable as the estimator and as pyfunc, with a
signature inferred from the input example and the estimator's predictions."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import tracekit
from tracekit.exceptions import TracekitException


@pytest.mark.parametrize("serialization_format", ["pickle", "cloudpickle"])
def test_save_and_load_as_estimator_and_as_pyfunc(tmp_path, iris, iris_classifier, serialization_format):
    features, _ = iris
    path = tmp_path / "iris"
    tracekit.sklearn.save_model(iris_classifier, path, serialization_format=serialization_format,
                                input_example=features.head(3))

    flavors = yaml.safe_load((path / "MLmodel").read_text())["flavors"]
    assert flavors["sklearn"]["serialization_format"] == serialization_format
    assert flavors["sklearn"]["pickled_model"] == "model.pkl"
    assert flavors["python_function"]["loader_module"] == "tracekit.sklearn"
    expected = iris_classifier.predict(features)
    assert np.array_equal(tracekit.sklearn.load_model(str(path)).predict(features), expected)
    assert np.array_equal(tracekit.pyfunc.load_model(str(path)).predict(features), expected)


def test_signature_is_inferred_from_the_example_and_predictions(tmp_path, iris, iris_classifier):
    features, _ = iris
    tracekit.sklearn.save_model(iris_classifier, tmp_path / "m", input_example=features.head(3))

    signature = tracekit.models.get_model_info(str(tmp_path / "m")).signature
    assert [spec.name for spec in signature.inputs] == list(features.columns)
    assert signature.outputs.to_dict() == [{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]
    requirements = (tmp_path / "m" / "requirements.txt").read_text()
    assert "scikit-learn==" in requirements and "numpy==" in requirements


def test_pyfunc_enforces_the_signature_on_sklearn_models(tmp_path, iris, iris_classifier):
    features, _ = iris
    tracekit.sklearn.save_model(iris_classifier, tmp_path / "m", input_example=features.head(3))
    model = tracekit.pyfunc.load_model(str(tmp_path / "m"))

    with pytest.raises(TracekitException, match=r"column 'petal width \(cm\)'.*expected double, got string"):
        model.predict(features.head(2).assign(**{"petal width (cm)": ["wide", "narrow"]}))


def test_unknown_serialization_format_is_refused(tmp_path, iris_classifier):
    with pytest.raises(TracekitException, match="serialization_format 'joblib'"):
        tracekit.sklearn.save_model(iris_classifier, tmp_path / "m", serialization_format="joblib")


def test_sklearn_load_model_of_a_model_without_the_flavor(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)

    with pytest.raises(TracekitException, match="no sklearn flavor"):
        tracekit.sklearn.load_model(str(tmp_path / "m"))


def test_infer_pip_requirements_loads_the_model_in_another_process(tmp_path, iris_classifier):
    tracekit.sklearn.save_model(iris_classifier, tmp_path / "m")

    requirements = tracekit.models.infer_pip_requirements(str(tmp_path / "m"))

    assert any(line.startswith("scikit-learn==") for line in requirements)
    assert f"tracekit=={tracekit.__version__}" in requirements


def test_infer_pip_requirements_falls_back_when_the_model_cannot_load(tmp_path, iris_classifier):
    tracekit.sklearn.save_model(iris_classifier, tmp_path / "m")
    (tmp_path / "m" / "model.pkl").write_bytes(b"not a pickle")

    assert tracekit.models.infer_pip_requirements(str(tmp_path / "m"), fallback=["scikit-learn"]) == ["scikit-learn"]
    with pytest.raises(TracekitException, match="Could not load the model"):
        tracekit.models.infer_pip_requirements(str(tmp_path / "m"))
