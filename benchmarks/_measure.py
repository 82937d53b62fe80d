"""Timing and memory helpers the benchmark scripts share."""

from __future__ import annotations

import functools
import inspect
import json
import resource
import statistics
import time
from collections.abc import Callable


def best_per_call(func: Callable[[int], object], calls: int, repeats: int, after: Callable[[], object]) -> float:
    """Best of `repeats` runs of `calls` calls (each run ending with `after()`, a flush say), in µs per call."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(calls):
            func(i)
        after()
        timings.append((time.perf_counter() - start) / calls)
    return min(timings) * 1e6


def best_per_call_and_cpu(func: Callable[[int], object], calls: int, repeats: int,
                          after: Callable[[], object]) -> tuple[float, float]:
    """Like `best_per_call`, also returning the best CPU time of the whole process (every thread: background
    exporters included) per call, in µs. On a shared machine CPU time moves far less with other people's load than
    wall time does."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(calls):
            func(i)
        after()
        wall.append((time.perf_counter() - start) / calls)
        cpu.append((time.process_time() - start_cpu) / calls)
    return min(wall) * 1e6, min(cpu) * 1e6


def median_ms(func: Callable[[], object], repeats: int = 5) -> float:
    """Median of `repeats` timed calls of `func`, in ms."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def otel_decorator(tracer, same_keys: bool = False) -> Callable[[Callable], Callable]:
    """The raw-SDK equivalent of @tracekit.trace: a span, inputs and outputs as JSON attributes; with `same_keys`,
    the same attributes tracekit exports (its own keys plus the OpenInference ones), so payloads match."""

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with tracer.start_as_current_span(func.__name__) as span:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                inputs = json.dumps(bound.arguments, default=str)
                span.set_attribute("inputs", inputs)
                result = func(*args, **kwargs)
                outputs = json.dumps(result, default=str)
                span.set_attribute("outputs", outputs)
                if same_keys:
                    span.set_attributes({"tracekit.spanType": '"UNKNOWN"', "openinference.span.kind": "UNKNOWN",
                                         "input.value": inputs, "input.mime_type": "application/json",
                                         "output.value": outputs, "output.mime_type": "application/json"})
                return result

        return wrapper

    return decorate
