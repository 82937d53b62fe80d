"""SqlTraceStore against real SQLite, PostgreSQL and MariaDB databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select
from trace_builders import BASE_TIME_MS, build_trace, make_span

from tracekit.constants import TraceMetadataKey
from tracekit.entities import SpanEvent, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState
from tracekit.exceptions import InvalidFilterError, ResourceNotFoundError, TracekitException
from tracekit.store.sql import schema
from tracekit.store.sql.traces import ID_CHUNK_SIZE

T = {name: f"tr-{index:032x}" for index, name in enumerate(["one", "two", "three", "four", "elsewhere"], 1)}


@pytest.fixture
def populated(store):
    """Five traces with distinct names, times, states, tags, metadata and spans; `elsewhere` is in experiment 1."""
    traces = {
        "one": build_trace(trace_id=T["one"], request_time=BASE_TIME_MS + 1000, duration_ms=100, name="root",
                           tags={"env": "prod", "user": "alice"}, run_id="run-a", model_id="m-1",
                           client_request_id="req-1"),
        "two": build_trace(trace_id=T["two"], request_time=BASE_TIME_MS + 2000, duration_ms=300, name="Root",
                           state=TraceState.ERROR, tags={"env": "dev"}, run_id="run-a",
                           llm_status=SpanStatusCode.ERROR, metadata={"team": "search"}),
        "three": build_trace(trace_id=T["three"], request_time=BASE_TIME_MS + 3000, duration_ms=None,
                             name="other", state=TraceState.IN_PROGRESS, model_id="m-2", llm_name="chat",
                             tags={"env": "staging", "my key": "x.y", "pct": "100%"}),
        "four": build_trace(trace_id=T["four"], request_time=BASE_TIME_MS + 4000, duration_ms=200, name="root_b",
                            tags={"env": "prod"}, metadata={"team": "Search"}, run_id="run-b"),
        "elsewhere": build_trace(trace_id=T["elsewhere"], experiment_id="1", request_time=BASE_TIME_MS + 5000,
                                 tags={"env": "prod"}, run_id="run-a"),
    }
    store.write_traces(list(traces.values()))
    return traces


def names(traces) -> list[str]:
    by_id = {trace_id: name for name, trace_id in T.items()}
    return [by_id[trace.info.trace_id] for trace in traces]


def search(store, filter_string=None, **kwargs):
    kwargs.setdefault("max_results", None)
    return names(store.search_traces(kwargs.pop("experiment_ids", ["0"]), filter_string, **kwargs))


# --- writing and reading back -----------------------------------------------------------------------------------------
def test_written_trace_reads_back_equal(store, make_trace):
    trace = make_trace(tags={"env": "prod"}, metadata={"k": "v"}, client_request_id="c-1")
    store.write_traces([trace])
    assert store.get_trace(trace.info.trace_id).to_dict() == trace.to_dict()


def test_events_unicode_and_big_payloads_survive(store):
    big = "x" * 900_000  # over MySQL TEXT (64 KB), under the 1 MB payload limit
    trace = build_trace(inputs={"question": "Grüße, 世界 🌍", "doc": big}, outputs={"answer": "ok ✓"},
                        tags={"ключ": "значение 🚀"}, metadata={"名前": "値"})
    root = trace.data.spans[-1]
    root.events.append(SpanEvent("exception", root.start_time_ns + 5,
                                 {"exception.type": "ValueError", "exception.message": "bad ✗"}))
    store.write_traces([trace])
    read = store.get_trace(trace.info.trace_id)
    assert read.to_dict() == trace.to_dict()
    assert read.data.root_span.inputs["doc"] == big
    assert read.data.root_span.events[0].attributes["exception.message"] == "bad ✗"
    assert read.info.tags == {"ключ": "значение 🚀"}


def test_unknown_trace_id_reads_as_none(store):
    assert store.get_trace("tr-" + "f" * 32) is None


def test_rewriting_a_trace_updates_it_by_span_id_and_key(store, make_trace):
    first = make_trace(tags={"a": "1", "b": "2"}, extra_spans=2)
    store.write_traces([first])
    second = Trace.from_dict(first.to_dict())
    second.info.tags = {"a": "changed"}
    second.info.state = TraceState.ERROR
    store.write_traces([second])
    store.write_traces([second])
    read = store.get_trace(first.info.trace_id)
    assert read.info.state == TraceState.ERROR
    assert read.info.tags == {"a": "changed", "b": "2"}  # a write adds and replaces; it never removes
    assert read.data.to_dict() == first.data.to_dict()
    assert store.count_traces(["0"]) == 1
    with store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(schema.spans)) == 5


def distributed_parts(start_offset_ms: int = 1, callee_ms: int = 3) -> tuple[Trace, Trace]:
    """The caller's whole trace and the callee's fragment of it: the callee's local root hangs under the caller's
    `call_service` span, which lives only in the caller's part."""
    caller = build_trace(name="caller_root", tags={"env": "prod", "side": "caller"}, metadata={"team": "a"},
                         run_id="run-caller", duration_ms=10)
    trace_id = caller.info.trace_id
    start_ns = caller.info.request_time * 1_000_000 + start_offset_ms * 1_000_000
    call_span = caller.data.spans[0]  # `retrieve` plays the span that made the request
    handler = make_span(trace_id, "f" * 15 + "1", call_span.span_id, "handle", span_type="CHAIN",
                        start_ns=start_ns, end_ns=start_ns + callee_ms * 1_000_000, inputs={"q": "x"})
    lookup = make_span(trace_id, "f" * 15 + "2", handler.span_id, "lookup", start_ns=start_ns + 1000,
                       end_ns=start_ns + 2000)
    callee_info = TraceInfo(trace_id=trace_id, experiment_id="7", request_time=start_ns // 1_000_000,
                            execution_duration=callee_ms, state=TraceState.OK, request_preview='{"q": "x"}',
                            trace_metadata={"team": "b", "callee": "yes"}, tags={"side": "callee", "svc": "b"})
    return caller, Trace(info=callee_info, data=TraceData(spans=[lookup, handler]))


