"""Parent/child relations from the context: nesting, recursion, asyncio, generators, threads."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import tracekit


def parents_by_name(trace):
    ids = {span.span_id: span.name for span in trace.data.spans}
    return {span.name: ids.get(span.parent_id) for span in trace.data.spans}


def test_nested_spans_form_one_trace(exported):
    @tracekit.trace
    def inner():
        return 1

    @tracekit.trace
    def outer():
        with tracekit.start_span("middle"):
            return inner()

    outer()
    (trace,) = exported()
    assert parents_by_name(trace) == {"outer": None, "middle": "outer", "inner": "middle"}
    assert {span.trace_id for span in trace.data.spans} == {trace.info.trace_id}


def test_sibling_top_level_calls_make_separate_traces(exported):
    @tracekit.trace
    def f():
        return 1

    f()
    f()
    assert len({trace.info.trace_id for trace in exported()}) == 2


def test_recursion_nests_each_call_under_the_previous(exported):
    @tracekit.trace
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)

    assert fact(5) == 120
    (trace,) = exported()
    spans = {span.span_id: span for span in trace.data.spans}
    depth_by_input = {}
    for span in spans.values():
        depth, parent = 0, span.parent_id
        while parent:
            depth, parent = depth + 1, spans[parent].parent_id
        depth_by_input[span.inputs["n"]] = depth
    assert depth_by_input == {5: 0, 4: 1, 3: 2, 2: 3, 1: 4}


async def test_gather_puts_each_child_under_the_span_that_awaited_it(exported):
    @tracekit.trace
    async def leaf(tag):
        await asyncio.sleep(0.001)
        return tag

    @tracekit.trace
    async def branch(tag):
        return await asyncio.gather(leaf(f"{tag}-1"), leaf(f"{tag}-2"))

    @tracekit.trace
    async def root():
        return await asyncio.gather(branch("a"), branch("b"))

    await root()
    (trace,) = exported()
    spans = {span.span_id: span for span in trace.data.spans}
    for span in trace.search_spans(name="leaf"):
        parent = spans[span.parent_id]
        assert parent.name == "branch"
        assert span.inputs["tag"].startswith(parent.inputs["tag"])
    assert len(trace.search_spans(name="leaf")) == 4


async def test_concurrent_top_level_tasks_are_separate_traces(exported):
    @tracekit.trace
    async def job(i):
        await asyncio.sleep(0.001)
        return i

    await asyncio.gather(*(job(i) for i in range(5)))
    traces = exported()
    assert len(traces) == 5
    assert all(len(trace.data.spans) == 1 for trace in traces)


def test_with_current_context_attaches_thread_work_to_the_current_span(exported):
    @tracekit.trace
    def work(i):
        return threading.current_thread().name

    with tracekit.start_span("fan_out") as root:
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(tracekit.tracing.with_current_context(work), i) for i in range(6)]
            names = {future.result() for future in futures}
    assert names != {threading.current_thread().name}
    (trace,) = exported()
    assert len(trace.search_spans(name="work")) == 6
    assert {span.parent_id for span in trace.search_spans(name="work")} == {root.span_id}


def test_threads_without_the_helper_start_their_own_traces(exported):
    @tracekit.trace
    def work(i):
        return i

    with tracekit.start_span("fan_out"):
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(work, range(2)))
    traces = exported()
    assert len(traces) == 3


def test_current_span_is_restored_after_a_span_ends():
    assert tracekit.get_current_active_span() is None
    with tracekit.start_span("a") as a:
        assert tracekit.get_current_active_span() is a
        with tracekit.start_span("b") as b:
            assert tracekit.get_current_active_span() is b
            assert tracekit.get_active_trace_id() == a.trace_id
        assert tracekit.get_current_active_span() is a
    assert tracekit.get_current_active_span() is None
    assert tracekit.get_active_trace_id() is None
