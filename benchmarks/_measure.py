"""Timing and memory helpers the benchmark scripts share."""

from __future__ import annotations

import functools
import inspect
import json
import resource
import statistics
import time
from collections.abc import Callable, Sequence


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


def best_per_call_and_cpu_taking_turns(
        sides: Sequence[tuple[Callable[[int], object], Callable[[], object]]], calls: int, repeats: int
) -> list[tuple[float, float]]:
    """For each `(func, after)` side: the best of `repeats` runs of `calls` calls (each run ending with `after()`, a
    flush say), in µs per call, of wall time and of the whole process's CPU time (every thread: background exporters
    included; on a shared machine CPU time moves far less with other people's load than wall time does). The sides
    take turns within each round (which goes first alternates), so that the ratio between them is measured in the
    same minutes: the host's speed drifts more between two blocks of repeats than within one round."""
    wall: list[list[float]] = [[] for _ in sides]
    cpu: list[list[float]] = [[] for _ in sides]
    order = list(range(len(sides)))
    for repeat in range(repeats):
        for side in order if repeat % 2 == 0 else order[::-1]:
            func, after = sides[side]
            start, start_cpu = time.perf_counter(), time.process_time()
            for i in range(calls):
                func(i)
            after()
            wall[side].append((time.perf_counter() - start) / calls)
            cpu[side].append((time.process_time() - start_cpu) / calls)
    return [(min(side_wall) * 1e6, min(side_cpu) * 1e6) for side_wall, side_cpu in zip(wall, cpu, strict=True)]


def median_ms(func: Callable[[], object], repeats: int = 5) -> float:
    """Median of `repeats` timed calls of `func`, in ms."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def _cpu_jiffies() -> tuple[int, int] | None:
    """(steal, total) clock ticks of every CPU since boot, from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


class StealMeter:
    """The share of the machine's CPU time a hypervisor gave other guests ("steal") since this meter was made. On a
    shared virtual machine it is what moves wall and even CPU figures between runs of the same code; a run with a few
    percent of it is not a quiet one."""

    def __init__(self) -> None:
        self._start = _cpu_jiffies()

    def percent(self) -> float | None:
        """Steal since the meter was made, in percent of all CPU time; None where /proc/stat is missing."""
        end = _cpu_jiffies()
        if self._start is None or end is None or end[1] == self._start[1]:
            return None
        return 100 * (end[0] - self._start[0]) / (end[1] - self._start[1])

    def describe(self) -> str:
        """"CPU steal 3.2%" (or "CPU steal unknown"), for a benchmark's last line."""
        share = self.percent()
        return "CPU steal unknown" if share is None else f"CPU steal {share:.1f}%"


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
