"""The GenAI message events tracekit adds to exported chat spans, read as another SDK's events would be, the switch
that puts message text in them, and the pointers of texts sent once, decoded leniently when they do not fit."""

from __future__ import annotations

import logging

import orjson
import pytest
from google.protobuf import json_format

import tracekit
from tracekit import SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.otlp.decode import traces_from_request
from tracekit.otlp.encode import encode_request
from tracekit.otlp.events import content_capture

LONG = "A long retrieved passage about tariffs. " * 40  # 1,600 characters
CONVERSATION = [
    {"role": "system", "content": LONG},
    {"role": "user", "content": "What applies?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_0", "type": "function", "function": {"name": "lookup", "arguments": '{"zone": 3}'}}]},
    {"role": "tool", "content": "zone 3: 5%", "tool_call_id": "call_0"},
    {"role": "assistant", "content": "5% applies."},
]


@pytest.fixture
def chat_trace(exported) -> tracekit.Trace:
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        span.set_inputs({"messages": CONVERSATION[:-1]})
        span.set_attributes({"gen_ai.system": "openai", "gen_ai.response.finish_reasons": ["stop"]})
        tracekit.set_span_chat_messages(span, CONVERSATION)
        span.set_outputs({"choices": [{"message": CONVERSATION[-1]}]})
    (trace,) = exported()
    return trace


def sent_span(trace: tracekit.Trace, capture: str) -> dict:
    request = json_format.MessageToDict(encode_request([trace], capture=capture), preserving_proto_field_name=True)
    span = request["resource_spans"][0]["scope_spans"][0]["spans"][0]

    def values(pairs: list) -> dict:
        return {pair["key"]: next(iter(pair["value"].values())) for pair in pairs}

    return {"attributes": values(span["attributes"]),
            "events": [(event["name"], values(event.get("attributes", []))) for event in span.get("events", [])]}


@pytest.mark.parametrize(("setting", "capture"), [
    ("", "span"), ("false", "span"), ("NO_CONTENT", "span"), ("span_only", "span"), ("True", "events"),
    ("event_only", "events"), ("SPAN_AND_EVENT", "both"), ("maybe", "span")])
def test_the_capture_switch_reads_the_conventions_values(setting, capture):
    assert content_capture(setting) == capture


@pytest.mark.parametrize("capture", ["events", "both"])
def test_events_with_text_read_back_as_the_conversation_by_the_genai_reader(chat_trace, capture):
    """Another backend reading only the events gets the conversation: the body fields are the documented ones."""
    sent = sent_span(chat_trace, capture)
    foreign = {"resource_spans": [{"scope_spans": [{"spans": [{
        "trace_id": "AAAAAAAAAAAAAAAAAAAAAQ==", "span_id": "AAAAAAAAAAE=", "name": "chat",
        "start_time_unix_nano": "1", "end_time_unix_nano": "2",
        "events": [{"name": name, "time_unix_nano": "1",
                    "attributes": [{"key": key, "value": {"int_value" if isinstance(value, int) else "string_value":
                                                          value}} for key, value in attributes.items()]}
                   for name, attributes in sent["events"]]}]}]}]}
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = json_format.ParseDict(foreign, ExportTraceServiceRequest())
    (trace,) = traces_from_request(request).traces
    (span,) = trace.data.spans
    assert span.span_type == SpanType.CHAT_MODEL
    read = span.attributes[SpanAttributeKey.CHAT_MESSAGES]
    assert [message["role"] for message in read] == [message["role"] for message in CONVERSATION]
    assert read[0]["content"] == LONG and read[3] == CONVERSATION[3] and read[4]["content"] == "5% applies."
    assert read[2]["tool_calls"] == CONVERSATION[2]["tool_calls"]


def count(text: str, sent: dict) -> int:
    values = [*sent["attributes"].values(), *(value for _, attributes in sent["events"]
                                              for value in attributes.values())]
    return sum(value.count(text) for value in values if isinstance(value, str))


@pytest.mark.parametrize(("capture", "copies"), [("span", 1), ("events", 1), ("both", 2)])
def test_a_long_text_goes_out_once_unless_both_carriers_are_asked_for(chat_trace, capture, copies):
    sent = sent_span(chat_trace, capture)
    assert count(LONG, sent) == copies
    assert SpanAttributeKey.CHAT_MESSAGES not in sent["attributes"]
    (back,) = traces_from_request(encode_request([chat_trace], capture=capture)).traces
    assert back.data.spans[0].attributes == chat_trace.data.spans[0].attributes
    assert back.data.spans[0].events == []


def test_short_texts_are_not_replaced_by_pointers(chat_trace):
    sent = sent_span(chat_trace, "span")
    assert orjson.loads(sent["attributes"]["input.value"])["messages"][1]["content"] == "What applies?"
    assert sent["attributes"]["llm.input_messages.1.message.content"] == "What applies?"


@pytest.mark.parametrize("moves", [
    "not json", '{"a": 1}', "[1, 2]", '[[["attr"], ["event", 99, "content"]]]',
    '[[["attr", "input.value", "messages", 0, "content"], ["attr", "nowhere"]]]',
    '[[["event", "x", "content"], ["attr", "llm.input_messages.0.message.content"]]]',
    '[[["attr", "input.value", "messages", "deep", 7], ["attr", "llm.input_messages.0.message.content"]]]'])
def test_pointers_that_do_not_fit_are_kept_as_sent_and_logged(chat_trace, moves, caplog):
    request = encode_request([chat_trace], capture="span")
    span = request.resource_spans[0].scope_spans[0].spans[0]
    for pair in span.attributes:
        if pair.key == "tracekit.otlp.elidedTexts":
            pair.value.string_value = moves
        elif pair.key == "tracekit.otlp.derivedEvents":
            pair.value.int_value = 10_000  # more than the span has: nothing is removed
    with caplog.at_level(logging.WARNING, logger="tracekit"):
        result = traces_from_request(request)
    assert result.rejected_spans == 0
    (back,) = result.traces[0].data.spans
    assert len(back.events) == len(span.events)
    assert "tracekit.otlp.elidedTexts" not in back.attributes
    warned = any("could not be put back" in record.getMessage() for record in caplog.records)
    assert warned == moves.startswith("[")  # a list of moves that do not fit; anything else names none
