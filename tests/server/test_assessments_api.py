"""Assessments through a tracking server: the public API over a real HTTP server (REST store), and the assessment
endpoints answering hostile bodies with 4xx naming what was wrong."""

from __future__ import annotations

import pytest
from server_helpers import build_trace

import tracekit
from tracekit import AssessmentSource, Expectation, Feedback
from tracekit.entities.assessment import new_assessment_id
from tracekit.exceptions import ResourceNotFoundError
from tracekit.store.backend import close_backends
from tracekit.store.sql.traces import SqlTraceStore

API = "/api/v1/traces"


@tracekit.trace
def answer(question: str) -> str:
    return "Paris"


@pytest.fixture
def over_http(live_server):
    tracekit.set_tracking_uri(live_server.url)
    yield live_server
    close_backends()


def test_feedback_round_trips_through_the_server(over_http, server_db):
    answer("capital of France?")
    trace_id = tracekit.get_last_active_trace_id()
    feedback = tracekit.log_feedback(trace_id, "correct", True, source=AssessmentSource("HUMAN", "alice"),
                                     rationale="right")
    expectation = tracekit.log_expectation(trace_id, "expected", "Paris")
    assert SqlTraceStore(server_db).get_trace(trace_id).info.assessments == [feedback, expectation]
    assert tracekit.get_assessment(trace_id, feedback.assessment_id) == feedback
    assert tracekit.get_trace(trace_id).info.assessments == [feedback, expectation]
    assert tracekit.search_traces(filter_string="feedback.correct = true")["trace_id"].tolist() == [trace_id]
    assert tracekit.search_traces(include_spans=False)["assessments"][0] == [feedback.to_dict(),
                                                                             expectation.to_dict()]
    updated = tracekit.update_assessment(trace_id, feedback.assessment_id, Feedback(name="correct", value=False))
    assert tracekit.get_assessment(trace_id, feedback.assessment_id) == updated
    tracekit.delete_assessment(trace_id, feedback.assessment_id)
    with pytest.raises(ResourceNotFoundError, match=feedback.assessment_id):
        tracekit.get_assessment(trace_id, feedback.assessment_id)
    with pytest.raises(ResourceNotFoundError, match="tr-0+"):
        tracekit.log_feedback("tr-" + "0" * 32, "correct", True)
    tracekit.update_assessment(trace_id, expectation.assessment_id, Expectation(name="expected", value="Lyon"))
    assert tracekit.get_assessment(trace_id, expectation.assessment_id).value == "Lyon"


@pytest.fixture
def stored_trace_id(api) -> str:
    trace = build_trace()
    assert api.post(f"{API}/batch", json={"traces": [trace.to_dict()]}).status_code == 200
    return trace.info.trace_id


def test_logging_the_same_assessment_twice_stores_it_once(api, stored_trace_id):
    body = Feedback(name="correct", value=True, assessment_id=new_assessment_id()).to_dict()
    for _ in range(2):
        assert api.post(f"{API}/{stored_trace_id}/assessments", json=body).status_code == 200
    trace = api.get(f"{API}/{stored_trace_id}").json()
    assert [item["assessment_id"] for item in trace["info"]["assessments"]] == [body["assessment_id"]]


def test_the_server_gives_an_id_when_the_body_has_none(api, stored_trace_id):
    answer = api.post(f"{API}/{stored_trace_id}/assessments", json={"kind": "expectation", "name": "x", "value": 1})
    assert answer.status_code == 200, answer.text
    assert answer.json()["assessment_id"].startswith("a-")
    assert answer.json()["trace_id"] == stored_trace_id


@pytest.mark.parametrize("body, status, fragment", [
    ({"kind": "verdict", "name": "x", "value": 1}, 422, "kind"),
    ({"kind": "feedback", "name": "", "value": 1}, 422, "name"),
    ({"kind": "feedback", "name": "x" * 251, "value": 1}, 422, "name"),
    ({"kind": "feedback", "name": "x", "value": "v" * 100_001}, 400, "value"),
    ({"kind": "feedback", "name": "x", "value": 1, "span_id": "../../etc"}, 422, "span_id"),
    ({"kind": "feedback", "name": "x", "value": 1, "assessment_id": "a-' OR 1=1"}, 422, "assessment_id"),
    ({"kind": "feedback", "name": "x", "value": 1, "source": {"source_type": "ROBOT"}}, 422, "source_type"),
    ({"kind": "feedback", "name": "x", "value": 1, "metadata": {"k": 5}}, 422, "metadata"),
    ({"kind": "feedback", "name": "x", "value": 1, "metadata": {f"k{i}": "v" for i in range(101)}}, 422,
     "metadata"),
    ({"kind": "feedback", "name": "x", "value": 1, "rationale": ["not", "text"]}, 422, "rationale"),
    ({"kind": "feedback", "name": "x", "value": 1, "create_time_ms": -5}, 422, "create_time_ms"),
    ({"kind": "feedback", "name": "x", "value": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}, 200,
     ""),
])
def test_hostile_bodies_are_refused_naming_the_field(api, stored_trace_id, body, status, fragment):
    answer = api.post(f"{API}/{stored_trace_id}/assessments", json=body)
    assert answer.status_code == status, answer.text
    assert fragment in answer.text


