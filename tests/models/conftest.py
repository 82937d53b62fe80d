"""Models tests: small real models (custom PythonModels, a scikit-learn classifier on iris) saved under tmp_path."""

from __future__ import annotations

import pandas as pd
import pytest

import tracekit


class AddN(tracekit.pyfunc.PythonModel):
    """The seed's "add n" model: adds `n` to every column."""

    def __init__(self, n: int) -> None:
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


@pytest.fixture
def add_n_model():
    return AddN(n=5)


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris

    features, target = load_iris(return_X_y=True, as_frame=True)
    return features, target


@pytest.fixture(scope="session")
def iris_classifier(iris):
    from sklearn.linear_model import LogisticRegression

    features, target = iris
    return LogisticRegression(max_iter=500).fit(features, target)


@pytest.fixture
def numbers_frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