@pytest.mark.parametrize("order", ["caller first", "callee first", "one batch"])
def test_parts_of_a_distributed_trace_merge_into_one(store, order):
    caller, callee = distributed_parts()
    if order == "caller first":
        store.write_traces([caller])
        store.write_traces([callee])
    elif order == "callee first":
        store.write_traces([callee])
        store.write_traces([caller])
    else:
        store.write_traces([callee, caller])
    read = store.get_trace(caller.info.trace_id)
    spans = {span.name: span for span in read.data.spans}
    assert set(spans) == {"caller_root", "retrieve", "llm", "handle", "lookup"}
    assert spans["handle"].parent_id == spans["retrieve"].span_id
    assert spans["lookup"].parent_id == spans["handle"].span_id
    assert read.data.root_span.name == "caller_root"
    # the info is the caller's (root span's), whichever part came first; the callee only adds keys
    assert (read.info.experiment_id, read.info.request_time, read.info.execution_duration) == \
        ("0", caller.info.request_time, 10)
    assert read.info.request_preview == caller.info.request_preview
    assert read.info.tags == {"env": "prod", "side": "caller", "svc": "b"}
    assert read.info.trace_metadata["team"] == "a" and read.info.trace_metadata["callee"] == "yes"
    assert store.search_traces(["0"], "tags.svc = 'b'")[0].info.trace_id == caller.info.trace_id
    assert store.count_traces(["0"], run_id="run-caller") == 1
    assert store.count_traces(["7"]) == 0


def test_fragment_alone_is_a_trace_of_its_own(store):
    _, callee = distributed_parts()
    store.write_traces([callee])
    store.write_traces([callee])
    read = store.get_trace(callee.info.trace_id)
    assert read.to_dict() == callee.to_dict()
    assert store.search_traces(["7"], "trace.name = 'handle'")[0].info.trace_id == callee.info.trace_id


@pytest.mark.parametrize("callee_first", [True, False])
def test_a_part_outlasting_the_root_stretches_the_window(store, callee_first):
    caller, callee = distributed_parts(start_offset_ms=8, callee_ms=20)  # fire-and-forget: ends after the root
    store.write_traces([callee, caller] if callee_first else [caller, callee])
    info = store.get_trace(caller.info.trace_id).info
    assert info.request_time == caller.info.request_time
    assert info.execution_duration == 28


