"""Deployment tests: scikit-learn models logged to the test's own SQLite store, deployed to the built-in `local`
target whose record lives under the test's tmp_path (TRACEKIT_DEPLOYMENTS_ROOT). Every server a test started is
stopped when it ends, whatever the test did to the record."""

from __future__ import annotations

import json
import os
import signal

import pandas as pd
import pytest

import tracekit
from tracekit.deployments import local_processes

COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


@pytest.fixture
def rows() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture
def body(rows) -> dict:
    return {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}


@pytest.fixture
def iris_model(iris):
    """A logistic regression logged to this test's store; (model URI, model id, the predictions for ROWS)."""
    from sklearn.linear_model import LogisticRegression

    features, target = iris
    model = LogisticRegression(max_iter=500).fit(features, target)
    info = tracekit.sklearn.log_model(model, name="iris_lr", input_example=features.head(3))
    return info.model_uri, info.model_id, model.predict(pd.DataFrame(ROWS, columns=COLUMNS)).tolist()


@pytest.fixture
def constant_model(iris):
    """A classifier answering 2 for every row, logged to this test's store; its model URI."""
    from sklearn.dummy import DummyClassifier

    features, target = iris
    model = DummyClassifier(strategy="constant", constant=2).fit(features, target)
    return tracekit.sklearn.log_model(model, name="always_two", input_example=features.head(3)).model_uri


@pytest.fixture(autouse=True)
def deployments_root(tmp_path, monkeypatch):
    """The local target's record for this test; afterwards every server it records, or that this process
    started, is stopped."""
    root = tmp_path / "deployments"
    monkeypatch.setenv("TRACEKIT_DEPLOYMENTS_ROOT", str(root))
    monkeypatch.setenv("TRACEKIT_SERVING_MAX_BODY_BYTES", "100000")
    yield root
    record = root / "deployments.json"
    recorded = json.loads(record.read_text()) if record.exists() else {}
    for deployment in recorded.values():
        local_processes.stop(deployment.get("pid"), deployment.get("process_start_time"))
    for pid, child in list(local_processes._children.items()):
        if child.poll() is None:
            os.killpg(pid, signal.SIGKILL)
            child.wait(10)
        local_processes._children.pop(pid, None)
