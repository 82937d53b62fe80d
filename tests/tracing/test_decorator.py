"""@trace on every kind of callable: what the span records and what the caller sees."""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import traceback

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType, TraceState


def only_trace(exported):
    traces = exported()
    assert len(traces) == 1
    return traces[0]


def test_bare_decorator_records_inputs_by_name_with_defaults_and_the_return_value(exported):
    @tracekit.trace
    def add(a, b=10):
        return a + b

    assert add(1) == 11
    span = only_trace(exported).data.spans[0]
    assert span.name == "add"
    assert span.span_type == SpanType.UNKNOWN
    assert span.inputs == {"a": 1, "b": 10}
    assert span.outputs == 11
    assert span.status.status_code == SpanStatusCode.OK


def test_keyword_arguments_are_recorded_in_parameter_order(exported):
    @tracekit.trace
    def f(a, b=1, c=2):
        return a

    f(5, c=7)
    assert list(only_trace(exported).data.spans[0].inputs.items()) == [("a", 5), ("b", 1), ("c", 7)]


def test_decorator_with_name_type_and_attributes(exported):
    @tracekit.trace(name="retrieve", span_type=SpanType.RETRIEVER, attributes={"k": 5, "index": "docs"})
    def search(query):
        return ["doc"]

    search("hi")
    span = only_trace(exported).data.spans[0]
    assert (span.name, span.span_type) == ("retrieve", "RETRIEVER")
    assert span.attributes["k"] == 5
    assert span.attributes["index"] == "docs"


def test_wrapping_a_function_one_does_not_own(exported):
    assert tracekit.trace(math.factorial)(5) == 120
    span = only_trace(exported).data.spans[0]
    assert span.name == "factorial"
    assert span.outputs == 120


def test_variadic_arguments_are_recorded(exported):
    @tracekit.trace
    def f(a, *rest, scale=1, **options):
        return a

    f(1, 2, 3, scale=2, mode="fast")
    assert only_trace(exported).data.spans[0].inputs == {"a": 1, "rest": [2, 3], "scale": 2, "mode": "fast"}


def test_metadata_of_the_function_is_kept():
    def original(x: int, y: str = "a") -> str:
        """Docs."""
        return y * x

    async def coroutine(x):
        return x

    def generator():
        yield 1

    traced = tracekit.trace(original)
    assert traced.__name__ == "original"
    assert traced.__doc__ == "Docs."
    assert inspect.signature(traced) == inspect.signature(original)
    assert inspect.iscoroutinefunction(tracekit.trace(coroutine))
    assert inspect.isgeneratorfunction(tracekit.trace(generator))
    assert not inspect.iscoroutinefunction(traced)


def test_methods_leave_self_and_cls_out_of_the_inputs(exported):
    class Model:
        factor = 3

        @tracekit.trace
        def predict(self, x):
            return x * self.factor

        @tracekit.trace
        @staticmethod
        def helper(x):
            return x + 1

        @staticmethod
        @tracekit.trace
        def helper2(x):
            return x + 2

        @tracekit.trace
        @classmethod
        def build(cls, n):
            return n

        @classmethod
        @tracekit.trace
        def build2(cls, n):
            return n

    model = Model()
    assert model.predict(2) == 6
    assert Model.helper(1) == 2
    assert model.helper2(1) == 3
    assert Model.build(4) == 4
    assert Model.build2(5) == 5
    spans = {trace.data.spans[0].name: trace.data.spans[0] for trace in exported()}
    assert spans["predict"].inputs == {"x": 2}
    assert spans["helper"].inputs == {"x": 1}
    assert spans["helper2"].inputs == {"x": 1}
    assert spans["build"].inputs == {"n": 4}
    assert spans["build2"].inputs == {"n": 5}


