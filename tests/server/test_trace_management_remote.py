"""The MLflow 3 trace calls through a real tracking server (an http:// tracking URI): tags and deletion go over the
REST API, a search without spans makes the server read no span row, and token usage comes back with the trace."""

from __future__ import annotations

import re

import pytest

import tracekit
from tracekit import SpanType, Trace
from tracekit.constants import SpanAttributeKey
from tracekit.store.backend import close_backends
from tracekit.store.sql.traces import SqlTraceStore

SPANS_TABLE = re.compile(r"\bspans\b", re.IGNORECASE)
USAGE = {"input_tokens": 30, "output_tokens": 12, "total_tokens": 42}


@pytest.fixture(autouse=True)
def over_http(live_server):
    tracekit.set_tracking_uri(live_server.url)
    yield live_server
    close_backends()


@tracekit.trace(span_type=SpanType.CHAIN)
def ask(question: str) -> str:
    with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
        tracekit.set_span_chat_messages(span, [{"role": "user", "content": question},
                                               {"role": "assistant", "content": "42"}])
        span.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE, USAGE)
    return "42"


def test_tags_and_deletion_go_to_the_server(server_db):
    client = tracekit.TracekitClient()
    ids = []
    for number in range(3):  # a millisecond apart, so "oldest first" is well defined
        root = client.start_trace(f"t{number}", start_time_ns=(1_700_000_000_000 + number) * 1_000_000)
        client.end_trace(root.trace_id, end_time_ns=(1_700_000_000_005 + number) * 1_000_000)
        ids.append(root.trace_id)
    trace_id = ids[-1]
    tracekit.set_trace_tag(trace_id, "verdict", "good")
    assert SqlTraceStore(server_db).get_trace(trace_id).info.tags["verdict"] == "good"
    tracekit.delete_trace_tag(trace_id, "verdict")
    assert "verdict" not in SqlTraceStore(server_db).get_trace(trace_id).info.tags

    assert tracekit.delete_traces("0", max_timestamp_millis=1_700_000_000_002, max_traces=2) == 2
    assert [t.info.trace_id for t in tracekit.search_traces(return_type="list")] == [trace_id]
    assert tracekit.delete_traces("0", trace_ids=[trace_id]) == 1
    assert SqlTraceStore(server_db).count_traces(["0"]) == 0


def test_search_without_spans_reads_no_span_row_on_the_server(sql_statements):
    ask("why?")
    tracekit.flush_trace_async_logging()
    sql_statements.clear()
    frame = tracekit.search_traces(include_spans=False)
    page = tracekit.TracekitClient().search_traces(include_spans=False)
    assert sql_statements and not [s for s in sql_statements if SPANS_TABLE.search(s)]

    assert frame["spans"].tolist() == [[]] and frame["request"].tolist() == [None]
    assert page[0].data.spans == []
    assert page[0].info.token_usage == USAGE
    assert Trace.from_json(frame["trace"][0]).info.token_usage == USAGE


def test_token_usage_and_chat_messages_come_back_with_the_trace():
    ask("life?")
    trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
    assert trace.info.token_usage == USAGE
    (chat,) = trace.search_spans(span_type=SpanType.CHAT_MODEL)
    assert chat.get_attribute(SpanAttributeKey.CHAT_MESSAGES)[0] == {"role": "user", "content": "life?"}
