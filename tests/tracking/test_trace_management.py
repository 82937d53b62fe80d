"""The MLflow 3 trace calls on each real database (`tracking_uri`: SQLite, PostgreSQL, MariaDB): tagging and deleting
traces from the fluent API, searching without spans, and token usage stored with the trace."""

from __future__ import annotations

import re

import pytest

import tracekit
from tracekit import SpanType, Trace
from tracekit.constants import SpanAttributeKey
from tracekit.exceptions import ResourceNotFoundError

SPANS_TABLE = re.compile(r"\bspans\b", re.IGNORECASE)
MS = 1_000_000


@tracekit.trace(span_type=SpanType.CHAIN)
def answer(question: str) -> str:
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        span.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE,
                           {"input_tokens": 10, "output_tokens": len(question), "total_tokens": 10 + len(question)})
    return f"answer to {question}"


def trace_at(client: tracekit.TracekitClient, name: str, start_ms: int) -> str:
    """A finished one-span trace whose request time is `start_ms`; returns its id."""
    root = client.start_trace(name, start_time_ns=start_ms * MS)
    client.end_trace(root.trace_id, end_time_ns=(start_ms + 5) * MS)
    return root.trace_id


def test_set_and_delete_trace_tag_on_a_stored_trace(tracking_uri):
    answer("why?")
    trace_id = tracekit.get_last_active_trace_id()
    tracekit.set_trace_tag(trace_id, "verdict", "good")
    assert tracekit.get_trace(trace_id).info.tags["verdict"] == "good"
    found = tracekit.search_traces(filter_string="tags.verdict = 'good'", return_type="list")
    assert [trace.info.trace_id for trace in found] == [trace_id]
    tracekit.delete_trace_tag(trace_id, "verdict")
    assert "verdict" not in tracekit.get_trace(trace_id).info.tags
    with pytest.raises(ResourceNotFoundError, match="no tag 'verdict'"):
        tracekit.delete_trace_tag(trace_id, "verdict")


def test_set_trace_tag_on_the_running_trace(tracking_uri):
    @tracekit.trace
    def tagged() -> None:
        tracekit.set_trace_tag(tracekit.get_active_trace_id(), "stage", "inside")

    tagged()
    assert tracekit.get_trace(tracekit.get_last_active_trace_id()).info.tags == {"stage": "inside"}


def test_delete_traces_by_age_oldest_first_up_to_max_traces(tracking_uri):
    client = tracekit.TracekitClient()
    ids = [trace_at(client, f"t{number}", 1_700_000_000_000 + number * 1000) for number in range(5)]
    experiment_id = client.get_trace(ids[0]).info.experiment_id
    deleted = tracekit.delete_traces(experiment_id, max_timestamp_millis=1_700_000_000_000 + 3000, max_traces=2)
    assert deleted == 2
    remaining = tracekit.search_traces(experiment_ids=[experiment_id], return_type="list")
    assert sorted(trace.info.trace_id for trace in remaining) == sorted(ids[2:])
    assert tracekit.delete_traces(experiment_id, max_timestamp_millis=1_700_000_000_000 + 3000) == 2
    assert [t.info.trace_id for t in tracekit.search_traces(experiment_ids=[experiment_id], return_type="list")] \
        == [ids[4]]


def test_delete_traces_by_id_stays_in_the_experiment(tracking_uri):
    answer("a")
    first = tracekit.get_last_active_trace_id()
    experiment_id = tracekit.get_trace(first).info.experiment_id
    tracekit.set_experiment("other")
    answer("b")
    kept_elsewhere = tracekit.get_last_active_trace_id()
    assert tracekit.delete_traces(experiment_id, trace_ids=[first, kept_elsewhere, "tr-" + "0" * 32]) == 1
    assert tracekit.get_trace(first) is None
    assert tracekit.get_trace(kept_elsewhere) is not None


def test_search_without_spans_reads_no_span_row(tracking_uri, sql_statements):
    for question in ("one", "three"):
        answer(question)
    tracekit.flush_trace_async_logging()
    tracekit.search_traces()  # the same search with spans does read the spans table
    assert any(SPANS_TABLE.search(statement) for statement in sql_statements)
    sql_statements.clear()

    frame = tracekit.search_traces(include_spans=False, extract_fields=["chat.outputs"])
    listed = tracekit.search_traces(include_spans=False, return_type="list")
    page = tracekit.TracekitClient().search_traces(include_spans=False)
    assert sql_statements and not [s for s in sql_statements if SPANS_TABLE.search(s)]

    assert len(frame) == len(listed) == len(page) == 2
    assert frame["spans"].tolist() == [[], []]
    assert frame["request"].tolist() == [None, None] and frame["response"].tolist() == [None, None]
    assert frame["chat.outputs"].tolist() == [None, None]
    assert frame["state"].tolist() == ["OK", "OK"]
    assert all(not trace.data.spans for trace in [*listed, *page])
    newest = Trace.from_json(frame["trace"][0])
    assert newest.info == listed[0].info and newest.data.spans == []
    assert sorted((trace.info.token_usage for trace in listed), key=lambda usage: usage["output_tokens"]) == [
        {"input_tokens": 10, "output_tokens": 3, "total_tokens": 13},
        {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}]


def test_token_usage_is_summed_once_per_llm_call_and_stored(tracking_uri):
    @tracekit.trace(span_type=SpanType.AGENT)
    def agent() -> None:
        with tracekit.start_span("framework_chat", span_type=SpanType.CHAT_MODEL) as outer:
            outer.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE,
                                {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10})
            with tracekit.start_span("sdk_call", span_type=SpanType.CHAT_MODEL) as inner:  # the same tokens again
                inner.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE,
                                    {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10})
        with tracekit.start_span("otel_genai_call", span_type=SpanType.LLM) as genai:
            genai.set_attributes({"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20})
        with tracekit.start_span("openinference_call", span_type=SpanType.LLM) as openinference:
            openinference.set_attributes({"llm.token_count.prompt": 1000, "llm.token_count.completion": 200,
                                          "llm.token_count.total": 1200})
        with tracekit.start_span("tool", span_type=SpanType.TOOL):
            pass

    agent()
    trace_id = tracekit.get_last_active_trace_id()
    expected = {"input_tokens": 1107, "output_tokens": 223, "total_tokens": 1330}
    assert tracekit.get_trace(trace_id).info.token_usage == expected
    (listed,) = tracekit.search_traces(include_spans=False, return_type="list")
    assert listed.info.token_usage == expected


def test_a_trace_without_llm_usage_has_none(tracking_uri):
    @tracekit.trace
    def plain() -> int:
        return 1

    plain()
    assert tracekit.get_trace(tracekit.get_last_active_trace_id()).info.token_usage is None