def test_exception_is_reraised_unchanged_and_recorded(exported):
    error = ValueError("bad input")

    @tracekit.trace
    def fail(x):
        raise error

    with pytest.raises(ValueError) as caught:
        fail(1)
    assert caught.value is error
    # the traceback still reaches the line that raised
    assert any(frame.name == "fail" for frame in traceback.extract_tb(caught.value.__traceback__))

    trace = only_trace(exported)
    span = trace.data.spans[0]
    assert trace.info.state == TraceState.ERROR
    assert span.status.status_code == SpanStatusCode.ERROR
    assert "bad input" in span.status.description
    event = span.events[0]
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "bad input"
    assert "raise error" in event.attributes["exception.stacktrace"]


def test_error_in_a_child_leaves_the_parent_ok_when_it_is_caught(exported):
    @tracekit.trace
    def child():
        raise KeyError("k")

    @tracekit.trace
    def parent():
        try:
            child()
        except KeyError:
            return "recovered"

    assert parent() == "recovered"
    trace = only_trace(exported)
    assert trace.info.state == TraceState.OK
    assert trace.search_spans(name="child")[0].status.status_code == SpanStatusCode.ERROR


async def test_async_function(exported):
    @tracekit.trace
    async def fetch(url, retries=2):
        await asyncio.sleep(0)
        return {"url": url}

    assert await fetch("http://x") == {"url": "http://x"}
    span = only_trace(exported).data.spans[0]
    assert span.inputs == {"url": "http://x", "retries": 2}
    assert span.outputs == {"url": "http://x"}


async def test_async_exception_is_reraised(exported):
    @tracekit.trace
    async def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail()
    assert only_trace(exported).info.state == TraceState.ERROR


def test_generator_span_covers_the_whole_iteration(exported):
    @tracekit.trace
    def count(n):
        for i in range(n):
            yield child(i)

    @tracekit.trace
    def child(i):
        return i * 10

    @tracekit.trace
    def consumer_step(x):
        return x

    with tracekit.start_span("root"):
        for item in count(3):
            consumer_step(item)

    trace = only_trace(exported)
    gen_span = trace.search_spans(name="count")[0]
    assert gen_span.outputs == [0, 10, 20]
    assert gen_span.inputs == {"n": 3}
    root = trace.search_spans(name="root")[0]
    # work done inside the generator is under its span; the consumer's work between items is not
    assert {s.parent_id for s in trace.search_spans(name="child")} == {gen_span.span_id}
    assert {s.parent_id for s in trace.search_spans(name="consumer_step")} == {root.span_id}
    children_ends = max(s.end_time_ns for s in trace.search_spans(name="consumer_step"))
    assert gen_span.end_time_ns >= children_ends - 10**9  # the span ended with the iteration, not at the first item


def test_generator_stopped_early_ends_its_span_with_what_was_consumed(exported):
    @tracekit.trace
    def numbers():
        yield from range(100)

    for item in numbers():
        if item == 2:
            break
    span = only_trace(exported).data.spans[0]
    assert span.outputs == [0, 1, 2]
    assert span.status.status_code == SpanStatusCode.OK


def test_generator_send_and_return_value_pass_through(exported):
    @tracekit.trace
    def echo():
        received = yield "ready"
        yield f"got {received}"
        return "done"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send("x") == "got x"
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"
    assert only_trace(exported).data.spans[0].outputs == ["ready", "got x"]


def test_generator_exception_is_reraised_with_partial_outputs(exported):
    @tracekit.trace
    def broken():
        yield 1
        raise ValueError("mid-stream")

    with pytest.raises(ValueError, match="mid-stream"):
        list(broken())
    span = only_trace(exported).data.spans[0]
    assert span.outputs == [1]
    assert span.status.status_code == SpanStatusCode.ERROR


async def test_async_generator(exported):
    @tracekit.trace
    async def stream(n):
        for i in range(n):
            await asyncio.sleep(0)
            yield await child(i)

    @tracekit.trace
    async def child(i):
        return i + 1

    items = [item async for item in stream(3)]
    assert items == [1, 2, 3]
    trace = only_trace(exported)
    gen_span = trace.search_spans(name="stream")[0]
    assert gen_span.outputs == [1, 2, 3]
    assert {s.parent_id for s in trace.search_spans(name="child")} == {gen_span.span_id}



