"""The trace REST API, in-process against a real SQLite file."""

from __future__ import annotations

from server_helpers import build_trace

from tracekit.entities import Trace

API = "/api/v1/traces"


def upload(api, traces):
    return api.post(f"{API}/batch", json={"traces": [trace.to_dict() for trace in traces]})


def test_uploaded_trace_comes_back_unchanged(api):
    trace = build_trace(tags={"env": "prod"}, metadata={"user": "alice"}, client_request_id="req-1")
    answer = upload(api, [trace])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"traces_written": 1}
    fetched = api.get(f"{API}/{trace.info.trace_id}")
    assert fetched.status_code == 200
    assert Trace.from_dict(fetched.json()).to_dict() == trace.to_dict()


def test_uploading_a_batch_twice_stores_each_trace_once(api):
    traces = [build_trace() for _ in range(5)]
    assert upload(api, traces).status_code == 200
    assert upload(api, traces).status_code == 200
    found = api.post(f"{API}/search", json={"experiment_ids": ["0"], "max_results": 100}).json()
    assert sorted(t["info"]["trace_id"] for t in found["traces"]) == sorted(t.info.trace_id for t in traces)


def test_search_uses_the_filter_grammar_and_pages(api):
    traces = [build_trace(tags={"n": str(i % 2)}) for i in range(7)]
    upload(api, traces)
    expected = [t.info.trace_id for t in reversed(traces) if t.info.tags["n"] == "1"]
    seen, token = [], None
    while True:
        page = api.post(f"{API}/search", json={"experiment_ids": ["0"], "filter_string": "tags.n = '1'",
                                                "max_results": 2, "page_token": token}).json()
        seen += [t["info"]["trace_id"] for t in page["traces"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == expected


def test_search_without_spans_returns_infos_only(api):
    upload(api, [build_trace()])
    page = api.post(f"{API}/search", json={"include_spans": False}).json()
    assert page["traces"][0]["data"]["spans"] == []


def test_malformed_filter_is_a_400_with_the_grammar_message(api):
    answer = api.post(f"{API}/search", json={"filter_string": "tags.env = 'prod' AND"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert body["exception"] == "InvalidFilterError"
    assert "Invalid filter" in body["message"] and "Traceback" not in answer.text


def test_foreign_page_token_is_a_400(api):
    upload(api, [build_trace() for _ in range(3)])
    token = api.post(f"{API}/search", json={"max_results": 1}).json()["next_page_token"]
    answer = api.post(f"{API}/search", json={"max_results": 1, "filter_string": "status = 'OK'",
                                              "page_token": token})
    assert answer.status_code == 400
    assert "page_token" in answer.json()["message"]


def test_unknown_trace_is_a_404(api):
    answer = api.get(f"{API}/tr-{'ab' * 16}")
    assert answer.status_code == 404
    assert answer.json()["exception"] == "ResourceNotFoundError"


def test_tags_are_set_and_deleted(api):
    trace = build_trace()
    upload(api, [trace])
    path = f"{API}/{trace.info.trace_id}/tags"
    assert api.post(path, json={"key": "reviewed by", "value": "bob"}).status_code == 204
    assert api.get(f"{API}/{trace.info.trace_id}").json()["info"]["tags"] == {"reviewed by": "bob"}
    assert api.delete(path, params={"key": "reviewed by"}).status_code == 204
    assert api.get(f"{API}/{trace.info.trace_id}").json()["info"]["tags"] == {}
    missing = api.delete(path, params={"key": "reviewed by"})
    assert missing.status_code == 404 and "no tag" in missing.json()["message"]


def test_tag_on_unknown_trace_is_a_404(api):
    answer = api.post(f"{API}/tr-{'cd' * 16}/tags", json={"key": "k", "value": "v"})
    assert answer.status_code == 404


def test_delete_traces_by_id_and_count(api):
    traces = [build_trace() for _ in range(4)]
    upload(api, traces)
    answer = api.post(f"{API}/delete", json={"experiment_id": "0", "trace_ids": [traces[0].info.trace_id]})
    assert answer.json() == {"traces_deleted": 1}
    assert api.post(f"{API}/delete", json={"experiment_id": "0", "max_traces": 2}).json() == {"traces_deleted": 2}
    left = api.post(f"{API}/search", json={}).json()["traces"]
    assert [t["info"]["trace_id"] for t in left] == [traces[3].info.trace_id]


def test_delete_without_criteria_is_a_400_saying_what_is_needed(api):
    answer = api.post(f"{API}/delete", json={"experiment_id": "0"})
    assert answer.status_code == 400
    assert "max_timestamp_millis" in answer.json()["message"]


def test_validation_errors_name_the_field(api):
    trace = build_trace().to_dict()
    trace["info"]["trace_id"] = "not-a-trace-id"
    answer = api.post(f"{API}/batch", json={"traces": [trace]})
    assert answer.status_code == 422
    body = answer.json()
    assert body["fields"][0]["field"] == "body.traces.0.info.trace_id"
    assert "body.traces.0.info.trace_id" in body["message"]


def test_span_of_another_trace_is_refused(api):
    trace = build_trace().to_dict()
    trace["data"]["spans"][0]["trace_id"] = f"tr-{'ef' * 16}"
    answer = api.post(f"{API}/batch", json={"traces": [trace]})
    assert answer.status_code == 422
    assert "data.spans.0.trace_id" in answer.json()["message"]


def test_malformed_json_is_a_422_not_a_500(api):
    answer = api.post(f"{API}/batch", content=b'{"traces": [', headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_health_and_version(api):
    import tracekit

    assert api.get("/health").json() == {"status": "OK"}
    assert api.get("/version").text == tracekit.__version__


def test_openapi_document_lists_the_trace_api(api):
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/health", "/v1/traces", f"{API}/batch", f"{API}/search", f"{API}/{{trace_id}}",
                 f"{API}/{{trace_id}}/tags", f"{API}/delete"):
        assert path in paths


def test_count_by_experiment_run_and_model(api):
    upload(api, [build_trace(run_id="run-1"), build_trace(), build_trace(run_id="run-1", model_id="m-1")])
    assert api.get(f"{API}/count").json() == {"count": 3}
    assert api.get(f"{API}/count", params={"experiment_id": "0"}).json() == {"count": 3}
    assert api.get(f"{API}/count", params={"experiment_id": ["5", "6"]}).json() == {"count": 0}
    assert api.get(f"{API}/count", params={"run_id": "run-1"}).json() == {"count": 2}
    assert api.get(f"{API}/count", params={"run_id": "run-1", "model_id": "m-1"}).json() == {"count": 1}
    assert api.get(f"{API}/count", params={"model_id": "m-1", "experiment_id": "5"}).json() == {"count": 0}