def test_last_copy_in_a_batch_wins(store, make_trace):
    first = make_trace(tags={"v": "1"})
    second = build_trace(trace_id=first.info.trace_id, tags={"v": "2"})
    store.write_traces([first, second])
    assert store.get_trace(first.info.trace_id).info.tags == {"v": "2"}


def test_empty_batch_is_a_no_op(store):
    store.write_traces([])
    assert store.count_traces(["0"]) == 0


def test_batch_larger_than_an_id_chunk(store):
    traces = [build_trace(tags={"i": str(i)}) for i in range(ID_CHUNK_SIZE * 2 + 7)]
    store.write_traces(traces)
    store.write_traces(traces)
    found = store.search_traces(["0"], max_results=None)
    assert len(found) == len(traces)
    assert all(len(trace.data.spans) == 3 and trace.info.tags for trace in found)


def test_unknown_experiment_is_created_on_write(store, make_trace):
    store.write_traces([make_trace(experiment_id="42")])
    assert store.count_traces(["42"]) == 1


def test_spans_come_back_in_the_order_they_ended(store, make_trace):
    trace = make_trace(extra_spans=3)
    store.write_traces([trace])
    assert [s.span_id for s in store.get_trace(trace.info.trace_id).data.spans] == \
        [s.span_id for s in trace.data.spans]


def test_run_and_model_ids_come_from_metadata(store, populated):
    assert store.count_traces(["0"], run_id="run-a") == 2
    assert store.count_traces(["0", "1"], run_id="run-a") == 3
    assert store.count_traces(["0"], model_id="m-2") == 1
    assert store.count_traces(["0"], run_id="run-a", model_id="m-1") == 1
    assert store.count_traces(["0"]) == 4
    assert search(store, run_id="run-a") == ["two", "one"]
    assert search(store, model_id="m-1") == ["one"]
    assert store.get_trace(T["one"]).info.trace_metadata[TraceMetadataKey.SOURCE_RUN] == "run-a"


# --- filters ---------------------------------------------------------------------------------------------------------
FILTER_CASES = [
    (f"trace_id = '{T['one']}'", ["one"]),
    (f"request_id IN ('{T['one']}', '{T['three']}')", ["three", "one"]),
    (f"timestamp_ms = {BASE_TIME_MS + 2000}", ["two"]),
    (f"timestamp_ms != {BASE_TIME_MS + 2000}", ["four", "three", "one"]),
    (f"timestamp_ms > {BASE_TIME_MS + 2000}", ["four", "three"]),
    (f"timestamp_ms >= {BASE_TIME_MS + 2000}", ["four", "three", "two"]),
    (f"timestamp_ms < {BASE_TIME_MS + 2000}", ["one"]),
    (f"timestamp_ms <= {BASE_TIME_MS + 2000}", ["two", "one"]),
    (f"timestamp_ms IN ({BASE_TIME_MS + 1000}, {BASE_TIME_MS + 4000})", ["four", "one"]),
    (f"timestamp_ms NOT IN ({BASE_TIME_MS + 1000}, {BASE_TIME_MS + 4000})", ["three", "two"]),
    ("execution_time_ms > 150", ["four", "two"]),
    ("execution_time_ms <= 100", ["one"]),
    ("execution_time_ms = 200.0", ["four"]),
    ("status = 'ERROR'", ["two"]),
    ("status = 'in_progress'", ["three"]),
    ("status != 'OK'", ["three", "two"]),
    ("attributes.status IN ('OK', 'ERROR')", ["four", "two", "one"]),
    ("status NOT IN ('OK')", ["three", "two"]),
    ("name = 'root'", ["one"]),
    ("name != 'root'", ["four", "three", "two"]),
    ("name LIKE 'R%'", ["two"]),
    ("name LIKE 'r%'", ["four", "one"]),
    ("name LIKE 'root\\_%'", ["four"]),
    ("name ILIKE 'ROOT%'", ["four", "two", "one"]),
    ("name IN ('root', 'other')", ["three", "one"]),
    ("run_id = 'run-a'", ["two", "one"]),
    ("run_id != 'run-a'", ["four"]),
    ("run_id LIKE 'run-%'", ["four", "two", "one"]),
    ("model_id = 'm-2'", ["three"]),
    ("model_id IN ('m-1', 'm-2')", ["three", "one"]),
    ("client_request_id = 'req-1'", ["one"]),
    ("tags.env = 'prod'", ["four", "one"]),
    ("tags.env != 'prod'", ["three", "two"]),
    ("tags.env LIKE 'st%'", ["three"]),
    ("tags.env LIKE 'PROD'", []),
    ("tags.env ILIKE 'PR%'", ["four", "one"]),
    ("tags.env IN ('dev', 'staging')", ["three", "two"]),
    ("tags.env NOT IN ('dev')", ["four", "three", "one"]),
    ("tags.`my key` = 'x.y'", ["three"]),
    ("tags.pct LIKE '100\\%'", ["three"]),
    ("tags.user = 'alice'", ["one"]),
    ("tags.missing = 'x'", []),
    ("metadata.team = 'search'", ["two"]),
    ("metadata.team ILIKE 'SEARCH'", ["four", "two"]),
    ("metadata.tracekit.sourceRun = 'run-b'", ["four"]),
    ("metadata.`tracekit.modelId` = 'm-1'", ["one"]),
    ("span.name = 'chat'", ["three"]),
    ("span.name != 'chat'", ["four", "three", "two", "one"]),
    ("span.name LIKE 'retr%'", ["four", "three", "two", "one"]),
    ("span.name IN ('chat', 'nothing')", ["three"]),
    ("span.type = 'LLM'", ["four", "three", "two", "one"]),
    ("span.type = 'TOOL'", []),
    ("span.status = 'ERROR'", ["two"]),
    ("span.status = 'unset'", []),
]


