"""Trace entities: ids, JSON round trips, finding spans."""

from __future__ import annotations

import re

import tracekit
from tracekit import Span, SpanType, Trace, TraceInfo


def sample_trace(exported):
    @tracekit.trace(span_type=SpanType.RETRIEVER)
    def retrieve(q):
        return ["d1", "d2"]

    @tracekit.trace(span_type=SpanType.LLM)
    def generate(q, docs):
        return "answer ü"

    @tracekit.trace(span_type=SpanType.CHAIN)
    def rag(q):
        tracekit.update_current_trace(tags={"t": "1"})
        return generate(q, retrieve(q))

    rag("question")
    return exported()[0]


def test_trace_id_format_and_root(exported):
    trace = sample_trace(exported)
    assert re.fullmatch(r"tr-[0-9a-f]{32}", trace.info.trace_id)
    assert trace.info.request_id == trace.info.trace_id
    assert trace.data.root_span.name == "rag"
    assert trace.data.request == '{"q":"question"}'
    assert trace.data.response == '"answer ü"'
    assert trace.info.request_preview == '{"q":"question"}'


def test_json_round_trip_keeps_everything(exported):
    trace = sample_trace(exported)
    again = Trace.from_json(trace.to_json())
    assert again.to_dict() == trace.to_dict()
    assert again.data.spans == trace.data.spans
    assert Trace.from_dict(trace.to_dict()).info == trace.info
    assert TraceInfo.from_dict(trace.info.to_dict()) == trace.info
    assert Span.from_dict(trace.data.spans[0].to_dict()) == trace.data.spans[0]
    assert "\n" in trace.to_json(pretty=True)


def test_search_spans_by_type_name_and_regex(exported):
    trace = sample_trace(exported)
    assert [s.name for s in trace.search_spans(span_type=SpanType.LLM)] == ["generate"]
    assert [s.name for s in trace.search_spans(name="retrieve")] == ["retrieve"]
    assert sorted(s.name for s in trace.search_spans(name=re.compile("re.*"))) == ["retrieve"]
    assert trace.search_spans(span_type=SpanType.LLM, name="retrieve") == []
    root = trace.data.root_span
    assert trace.search_spans(span_id=root.span_id) == [root]