def test_deeply_nested_values_are_refused_not_crashing_the_server(api, stored_trace_id):
    deep = "[" * 100_000 + "]" * 100_000
    answer = api.post(f"{API}/{stored_trace_id}/assessments",
                      content=f'{{"kind": "feedback", "name": "x", "value": {deep}}}',
                      headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text


def test_unknown_trace_or_assessment_is_a_404_naming_it(api, stored_trace_id):
    missing_trace = "tr-" + "f" * 32
    answer = api.post(f"{API}/{missing_trace}/assessments", json={"kind": "feedback", "name": "x", "value": 1})
    assert answer.status_code == 404 and missing_trace in answer.text
    missing = new_assessment_id()
    for method in ("GET", "DELETE"):
        answer = api.request(method, f"{API}/{stored_trace_id}/assessments/{missing}")
        assert answer.status_code == 404 and missing in answer.text
    answer = api.patch(f"{API}/{stored_trace_id}/assessments/{missing}",
                       json={"kind": "feedback", "name": "x", "value": 2})
    assert answer.status_code == 404 and missing in answer.text


def test_a_feedback_cannot_be_patched_into_an_expectation(api, stored_trace_id):
    logged = api.post(f"{API}/{stored_trace_id}/assessments", json={"kind": "feedback", "name": "x", "value": 1})
    answer = api.patch(f"{API}/{stored_trace_id}/assessments/{logged.json()['assessment_id']}",
                       json={"kind": "expectation", "name": "x", "value": 2})
    assert answer.status_code == 400 and "expectation" in answer.text


def test_many_assessments_go_to_the_server_in_batches(over_http, server_db, monkeypatch):
    from tracekit.store.rest import remote_traces

    monkeypatch.setattr(remote_traces, "ASSESSMENT_BATCH", 2)  # three requests for five assessments
    for question in "abcde":
        answer(question)
    trace_ids = [trace.info.trace_id for trace in tracekit.search_traces(return_type="list")]
    stored = tracekit.TracekitClient().log_assessments(
        [Feedback(name="score", value=index, trace_id=trace_id) for index, trace_id in enumerate(trace_ids)])
    on_server = SqlTraceStore(server_db)
    assert [on_server.get_trace(trace_id).info.assessments for trace_id in trace_ids] == [[item] for item in stored]


def test_a_batch_is_stored_whole_or_not_at_all(api, stored_trace_id):
    good = Feedback(name="x", value=1, trace_id=stored_trace_id).to_dict()
    missing = "tr-" + "d" * 32
    answer = api.post(f"{API}/assessments/batch",
                      json={"assessments": [good, {**good, "trace_id": missing}]})
    assert answer.status_code == 404 and missing in answer.text
    assert api.get(f"{API}/{stored_trace_id}").json()["info"]["assessments"] == []
    answer = api.post(f"{API}/assessments/batch", json={"assessments": [{**good, "trace_id": None}]})
    assert answer.status_code == 400 and "assessments.0.trace_id" in answer.text
    answer = api.post(f"{API}/assessments/batch", json={"assessments": [good] * 1001})
    assert answer.status_code == 422 and "assessments" in answer.text
    answer = api.post(f"{API}/assessments/batch", json={"assessments": [good, good]})
    assert answer.status_code == 200, answer.text
    assert len(api.get(f"{API}/{stored_trace_id}").json()["info"]["assessments"]) == 2


def test_large_assessments_are_split_by_request_size(over_http, server_db, monkeypatch):
    from tracekit.store.rest.client import TrackingServerClient

    monkeypatch.setenv("TRACEKIT_HTTP_MAX_REQUEST_BYTES", "50000")
    sent = []
    real_send = TrackingServerClient.send

    def counting_send(self, method, path, **kwargs):
        if path.endswith("/assessments/batch"):
            sent.append(len(kwargs.get("content") or b""))
        return real_send(self, method, path, **kwargs)

    monkeypatch.setattr(TrackingServerClient, "send", counting_send)
    answer("big")
    trace_id = tracekit.get_last_active_trace_id()
    tracekit.TracekitClient().log_assessments(
        [Feedback(name=f"f{index}", value=1, rationale="r" * 20_000, trace_id=trace_id) for index in range(5)])
    assert len(sent) == 3 and max(sent) <= 50_000
    assert len(SqlTraceStore(server_db).get_trace(trace_id).info.assessments) == 5