@pytest.mark.parametrize(("filter_string", "expected"), FILTER_CASES, ids=[case[0] for case in FILTER_CASES])
def test_filter(store, populated, filter_string, expected):
    assert search(store, filter_string) == expected


@pytest.mark.parametrize(("filter_string", "expected"), [
    ("tags.env = 'prod' AND execution_time_ms > 150", ["four"]),
    ("tags.env = 'prod' OR status = 'ERROR'", ["four", "two", "one"]),
    ("(tags.env = 'prod' OR status = 'ERROR') AND run_id = 'run-a'", ["two", "one"]),
    ("tags.env = 'prod' OR (status = 'ERROR' AND run_id = 'run-a')", ["four", "two", "one"]),
    ("tags.env = 'prod' OR status = 'ERROR' AND run_id = 'run-b'", ["four", "one"]),
    ("span.type = 'LLM' AND span.status = 'ERROR' AND tags.env = 'dev'", ["two"]),
    ("((name = 'root'))", ["one"]),
])
def test_and_or_and_parentheses(store, populated, filter_string, expected):
    assert search(store, filter_string) == expected


def test_experiment_filter_comes_first(store, populated):
    assert search(store, "tags.env = 'prod'", experiment_ids=["1"]) == ["elsewhere"]
    assert search(store, "tags.env = 'prod'", experiment_ids=["0", "1"]) == ["elsewhere", "four", "one"]
    assert search(store, experiment_ids=["2"]) == []


def test_invalid_filter_is_an_invalid_filter_error(store, populated):
    with pytest.raises(InvalidFilterError, match="unknown field"):
        store.search_traces(["0"], "colour = 'red'")


@pytest.mark.parametrize("attack", [
    "x'; DROP TABLE trace_info; --",
    "' OR '1'='1",
    "prod' OR 1=1 --",
    "\\'; DELETE FROM spans; --",
    "%' OR trace_id LIKE '%",
])
def test_sql_injection_through_values_matches_nothing(store, populated, attack):
    quoted = attack.replace("\\", "\\\\").replace("'", "\\'")
    for filter_string in (f"tags.env = '{quoted}'", f"name = '{quoted}'", f"span.name LIKE '{quoted}'",
                          f"metadata.team IN ('{quoted}')", f"tags.`{attack.replace('`', '')}` = 'prod'"):
        assert search(store, filter_string) == []
    store.set_trace_tag(T["one"], attack, attack)
    assert store.get_trace(T["one"]).info.tags[attack] == attack
    assert search(store, f"tags.`{attack}` = '{quoted}'") == ["one"]
    assert store.count_traces(["0"]) == 4
    assert len(store.get_trace(T["two"]).data.spans) == 3


