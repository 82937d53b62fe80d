"""Trace ids start with the time of the trace's start, in milliseconds, then random bits: later traces sort after
earlier ones (stores append to their indexes), ids stay unique, and the random low half still drives sampling."""

from __future__ import annotations

import time

import tracekit


@tracekit.trace
def step(i: int) -> int:
    return i


def _millis_of(trace_id: str) -> int:
    return int(trace_id.removeprefix("tr-")[:12], 16)


def test_trace_ids_begin_with_the_start_time_and_sort_by_it(exported):
    before = time.time_ns() // 1_000_000
    for i in range(500):
        step(i)
        if i % 100 == 0:
            time.sleep(0.002)  # a few distinct milliseconds in the run
    after = time.time_ns() // 1_000_000
    traces = exported()
    ids = [trace.info.trace_id for trace in sorted(traces, key=lambda trace: trace.info.request_time)]
    assert len(set(ids)) == 500
    assert all(before <= _millis_of(trace_id) <= after for trace_id in ids)
    for trace in traces:  # the prefix is taken just before the root span starts
        assert 0 <= trace.info.request_time - _millis_of(trace.info.trace_id) < 1000
    prefixes = [_millis_of(trace_id) for trace_id in ids]
    assert prefixes == sorted(prefixes)
    assert len(set(prefixes)) >= 5


def test_ids_within_one_millisecond_differ_in_their_random_part(exported):
    for i in range(200):
        step(i)
    ids = [trace.info.trace_id for trace in exported()]
    assert len(set(ids)) == 200
    # the low 64 bits, which OpenTelemetry's ratio sampler reads, are random: spread over the whole range
    low_halves = [int(trace_id[-16:], 16) for trace_id in ids]
    assert min(low_halves) < 2**62 and max(low_halves) > 3 * 2**62
