"""LLM usage sums and sessions computed in SQL (`SqlTraceStore.llm_usage`, `search_sessions`) on each database,
and the same answers from the contract's fallback that pages through traces."""

from __future__ import annotations

import pytest
from trace_builders import build_trace, make_span

from tracekit.constants import TraceMetadataKey
from tracekit.entities import Trace
from tracekit.entities.token_usage import record_token_usage
from tracekit.exceptions import TracekitException
from tracekit.store.trace_store import TraceStore

MS = 1_000_000


def llm_trace(number: int, model: str | None, input_tokens: int, output_tokens: int, *, run_id: str | None = None,
              session: str | None = None, user: str | None = None, request_time: int | None = None) -> Trace:
    """A build_trace trace plus an LLM span that called `model` with these token counts, its metadata filled as
    a completed trace's is."""
    metadata = {}
    if session:
        metadata[TraceMetadataKey.SESSION] = session
    if user:
        metadata[TraceMetadataKey.USER] = user
    trace = build_trace(number=number, run_id=run_id, metadata=metadata, request_time=request_time)
    root = next(span for span in trace.data.spans if span.parent_id is None)
    attributes = {"tracekit.chat.tokenUsage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                               "total_tokens": input_tokens + output_tokens}}
    if model:
        attributes["gen_ai.request.model"] = model
    trace.data.spans.append(make_span(trace.info.trace_id, f"{number:08x}0000000c", root.span_id, "chat",
                                      span_type="CHAT_MODEL", start_ns=root.start_time_ns + 10,
                                      end_ns=root.start_time_ns + 20, attributes=attributes))
    record_token_usage(trace.info.trace_metadata, trace.data.spans)
    return trace


class PagingOnly(TraceStore):
    """A store offering only what the contract requires of a plugin: the fallback sums are computed from pages."""

    def __init__(self, inner: TraceStore) -> None:
        self.inner = inner

    def write_traces(self, traces):
        self.inner.write_traces(traces)

    def get_trace(self, trace_id):
        return self.inner.get_trace(trace_id)

    def search_traces(self, *args, **kwargs):
        return self.inner.search_traces(*args, **kwargs)

    def set_trace_tag(self, trace_id, key, value):
        self.inner.set_trace_tag(trace_id, key, value)

    def delete_trace_tag(self, trace_id, key):
        self.inner.delete_trace_tag(trace_id, key)

    def delete_traces(self, experiment_id, max_timestamp_millis=None, max_traces=None, trace_ids=None):
        return self.inner.delete_traces(experiment_id, max_timestamp_millis, max_traces, trace_ids)


@pytest.fixture
def usage_traces(store):
    run = "r" * 32
    store.write_traces([
        llm_trace(1, "gpt-4o-mini", 1000, 500, run_id=run),
        llm_trace(2, "gpt-4o-mini", 3000, 100, run_id=run),
        llm_trace(3, "gpt-4o", 200, 50, run_id=run),
        llm_trace(4, "my-local-model", 10, 5, run_id=run),  # no price
        llm_trace(5, None, 7, 3, run_id=run),  # the span names no model
        llm_trace(6, "gpt-4o", 999, 999),  # another run's
        build_trace(number=7, run_id=run),  # no LLM usage at all
    ])
    return run


@pytest.mark.parametrize("through", ["sql", "fallback"])
def test_llm_usage_sums_tokens_and_cost_by_model(store, usage_traces, through):
    source = store if through == "sql" else PagingOnly(store)
    rows = {row.model: row for row in source.llm_usage(["0"], run_id=usage_traces)}
    assert set(rows) == {"gpt-4o-mini", "gpt-4o", "my-local-model", None}
    mini = rows["gpt-4o-mini"]
    assert (mini.traces, mini.input_tokens, mini.output_tokens, mini.total_tokens) == (2, 4000, 600, 4600)
    assert mini.cost == pytest.approx((4000 * 0.15 + 600 * 0.60) / 1e6)
    assert mini.priced_traces == 2
    assert rows["gpt-4o"].cost == pytest.approx((200 * 2.5 + 50 * 10) / 1e6)
    assert rows["my-local-model"].cost is None and rows["my-local-model"].total_tokens == 15
    assert rows[None].traces == 1 and rows[None].cost is None
    assert [row.model for row in source.llm_usage(["0"], run_id=usage_traces)][0] == "gpt-4o-mini"  # most tokens


def test_llm_usage_of_every_trace_and_of_none(store, usage_traces):
    everything = store.llm_usage([])
    assert sum(row.traces for row in everything) == 6
    assert store.llm_usage(["0"], run_id="n" * 32) == []
    assert store.llm_usage(["0"], model_id="m-" + "0" * 32) == []


@pytest.fixture
def sessions(store):
    start = 1_700_000_000_000
    store.write_traces([
        llm_trace(11, "gpt-4o-mini", 100, 10, session="conv-a", user="alice", request_time=start),
        llm_trace(12, "gpt-4o-mini", 200, 20, session="conv-a", user="alice", request_time=start + 60_000),
        llm_trace(13, "gpt-4o-mini", 5, 5, session="conv-b", request_time=start + 30_000),
        llm_trace(14, "gpt-4o-mini", 1, 1, session="it's \"quoted\"", user="bob", request_time=start + 10_000),
        build_trace(number=15, request_time=start + 90_000),  # no session
    ])
    return start


@pytest.mark.parametrize("through", ["sql", "fallback"])
def test_sessions_group_traces_most_recent_first(store, sessions, through):
    source = store if through == "sql" else PagingOnly(store)
    page = source.search_sessions(["0"])
    assert [session.session_id for session in page] == ["conv-a", "conv-b", "it's \"quoted\""]
    first = page[0]
    assert (first.user, first.traces, first.total_tokens) == ("alice", 2, 330)
    assert first.first_time == sessions and first.last_time == sessions + 60_000 + 100  # its last trace's end
    assert page[1].user is None
    assert page.token is None


def test_sessions_page_with_tokens(store, sessions):
    first = store.search_sessions(["0"], max_results=2)
    assert [session.session_id for session in first] == ["conv-a", "conv-b"] and first.token
    second = store.search_sessions(["0"], max_results=2, page_token=first.token)
    assert [session.session_id for session in second] == ["it's \"quoted\""] and second.token is None
    with pytest.raises(TracekitException, match="different search"):
        store.search_sessions(["1"], max_results=2, page_token=first.token)
    with pytest.raises(TracekitException, match="max_results"):
        store.search_sessions(["0"], max_results=0)


def test_a_sessions_traces_are_found_with_a_metadata_filter(store, sessions):
    page = store.search_traces(["0"], filter_string="metadata.`tracekit.trace.session` = 'conv-a'",
                               order_by=["timestamp_ms ASC"], include_spans=False)
    assert [trace.info.trace_id for trace in page] == [f"tr-{11:032x}", f"tr-{12:032x}"]
    quoted = store.search_traces(["0"], filter_string="metadata.`tracekit.trace.session` = 'it\\'s \"quoted\"'",
                                 include_spans=False)
    assert [trace.info.trace_id for trace in quoted] == [f"tr-{14:032x}"]
