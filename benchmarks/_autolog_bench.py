"""The harness of the autolog overhead benchmarks: the fake LLM server in its own process, an exporter that discards
traces, and each case's calls timed with its integration off and on, alternating in rounds so drift in the server
or the machine hits both. Each figure is the median over rounds of the mean per call, in µs, as wall time and as
this process's CPU time (all its threads, so the trace export thread is counted; the server is another process).
On a loaded machine the wall figures swing between rounds as other processes take the cores; the CPU figures are
the steadier measure of what autolog adds.

A script lists its cases (`Case(name, call, integration)`) in a function given the server's OpenAI-style base URL,
and calls `main(cases, default_calls)`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, ROOT)

from _measure import peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Summarise tracing."}]


class Case(NamedTuple):
    """One row: a call, and the integration module (with `autolog(disable=...)`) that traces it."""

    name: str
    call: Callable[[], object]
    integration: Any


class DiscardTraces(TraceExporter):
    """Counts the traces and keeps none: the cost measured is recording and hand-off, not storage."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, traces) -> None:
        self.count += len(traces)


def per_call_us(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """(wall, process CPU) µs per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call()
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


def compare(case: Case, calls: int, rounds: int) -> str:
    """The case's row: wall and CPU µs per call off and on, added, ratio."""
    integration = case.integration
    integration.autolog(disable=True)
    per_call_us(case.call, max(10, calls // 10))  # warm up connections and caches
    off, on = [], []
    for _ in range(rounds):
        integration.autolog(disable=True)
        off.append(per_call_us(case.call, calls))
        integration.autolog()
        on.append(per_call_us(case.call, calls))
        tracekit.flush_trace_async_logging()
    integration.autolog(disable=True)
    figures = []
    for column in (0, 1):
        base = statistics.median(sample[column] for sample in off)
        traced = statistics.median(sample[column] for sample in on)
        figures.append(f"{base:>9.0f} {traced:>9.0f} {traced - base:>+8.0f} {traced / base:>6.2f}")
    return f"{case.name:<28} {'  '.join(figures)}"


@contextmanager
def fake_llm_server() -> Iterator[str]:
    """The fake LLM server (tests/integrations/fake_llm_server.py) in another process: its OpenAI base URL."""
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "integrations", "fake_llm_server.py")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        yield server.stdout.readline().split()[4]  # "fake LLM server on http://127.0.0.1:PORT/v1 ..."
    finally:
        server.terminate()
        server.wait()


def main(cases: Callable[[str], list[Case]], description: str, default_calls: int) -> None:
    """Parse `--calls` / `--rounds`, then time every case of `cases(openai_url)` and print the table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--calls", type=int, default=default_calls)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    exporter = DiscardTraces()
    tracekit.tracing.set_exporter(exporter)
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    with fake_llm_server() as openai_url:
        print(f"{'µs per call':<28} {'wall off':>9} {'on':>9} {'added':>8} {'ratio':>6}  "
              f"{'CPU off':>9} {'on':>9} {'added':>8} {'ratio':>6}")
        for case in cases(openai_url):
            print(compare(case, args.calls, args.rounds), flush=True)
    tracekit.flush_trace_async_logging()
    print(f"traces exported: {exporter.count}; peak RSS: {peak_rss_mb():.0f} MB; "
          f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
