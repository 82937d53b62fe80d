"""The served tags of the scoring server's traces: checked once when the app is made, stored safely on every trace."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

import tracekit
from tracekit.models.scoring_server import create_app, score, served_model

SURROGATE = "models:/add_n/\udcff"  # a served URI from an undecodable command line argument (os.fsdecode)


def _served_traces(model_id: str) -> list[tracekit.Trace]:
    tracekit.flush_trace_async_logging()
    return tracekit.search_traces(model_id=model_id, return_type="list")


def test_tags_no_store_takes_as_they_are_are_made_safe_once_for_every_request(add_n_model, exported):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model)
    model = tracekit.pyfunc.load_model(info.model_uri)
    app = create_app(model, trace_tags={"tracekit.servedModelUri": SURROGATE, "tracekit.deploymentName": 7,
                                        "note": "caf\u00e9"})
    body = json.dumps({"dataframe_split": {"columns": ["a"], "data": [[1], [2]]}})
    with TestClient(app) as client:
        answers = [client.post("/invocations", content=body, headers={"Content-Type": "application/json"})
                   for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    traces = exported()  # as the exporters receive them, before any store
    assert len(traces) == 2
    for trace in traces:
        assert trace.info.tags == {"tracekit.servedModelUri": "models:/add_n/\\udcff",
                                   "tracekit.deploymentName": "7", "note": "caf\u00e9"}
        assert trace.info.trace_metadata["tracekit.modelId"] == info.model_id
        assert trace.data.spans[0].outputs == {"predictions": [{"a": 6}, {"a": 7}]}


def test_served_model_gives_tags_score_records_as_they_are(add_n_model):
    info = tracekit.pyfunc.log_model(name="add_n", python_model=add_n_model, registered_model_name="adder")
    uri, tags = served_model("models:/adder/1")
    model = tracekit.pyfunc.load_model(uri)

    score(model, json.dumps({"dataframe_split": {"columns": ["a"], "data": [[1]]}}).encode(), "application/json",
          tags)

    (trace,) = _served_traces(info.model_id)
    assert {key: trace.info.tags.get(key) for key in tags} == {
        "tracekit.servedModelUri": "models:/adder/1", "tracekit.registeredModelName": "adder",
        "tracekit.registeredModelVersion": "1"}