def test_async_generator_keeps_its_kind():
    async def stream():
        yield 1

    assert inspect.isasyncgenfunction(tracekit.trace(stream))


def test_generator_throw_reaches_the_generator(exported):
    @tracekit.trace
    def resilient():
        try:
            yield "first"
        except KeyError:
            yield "recovered"

    gen = resilient()
    assert next(gen) == "first"
    assert gen.throw(KeyError("k")) == "recovered"
    gen.close()
    span = only_trace(exported).data.spans[0]
    assert span.outputs == ["first", "recovered"]
    assert span.status.status_code == SpanStatusCode.OK


async def test_async_generator_asend_and_athrow_reach_the_generator(exported):
    @tracekit.trace
    async def echo():
        received = yield "ready"
        try:
            yield f"got {received}"
        except KeyError:
            yield "recovered"

    gen = echo()
    assert await gen.__anext__() == "ready"
    assert await gen.asend("x") == "got x"
    assert await gen.athrow(KeyError("k")) == "recovered"
    await gen.aclose()
    span = only_trace(exported).data.spans[0]
    assert span.outputs == ["ready", "got x", "recovered"]
    assert span.status.status_code == SpanStatusCode.OK


async def test_async_generator_exception_is_reraised_with_partial_outputs(exported):
    @tracekit.trace
    async def broken():
        yield 1
        raise ValueError("mid-stream")

    with pytest.raises(ValueError, match="mid-stream"):
        [item async for item in broken()]
    span = only_trace(exported).data.spans[0]
    assert span.outputs == [1]
    assert span.status.status_code == SpanStatusCode.ERROR

def test_non_callable_raises_type_error_naming_it():
    with pytest.raises(TypeError, match="int 42"):
        tracekit.trace(42)
    with pytest.raises(TypeError, match="str 'hello'"):
        tracekit.trace(name="x")("hello")


def test_a_failure_inside_tracekit_is_logged_once_and_the_call_still_returns(exported, monkeypatch, caplog,
                                                                             internal_errors_swallowed):
    from tracekit.tracing.live_span import LiveSpan

    def broken(self, value):
        raise RuntimeError("tracekit bug")

    monkeypatch.setattr(LiveSpan, "set_outputs", broken)

    @tracekit.trace
    def work(x):
        return x + 1

    with caplog.at_level(logging.DEBUG, logger="tracekit"):
        assert work(1) == 2
        assert work(2) == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "tracekit bug" in str(r.exc_info)]
    assert len(warnings) == 1


def test_inputs_and_outputs_that_json_cannot_take_never_raise(exported):
    import dataclasses
    import datetime

    @dataclasses.dataclass
    class Point:
        x: int

    class Opaque:
        def __repr__(self):
            return "<opaque>"

    @tracekit.trace
    def weird(a, b, c, d, e):
        return {1, 2}

    weird(Point(1), datetime.date(2024, 1, 2), b"\xff\x00", Opaque(), lambda: 1)
    span = only_trace(exported).data.spans[0]
    assert span.inputs["a"] == {"x": 1}
    assert span.inputs["b"] == "2024-01-02"
    assert span.inputs["c"].startswith("base64:")
    assert span.inputs["d"] == "<opaque>"
    assert sorted(span.outputs) == [1, 2]


def test_disabled_tracing_records_nothing_and_enable_resumes(exported):
    @tracekit.trace
    def f(x):
        return x

    tracekit.tracing.disable()
    assert f(1) == 1
    with tracekit.start_span("ignored") as span:
        span.set_inputs({"a": 1})
    assert exported() == []
    tracekit.tracing.enable()
    f(2)
    assert len(exported()) == 1
