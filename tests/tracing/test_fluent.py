"""Trace-level fluent API: current trace, update_current_trace, get_trace, last trace, add_trace."""

from __future__ import annotations

import threading

import pytest

import tracekit
from tracekit import TraceState
from tracekit.exceptions import TracekitException


def test_update_current_trace_sets_tags_metadata_and_client_request_id(exported):
    @tracekit.trace
    def handle():
        tracekit.update_current_trace(tags={"fruit": "apple", "n": 3}, metadata={"user": "u1"},
                                      client_request_id="req-9")

    handle()
    info = exported()[0].info
    assert info.tags == {"fruit": "apple", "n": "3"}
    assert info.trace_metadata["user"] == "u1"
    assert info.client_request_id == "req-9"


def test_update_current_trace_outside_a_trace_raises_a_clear_error():
    with pytest.raises(TracekitException, match="outside a trace"):
        tracekit.update_current_trace(tags={"a": "b"})


def test_update_current_trace_stores_text_no_store_takes_as_escaped_text(exported):
    @tracekit.trace
    def handle():
        tracekit.update_current_trace(tags={"name\udcff": "bad\udcfe", 7: "ok"}, metadata={"m": "\ud800"},
                                      client_request_id="req\udc80")

    handle()
    info = exported()[0].info
    assert info.tags == {"name\\udcff": "bad\\udcfe", "7": "ok"}
    assert info.trace_metadata["m"] == "\\ud800"
    assert info.client_request_id == "req\\udc80"


def test_update_current_trace_of_a_trace_that_left_the_buffer_names_the_way_to_tag_it(monkeypatch, exported):
    monkeypatch.setenv("TRACEKIT_TRACE_BUFFER_MAX_SIZE", "1")
    tracekit.tracing.reset()
    with tracekit.start_span("first") as first:
        other = threading.Thread(target=lambda: tracekit.start_span("second").__enter__().end())
        other.start()  # a new trace on another thread pushes the first out of the one-trace buffer
        other.join()
        with pytest.raises(TracekitException, match="no longer being recorded.*set_trace_tag"):
            tracekit.update_current_trace(tags={"a": "b"})
    assert first.trace_id in {trace.info.trace_id for trace in exported()}


def test_get_trace_returns_a_running_trace_then_the_stored_one():
    with tracekit.start_span("outer") as span:
        span.set_attribute("key", "value")
        running = tracekit.get_trace(span.trace_id)
        assert running.info.state == TraceState.IN_PROGRESS
        assert running.data.spans[0].name == "outer"
    finished = tracekit.get_trace(span.trace_id)
    assert finished.info.state == TraceState.OK
    assert finished.data.spans[0].attributes["key"] == "value"


def test_get_trace_of_an_unknown_id_is_none():
    assert tracekit.get_trace("tr-" + "0" * 32) is None


def test_get_trace_rejects_a_malformed_id():
    with pytest.raises(TracekitException, match="Invalid trace id 'nope'"):
        tracekit.get_trace("nope")


def test_last_active_trace(exported):
    assert tracekit.get_last_active_trace_id() is None

    @tracekit.trace
    def f(x):
        return x

    f(1)
    f(2)
    last = tracekit.get_last_active_trace()
    assert last.info.trace_id == tracekit.get_last_active_trace_id()
    assert last.data.spans[0].inputs == {"x": 2}
    last.info.tags["edited"] = "yes"  # a copy: the stored trace is untouched
    assert "edited" not in tracekit.get_last_active_trace().info.tags


def make_remote_trace(exported_list):
    @tracekit.trace
    def remote_child(q):
        return q.upper()

    @tracekit.trace(name="remote_root")
    def remote(q):
        return remote_child(q)

    remote("hi")
    tracekit.flush_trace_async_logging()
    return exported_list()[-1]


def test_add_trace_merges_under_the_current_span_with_new_ids(exported):
    remote = make_remote_trace(exported)
    with tracekit.start_span("predict") as span:
        tracekit.add_trace(remote.to_dict())
    local = exported()[-1]
    assert local.info.trace_id == span.trace_id
    names = {s.name: s for s in local.data.spans}
    assert set(names) == {"predict", "remote_root", "remote_child"}
    assert names["remote_root"].parent_id == names["predict"].span_id
    assert names["remote_child"].parent_id == names["remote_root"].span_id
    assert {s.trace_id for s in local.data.spans} == {local.info.trace_id}
    assert not {s.span_id for s in remote.data.spans} & {s.span_id for s in local.data.spans}
    assert names["remote_child"].outputs == "HI"


def test_add_trace_under_an_explicit_target(exported):
    remote = make_remote_trace(exported)
    with tracekit.start_span("root"):
        with tracekit.start_span("target") as target:
            with tracekit.start_span("current"):
                tracekit.add_trace(remote, target=target)
    local = exported()[-1]
    names = {s.name: s for s in local.data.spans}
    assert names["remote_root"].parent_id == names["target"].span_id


def test_add_trace_without_an_active_span_creates_a_remote_trace_span(exported):
    remote = make_remote_trace(exported)
    tracekit.add_trace(remote)
    merged = exported()[-1]
    root = merged.data.root_span
    assert root.name == f"Remote Trace <{remote.info.trace_id}>"
    assert root.start_time_ns == remote.data.root_span.start_time_ns
    assert {s.name for s in merged.data.spans} == {root.name, "remote_root", "remote_child"}


def test_add_trace_rejects_an_unfinished_trace(exported):
    remote = make_remote_trace(exported)
    data = remote.to_dict()
    data["data"]["spans"][0]["end_time_ns"] = None
    with tracekit.start_span("root"):
        with pytest.raises(TracekitException, match="completed traces only"):
            tracekit.add_trace(data)


def test_disable_and_enable_as_in_the_docs(exported):
    @tracekit.trace
    def f():
        return 0

    f()
    assert len(exported()) == 1
    tracekit.tracing.disable()
    f()
    assert len(exported()) == 1
    assert not tracekit.tracing.is_enabled()
    tracekit.tracing.enable()
    f()
    assert len(exported()) == 2