# --- ordering and paging -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("order_by", "expected"), [
    (None, ["four", "three", "two", "one"]),
    (["timestamp_ms ASC"], ["one", "two", "three", "four"]),
    (["execution_time_ms DESC"], ["two", "four", "one", "three"]),
    (["execution_time_ms"], ["three", "one", "four", "two"]),
    (["status", "timestamp_ms DESC"], ["two", "three", "four", "one"]),
    (["name"], ["two", "three", "one", "four"]),
    (["trace_id DESC"], ["four", "three", "two", "one"]),
])
def test_order_by(store, populated, order_by, expected):
    assert search(store, order_by=order_by) == expected


@pytest.mark.parametrize("order_by", [None, ["timestamp_ms ASC"], ["status", "name DESC"],
                                      ["execution_time_ms DESC"], ["trace_id"]])
def test_page_tokens_walk_through_every_result_once(store, order_by):
    traces = [build_trace(request_time=BASE_TIME_MS + i // 3, duration_ms=None if i % 7 == 0 else i % 5,
                          state=TraceState.ERROR if i % 4 == 0 else TraceState.OK, name=f"n{i % 6}")
              for i in range(53)]
    store.write_traces(traces)
    everything = [t.info.trace_id for t in store.search_traces(["0"], max_results=None, order_by=order_by)]
    paged, token, pages = [], None, 0
    while True:
        page = store.search_traces(["0"], max_results=10, order_by=order_by, page_token=token)
        paged += [t.info.trace_id for t in page]
        pages += 1
        token = page.token
        if token is None:
            break
    assert pages == 6
    assert paged == everything
    assert sorted(paged) == sorted(t.info.trace_id for t in traces)


def test_last_full_page_has_no_token(store, make_trace):
    store.write_traces([make_trace() for _ in range(4)])
    first = store.search_traces(["0"], max_results=2)
    second = store.search_traces(["0"], max_results=2, page_token=first.token)
    assert first.token and len(second) == 2 and second.token is None


def test_max_results_none_returns_everything_without_token(store, make_trace):
    store.write_traces([make_trace() for _ in range(150)])
    found = store.search_traces(["0"], max_results=None)
    assert len(found) == 150 and found.token is None


def test_page_token_of_another_search_is_refused(store, populated):
    token = store.search_traces(["0"], "tags.env = 'prod'", max_results=1).token
    with pytest.raises(InvalidFilterError, match="different search"):
        store.search_traces(["0"], "tags.env = 'dev'", max_results=1, page_token=token)
    with pytest.raises(InvalidFilterError, match="Invalid page_token"):
        store.search_traces(["0"], max_results=1, page_token="not-a-token")


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True])
def test_max_results_must_be_positive(store, bad):
    with pytest.raises(TracekitException, match="max_results"):
        store.search_traces(["0"], max_results=bad)


def test_include_spans_false_skips_spans(store, populated):
    found = store.search_traces(["0"], max_results=None, include_spans=False)
    assert len(found) == 4 and all(trace.data.spans == [] for trace in found)
    assert found[0].info.tags == {"env": "prod"}


@pytest.mark.parametrize("include_spans", [False, True])
def test_include_spans_false_reads_no_span_row(store, populated, include_spans):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        records = store.search_trace_records(["0"], max_results=None, include_spans=include_spans)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert len(records) == 4 and all(bool(record.span_texts) is include_spans for record in records)
    assert any(re.search(r"\bspans\b", statement) for statement in statements) is include_spans


