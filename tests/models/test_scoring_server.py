"""`tracekit models serve` as a real uvicorn process serving a scikit-learn iris classifier: every request format
of /invocations, the 400/500/413 answers, and one trace per request linked to the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pandas as pd
import pytest
from waiting import wait_until

import tracekit

MAX_BODY_BYTES = 20_000
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScoringServer:
    """`tracekit models serve -m <uri>` in its own process, traces going to `tracking_uri`."""

    def __init__(self, model_uri: str, tracking_uri: str, log_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tracking_uri = tracking_uri
        self.log_path = log_path
        env = {**os.environ, "TRACEKIT_TRACKING_URI": tracking_uri,
               "TRACEKIT_SERVING_MAX_BODY_BYTES": str(MAX_BODY_BYTES)}
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tracekit.cli", "models", "serve", "-m", model_uri, "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"the scoring server exited: {self.log_path.read_text()}")
            try:
                return httpx.get(f"{self.url}/ping", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        if not wait_until(answers, timeout=60, interval=0.1):
            raise RuntimeError(f"the scoring server did not answer: {self.log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def invoke(self, body: str | bytes, content_type: str = "application/json") -> httpx.Response:
        return httpx.post(f"{self.url}/invocations", content=body, headers={"Content-Type": content_type},
                          timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory, iris, iris_classifier):
    """The iris classifier logged to a module database, registered as `iris` version 1 (alias `champion`) and
    served by alias; (server, model_id)."""
    folder = tmp_path_factory.mktemp("serving")
    tracking_uri = f"sqlite:///{folder / 'tracekit.db'}"
    tracekit.set_tracking_uri(tracking_uri)
    features, _ = iris
    info = tracekit.sklearn.log_model(iris_classifier, name="iris_lr", input_example=features.head(3),
                                      registered_model_name="iris")
    tracekit.MlflowClient().set_registered_model_alias("iris", "champion", 1)
    tracekit.set_tracking_uri(None)
    server = ScoringServer("models:/iris@champion", tracking_uri, folder / "server.log")
    try:
        server.wait_ready()
        yield server, info.model_id
    finally:
        server.stop()


def _expected(iris_classifier) -> list[int]:
    return iris_classifier.predict(pd.DataFrame(ROWS, columns=COLUMNS)).tolist()


@pytest.mark.parametrize("body", [
    {"dataframe_split": {"columns": COLUMNS, "data": ROWS}},
    {"dataframe_records": [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]},
    {"instances": [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]},
    {"inputs": {column: [row[i] for row in ROWS] for i, column in enumerate(COLUMNS)}},
    {"dataframe_split": {"columns": COLUMNS, "data": ROWS}, "params": {}},
], ids=["dataframe_split", "dataframe_records", "instances", "inputs", "with_params"])
def test_each_json_format_is_answered_with_the_predictions(served, iris_classifier, body):
    server, _ = served
    response = server.invoke(json.dumps(body))
    assert response.status_code == 200, response.text
    assert response.json() == {"predictions": _expected(iris_classifier)}


def test_a_bare_record_list_with_the_pandas_records_format(served, iris_classifier):
    server, _ = served
    records = [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]
    response = server.invoke(json.dumps(records), "application/json; format=pandas-records")
    assert response.json() == {"predictions": _expected(iris_classifier)}


def test_csv_is_answered_with_the_predictions(served, iris_classifier):
    server, _ = served
    csv = ",".join(COLUMNS) + "\n" + "\n".join(",".join(str(v) for v in row) for row in ROWS) + "\n"
    response = server.invoke(csv, "text/csv")
    assert response.status_code == 200, response.text
    assert response.json() == {"predictions": _expected(iris_classifier)}


def test_ping_health_and_version(served):
    server, _ = served
    assert httpx.get(f"{server.url}/ping").status_code == 200
    assert httpx.get(f"{server.url}/health").status_code == 200
    assert httpx.get(f"{server.url}/version").text == tracekit.__version__


@pytest.mark.parametrize(("body", "content_type", "named"), [
    ('{"dataframe_split": ', "application/json", "not valid JSON"),
    ("<xml/>", "application/xml", "Unsupported content type"),
    ('{"rows": [[1, 2, 3, 4]]}', "application/json", "exactly one of"),
    (json.dumps({"dataframe_split": {"columns": COLUMNS[:3], "data": [r[:3] for r in ROWS]}}), "application/json",
     "petal width (cm)"),
    (json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [["a", "b", "c", "d"]]}}), "application/json",
     "sepal length (cm)"),
], ids=["malformed_json", "wrong_content_type", "missing_field", "missing_column", "wrong_type"])
def test_bad_input_is_a_400_naming_the_problem_without_a_stack_trace(served, body, content_type, named):
    server, _ = served
    response = server.invoke(body, content_type)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert set(answer) == {"error_code", "message"} and named in answer["message"]
    assert "Traceback" not in response.text


def test_a_model_that_raises_is_a_500_and_the_server_keeps_serving(served, iris_classifier):
    server, _ = served
    with_nan = [[None, 3.5, 1.4, 0.2], ROWS[0]]  # NaN passes the double signature; LogisticRegression refuses it
    response = server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": with_nan}}))
    assert response.status_code == 500, response.text
    assert response.json()["error_code"] == "INTERNAL_ERROR" and "NaN" in response.json()["message"]
    assert "Traceback" not in response.text
    ok = server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS}}))
    assert ok.json() == {"predictions": _expected(iris_classifier)}


def test_a_body_over_the_limit_is_a_413(served):
    server, _ = served
    rows = [ROWS[0]] * (MAX_BODY_BYTES // 20)
    response = server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": rows}}))
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["message"]


def test_each_request_is_one_trace_linked_to_the_model(served, iris_classifier):
    server, model_id = served
    tracekit.set_tracking_uri(server.tracking_uri)
    marker = [[4.4, 2.9, 1.4, 0.2]]
    server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": marker}}))

    def marked() -> list[tracekit.Trace]:
        # earlier tests' requests may still be on their way: wait for this request's trace itself
        return [t for t in tracekit.search_traces(model_id=model_id, return_type="list")
                if any("4.4" in json.dumps(span.inputs) for span in t.data.spans)]

    assert wait_until(lambda: bool(marked()), timeout=20)
    (trace,) = marked()
    # one span: the request span is the model's prediction, not a wrapper around a second predict span
    (root,) = trace.data.spans
    assert root.name == "POST /invocations" and root.parent_id is None
    assert trace.info.trace_metadata["tracekit.modelId"] == model_id
    assert root.inputs["content_type"] == "application/json"
    assert json.loads(root.inputs["body"])["dataframe_split"]["data"] == marker
    assert root.status.status_code == "OK" and root.end_time_ns > root.start_time_ns
    assert {key: trace.info.tags.get(key) for key in ("tracekit.servedModelUri", "tracekit.registeredModelName",
                                                      "tracekit.registeredModelVersion")} == {
        "tracekit.servedModelUri": "models:/iris@champion", "tracekit.registeredModelName": "iris",
        "tracekit.registeredModelVersion": "1"}
    assert root.outputs == {"predictions": iris_classifier.predict(pd.DataFrame(marker, columns=COLUMNS)).tolist()}


def test_the_request_span_has_the_type_of_an_in_process_predict_span(served):
    server, model_id = served
    tracekit.set_tracking_uri(server.tracking_uri)
    marker = [[4.9, 3.125, 1.5, 0.1]]
    server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": marker}}))
    model = tracekit.pyfunc.load_model(f"models:/{model_id}")
    model.predict(pd.DataFrame(marker, columns=COLUMNS))
    tracekit.flush_trace_async_logging()

    def spans_for_marker() -> dict[str, tracekit.entities.Span]:
        return {span.name: span for t in tracekit.search_traces(model_id=model_id, return_type="list")
                for span in t.data.spans if "3.125" in json.dumps(span.inputs)}

    assert wait_until(lambda: len(spans_for_marker()) == 2, timeout=20)
    spans = spans_for_marker()
    served_span = spans.pop("POST /invocations")
    (in_process_span,) = spans.values()
    assert in_process_span.name.endswith(".predict")
    assert served_span.span_type == in_process_span.span_type


def test_a_failed_prediction_is_a_trace_with_error_status(served):
    server, model_id = served
    tracekit.set_tracking_uri(server.tracking_uri)
    marker = [[None, 1.25, 1.25, 1.25], ROWS[1]]
    server.invoke(json.dumps({"dataframe_split": {"columns": COLUMNS, "data": marker}}))

    def failed_trace() -> list:
        return [t for t in tracekit.search_traces(model_id=model_id, return_type="list")
                if any(span.name == "POST /invocations" and "1.25" in span.inputs["body"] for span in t.data.spans)]

    assert wait_until(lambda: bool(failed_trace()), timeout=20)
    (trace,) = failed_trace()
    assert trace.info.state == "ERROR"
    assert trace.info.trace_metadata["tracekit.modelId"] == model_id
    (root,) = trace.data.spans
    assert root.status.status_code == "ERROR" and "NaN" in root.status.description
    (event,) = [event for event in root.events if event.name == "exception"]
    assert "NaN" in event.attributes["exception.message"]
    assert "ValueError" in event.attributes["exception.stacktrace"]  # the model's own error, chained
    assert root.outputs is None
