"""OTLP/HTTP ingest at POST /v1/traces: protobuf and JSON, spans merged across requests, and tracekit's own OTLP
exporter round-tripping every field through a real server."""

from __future__ import annotations

import gzip

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource

import tracekit
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import Trace, TraceState
from tracekit.exporters.otlp import OtlpTraceExporter
from tracekit.otlp.encode import to_otel_spans
from tracekit.store.backend import get_backend

PROTOBUF = {"Content-Type": "application/x-protobuf"}
RESOURCE = Resource.create({"service.name": "test"})


def protobuf_body(traces, spans_filter=lambda span: True) -> bytes:
    spans = [s for trace in traces for s in to_otel_spans(trace, RESOURCE) if spans_filter(s)]
    return encode_spans(spans).SerializeToString()


@pytest.fixture
def recorded(exported):
    """Three traces recorded by the tracing API: nested spans, an error, tags, metadata, a client request id."""

    @tracekit.trace(span_type=tracekit.SpanType.TOOL)
    def lookup(query):
        return [{"doc": query, "score": 0.5}]

    @tracekit.trace(span_type=tracekit.SpanType.CHAIN)
    def answer(question):
        tracekit.update_current_trace(tags={"env": "prod"}, metadata={"user": "alice"}, client_request_id="r-1")
        with tracekit.start_span("llm", span_type=tracekit.SpanType.LLM) as span:
            span.set_inputs({"prompt": question, "temperature": 0.2})
            span.set_attribute("model", "small")
            span.set_outputs("42")
        return {"docs": lookup(question), "answer": "42"}

    @tracekit.trace
    def failing():
        raise ValueError("no answer")

    answer("meaning of life?")
    answer("again")
    with pytest.raises(ValueError):
        failing()
    return exported()


def stored(uri: str, trace_id: str) -> Trace:
    trace = get_backend(uri).traces.get_trace(trace_id)
    assert trace is not None, trace_id
    return trace


def test_tracekit_otlp_export_round_trips_every_field(live_server, server_db, recorded, monkeypatch):
    # Configured the standard way; an explicit endpoint= is taken as a base URL by this exporter.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{live_server.url}/v1/traces")
    exporter = OtlpTraceExporter()
    exporter.export(recorded)
    exporter.shutdown()
    assert len(recorded) == 3
    for original in recorded:
        assert stored(server_db, original.info.trace_id).to_dict() == original.to_dict()
    assert {t.info.state for t in recorded} == {TraceState.OK, TraceState.ERROR}


def test_tracekit_runtime_exporting_over_otlp_reaches_the_server(live_server, server_db, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{live_server.url}/v1/traces")
    tracekit.tracing.reset()
    with tracekit.start_span("via-otlp") as span:
        span.set_inputs({"x": 1})
    tracekit.flush_trace_async_logging()
    trace = stored(server_db, tracekit.get_last_active_trace_id())
    assert trace.data.spans[0].inputs == {"x": 1}


def test_spans_sent_in_several_requests_are_merged(api, server_db, recorded):
    original = recorded[0]
    root_id = original.data.root_span.span_id
    children_first = protobuf_body([original], lambda s: f"{s.context.span_id:016x}" != root_id)
    root_last = protobuf_body([original], lambda s: f"{s.context.span_id:016x}" == root_id)
    assert api.post("/v1/traces", content=children_first, headers=PROTOBUF).status_code == 200
    partial = stored(server_db, original.info.trace_id)
    assert partial.info.state == TraceState.IN_PROGRESS
    assert len(partial.data.spans) == len(original.data.spans) - 1
    assert api.post("/v1/traces", content=root_last, headers=PROTOBUF).status_code == 200
    assert stored(server_db, original.info.trace_id).to_dict() == original.to_dict()


def test_a_late_child_span_is_added_to_a_stored_trace(api, server_db, recorded):
    original = recorded[0]
    late = original.data.spans[0]
    rest = protobuf_body([original], lambda s: f"{s.context.span_id:016x}" != late.span_id)
    only_late = protobuf_body([original], lambda s: f"{s.context.span_id:016x}" == late.span_id)
    api.post("/v1/traces", content=rest, headers=PROTOBUF)
    api.post("/v1/traces", content=only_late, headers=PROTOBUF)
    assert stored(server_db, original.info.trace_id).to_dict() == original.to_dict()


def test_sending_the_same_spans_twice_stores_them_once(api, server_db, recorded):
    body = protobuf_body(recorded)
    api.post("/v1/traces", content=body, headers=PROTOBUF)
    api.post("/v1/traces", content=body, headers=PROTOBUF)
    for original in recorded:
        assert stored(server_db, original.info.trace_id).to_dict() == original.to_dict()


def test_gzip_bodies_are_accepted(api, server_db, recorded):
    body = gzip.compress(protobuf_body(recorded))
    answer = api.post("/v1/traces", content=body, headers={**PROTOBUF, "Content-Encoding": "gzip"})
    assert answer.status_code == 200
    assert stored(server_db, recorded[0].info.trace_id).to_dict() == recorded[0].to_dict()


def otlp_json(trace_hex: str, spans: list[dict]) -> dict:
    return {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name",
                                                              "value": {"stringValue": "js-app"}}]},
                               "scopeSpans": [{"scope": {"name": "manual"}, "spans": spans}]}],
            "someFutureField": True}