# --- tags ---------------------------------------------------------------------------------------------------------
def test_set_trace_tag_adds_and_replaces(store, populated):
    store.set_trace_tag(T["one"], "env", "canary")
    store.set_trace_tag(T["one"], "new", "1")
    assert store.get_trace(T["one"]).info.tags == {"env": "canary", "user": "alice", "new": "1"}
    assert search(store, "tags.env = 'canary'") == ["one"]


def test_tag_keys_are_case_sensitive(store, populated):
    store.set_trace_tag(T["one"], "ENV", "upper")
    assert store.get_trace(T["one"]).info.tags["env"] == "prod"
    assert store.get_trace(T["one"]).info.tags["ENV"] == "upper"


def test_delete_trace_tag(store, populated):
    store.delete_trace_tag(T["one"], "user")
    assert store.get_trace(T["one"]).info.tags == {"env": "prod"}
    with pytest.raises(ResourceNotFoundError, match="no tag 'user'"):
        store.delete_trace_tag(T["one"], "user")


@pytest.mark.parametrize("operation", ["set", "delete"])
def test_tagging_an_unknown_trace_names_it(store, operation):
    missing = "tr-" + "e" * 32
    with pytest.raises(ResourceNotFoundError, match=missing):
        if operation == "set":
            store.set_trace_tag(missing, "k", "v")
        else:
            store.delete_trace_tag(missing, "k")


def test_oversized_tag_is_refused(store, populated):
    with pytest.raises(TracekitException, match="Tag keys"):
        store.set_trace_tag(T["one"], "k" * 251, "v")
    with pytest.raises(TracekitException, match="Tag values"):
        store.set_trace_tag(T["one"], "k", "v" * 8001)


# --- deleting and counting -------------------------------------------------------------------------------------------
def test_delete_traces_needs_a_criterion(store):
    with pytest.raises(TracekitException, match="at least one of"):
        store.delete_traces("0")


def test_delete_traces_by_timestamp(store, populated):
    assert store.delete_traces("0", max_timestamp_millis=BASE_TIME_MS + 2000) == 2
    assert search(store) == ["four", "three"]


def test_delete_traces_oldest_first_by_count(store, populated):
    assert store.delete_traces("0", max_traces=3) == 3
    assert search(store) == ["four"]
    assert search(store, experiment_ids=["1"]) == ["elsewhere"]


def test_delete_traces_by_id_stays_in_the_experiment(store, populated):
    assert store.delete_traces("0", trace_ids=[T["one"], T["three"], T["elsewhere"], "tr-unknown"]) == 2
    assert search(store) == ["four", "two"]
    assert store.get_trace(T["elsewhere"]) is not None


def test_delete_traces_criteria_combine(store, populated):
    assert store.delete_traces("0", max_timestamp_millis=BASE_TIME_MS + 3000, max_traces=2,
                               trace_ids=[T["two"], T["three"], T["four"]]) == 2
    assert search(store) == ["four", "one"]


def test_delete_traces_removes_every_row(store, populated):
    store.delete_traces("0", max_timestamp_millis=BASE_TIME_MS + 10_000)
    store.delete_traces("1", max_traces=10)
    with store.engine.connect() as connection:
        for table in (schema.trace_info, schema.trace_tags, schema.trace_metadata, schema.spans):
            assert connection.scalar(select(func.count()).select_from(table)) == 0


def test_ping_and_close(store):
    store.ping()
    store.close()
    store.ping()  # the pool reconnects after close


def test_store_from_registry_is_cached(db_uri):
    from tracekit.store.backend import close_backends, get_backend

    try:
        assert get_backend(db_uri).traces is get_backend(db_uri).traces
    finally:
        close_backends()


def test_span_fields_are_read_from_indexed_columns(store):
    trace = build_trace()
    long_name = "n" * 600
    trace.data.spans.insert(0, make_span(trace.info.trace_id, "f" * 16, trace.data.spans[-1].span_id, long_name,
                                         span_type="CUSTOM", start_ns=trace.data.spans[-1].start_time_ns + 1,
                                         end_ns=trace.data.spans[-1].start_time_ns + 2))
    store.write_traces([trace])
    assert store.get_trace(trace.info.trace_id).data.spans[0].name == long_name
    assert len(store.search_traces(["0"], "span.type = 'CUSTOM'")) == 1