def test_json_from_another_sdk_is_stored_with_span_type_and_io(api, server_db):
    trace_hex = "5b8efff798038103d269b633813fc60c"
    spans = [
        {"traceId": trace_hex, "spanId": "eee19b7ec3c1b174", "name": "chat", "kind": 3,
         "parentSpanId": "eee19b7ec3c1b173",
         "startTimeUnixNano": "1700000000100000000", "endTimeUnixNano": "1700000000900000000",
         "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12"}},
                        {"key": "input.value", "value": {"stringValue": "{\"q\": \"hi\"}"}},
                        {"key": "input.mime_type", "value": {"stringValue": "application/json"}}],
         "status": {"code": 1}},
        {"traceId": trace_hex, "spanId": "eee19b7ec3c1b173", "name": "handle", "kind": 2,
         "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
         "attributes": [{"key": "openinference.span.kind", "value": {"stringValue": "AGENT"}},
                        {"key": "output.value", "value": {"stringValue": "plain text"}}],
         "events": [{"name": "exception", "timeUnixNano": "1700000000500000000",
                     "attributes": [{"key": "exception.type", "value": {"stringValue": "KeyError"}}]}],
         "status": {"code": 2, "message": "boom"}},
    ]
    answer = api.post("/v1/traces", json=otlp_json(trace_hex, spans), headers={"x-tracekit-experiment-id": "7"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    trace = stored(server_db, f"tr-{trace_hex}")
    assert trace.info.experiment_id == "7"
    assert trace.info.state == TraceState.ERROR
    assert trace.info.request_time == 1_700_000_000_000 and trace.info.execution_duration == 1000
    root = trace.data.root_span
    assert root.name == "handle" and root.span_type == "AGENT" and root.outputs == "plain text"
    assert root.events[0].attributes == {"exception.type": "KeyError"}
    assert root.status.description == "boom"
    chat = trace.search_spans(name="chat")[0]
    assert chat.span_type == "CHAT_MODEL" and chat.inputs == {"q": "hi"}
    assert chat.parent_id == root.span_id
    assert chat.attributes["gen_ai.usage.input_tokens"] == 12


def test_token_usage_of_spans_from_other_sdks_is_summed_across_requests(api, server_db):
    trace_hex = "6c8efff798038103d269b633813fc60c"

    def llm_span(span_id: str, counts: list[tuple[str, int]]) -> dict:
        return {"traceId": trace_hex, "spanId": span_id, "parentSpanId": "aaa19b7ec3c1b170", "name": "llm",
                "startTimeUnixNano": "1700000000100000000", "endTimeUnixNano": "1700000000200000000",
                "attributes": [{"key": key, "value": {"intValue": str(value)}} for key, value in counts]}

    root = {"traceId": trace_hex, "spanId": "aaa19b7ec3c1b170", "name": "agent",
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000"}
    requests = [[llm_span("aaa19b7ec3c1b171", [("gen_ai.usage.input_tokens", 12),
                                                ("gen_ai.usage.output_tokens", 3)])],
                [llm_span("aaa19b7ec3c1b172", [("llm.token_count.prompt", 100), ("llm.token_count.completion", 20),
                                                ("llm.token_count.total", 120)])],
                [root]]
    for spans in requests:
        assert api.post("/v1/traces", json=otlp_json(trace_hex, spans)).status_code == 200
    trace = stored(server_db, f"tr-{trace_hex}")
    assert len(trace.data.spans) == 3
    assert trace.info.token_usage == {"input_tokens": 112, "output_tokens": 23, "total_tokens": 135}


def test_invalid_spans_are_counted_in_partial_success(api):
    spans = [{"traceId": "00" * 16, "spanId": "eee19b7ec3c1b174", "name": "zero trace id",
              "startTimeUnixNano": "1", "endTimeUnixNano": "2"}]
    answer = api.post("/v1/traces", json=otlp_json("00" * 16, spans))
    assert answer.status_code == 200
    assert answer.json()["partialSuccess"]["rejectedSpans"] == "1"


def test_bad_ids_and_bodies_are_400_with_a_status_message(api):
    answer = api.post("/v1/traces", json={"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]})
    assert answer.status_code == 400
    assert "traceId" in answer.json()["message"]
    garbage = api.post("/v1/traces", content=b"\xff\x00garbage", headers=PROTOBUF)
    assert garbage.status_code == 400
    from google.rpc import status_pb2

    status = status_pb2.Status()
    status.ParseFromString(garbage.content)
    assert "protobuf" in status.message


def test_unsupported_media_type_is_a_415(api):
    answer = api.post("/v1/traces", content=b"hello", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert "application/x-protobuf" in answer.json()["message"]


def test_protobuf_answer_is_an_export_response(api, recorded):
    answer = api.post("/v1/traces", content=protobuf_body(recorded), headers=PROTOBUF)
    assert answer.headers["content-type"] == "application/x-protobuf"
    response = ExportTraceServiceResponse()
    response.ParseFromString(answer.content)
    assert response.partial_success.rejected_spans == 0


def test_root_attributes_choose_the_experiment_over_the_header(api, server_db, exported):
    tracekit.tracing.reset()
    with tracekit.start_span("in-experiment-3"):
        pass
    trace = exported()[0]
    trace.info.experiment_id = "3"
    api.post("/v1/traces", content=protobuf_body([trace]), headers={**PROTOBUF, "x-tracekit-experiment-id": "9"})
    assert stored(server_db, trace.info.trace_id).info.experiment_id == "3"


def test_evicted_trace_keeps_its_in_progress_state(api, server_db, exported):
    with tracekit.start_span("short"):
        pass
    trace = exported()[0]
    trace.info.state = TraceState.IN_PROGRESS
    trace.info.trace_metadata[TraceMetadataKey.EVICTED] = "true"
    api.post("/v1/traces", content=protobuf_body([trace]), headers=PROTOBUF)
    assert stored(server_db, trace.info.trace_id).info.state == TraceState.IN_PROGRESS


def test_user_attribute_named_like_a_standard_key_survives(api, server_db, exported):
    with tracekit.start_span("custom", span_type="LLM") as span:
        span.set_attribute("openinference.span.kind", "CUSTOM")
    trace = exported()[0]
    api.post("/v1/traces", content=protobuf_body([trace]), headers=PROTOBUF)
    back = stored(server_db, trace.info.trace_id)
    assert back.data.spans[0].attributes["openinference.span.kind"] == "CUSTOM"
    assert back.to_dict() == trace.to_dict()
    assert SpanAttributeKey.SPAN_TYPE in back.data.spans[0].raw_attributes
