"""What the traces table's LLM columns cost: the table's first page over traces stored with the model and cost
metadata beside the same traces stored as before (token usage only), the per-run and per-experiment usage sums
and the sessions list (one SQL aggregate each) beside a loop over the traces, and the work added when a trace
completes.

    python benchmarks/llm_columns.py [--traces 100000] [--repeats 15]

A SQLite file gets two experiments of `--traces` traces each, written straight to the store (no tracing), three
spans per trace (a CHAIN root, a RETRIEVER, a CHAT_MODEL calling gpt-4o-mini with token usage), ten runs, and a
session id on every trace (five traces per session). Experiment "before" holds the metadata main wrote
(token usage); experiment "after" also holds the model name and cost. Printed: medians and 95th percentiles in ms,
ratios to the baseline measured in the same run, and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _measure import peak_rss_mb  # noqa: E402

from tracekit import serialization  # noqa: E402
from tracekit.constants import SpanAttributeKey, TraceMetadataKey  # noqa: E402
from tracekit.entities import Span, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo  # noqa: E402
from tracekit.entities.token_usage import record_token_usage, trace_token_usage  # noqa: E402

BATCH = 2_000
BASE_MS = 1_700_000_000_000
RUNS = 10
PAGE = 50
NEW_KEYS = (TraceMetadataKey.MODEL_NAME, TraceMetadataKey.COST)


def build(number: int, experiment_id: str, with_summary: bool) -> Trace:
    trace_id = f"tr-{number:032x}"
    start = (BASE_MS + number) * 1_000_000

    def span(index: int, parent: str | None, name: str, span_type: str, extra: dict) -> Span:
        attributes = {SpanAttributeKey.SPAN_TYPE: serialization.dumps(span_type),
                      SpanAttributeKey.INPUTS: serialization.dumps({"question": f"q{number}"}),
                      **{key: serialization.dumps(value) for key, value in extra.items()}}
        return Span(trace_id=trace_id, span_id=f"{number:08x}{index:08x}", parent_id=parent, name=name,
                    start_time_ns=start + index * 1000, end_time_ns=start + 5_000_000 - index * 1000,
                    status=SpanStatus(SpanStatusCode.OK), raw_attributes=attributes, events=[])

    root_id = f"{number:08x}{1:08x}"
    spans = [span(3, root_id, "retrieve", "RETRIEVER", {}),
             span(2, root_id, "chat", "CHAT_MODEL", {
                 SpanAttributeKey.CHAT_TOKEN_USAGE: {"input_tokens": 40 + number % 7, "output_tokens": 12},
                 "gen_ai.request.model": "gpt-4o-mini"}),
             span(1, None, "answer", "CHAIN", {})]
    info = TraceInfo.from_root_span(trace_id, spans[-1], experiment_id=experiment_id, tags={"env": "prod"})
    info.trace_metadata[TraceMetadataKey.SOURCE_RUN] = f"{number % RUNS:032x}"
    info.trace_metadata[TraceMetadataKey.SESSION] = f"session-{number // 5}"
    record_token_usage(info.trace_metadata, spans)
    if not with_summary:
        for key in NEW_KEYS:
            info.trace_metadata.pop(key, None)
    return Trace(info=info, data=TraceData(spans=spans))


def fill(store, traces: int) -> tuple[str, str]:
    from tracekit.store.sql.tracking import SqlTrackingStore

    tracking = SqlTrackingStore(store.database)
    before, after = tracking.create_experiment("before"), tracking.create_experiment("after")
    for experiment_id, with_summary, offset in ((before, False, 0), (after, True, traces)):
        for first in range(0, traces, BATCH):
            store.write_traces([build(offset + number, experiment_id, with_summary)
                                for number in range(first + 1, min(first + BATCH, traces) + 1)])
    return before, after


def measure(func: Callable[[], object], repeats: int) -> tuple[float, float]:
    func()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def measure_pair(first: Callable[[], object], second: Callable[[], object],
                 repeats: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Both functions timed in alternation (so a cache warming or a busy neighbour weighs on both alike)."""
    first(), second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for func, into in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            func()
            into.append((time.perf_counter() - started) * 1000)
    return tuple((statistics.median(values), sorted(values)[int(0.95 * (len(values) - 1))])  # type: ignore[return-value]
                 for values in samples)


def row(label: str, measured: tuple[float, float], baseline: tuple[float, float] | None = None) -> None:
    ratio = f"{measured[0] / baseline[0]:>8.2f}" if baseline else f"{'':>8}"
    print(f"  {label:<62} {measured[0]:>10.3f} {measured[1]:>10.3f} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.trace_summaries import usage_from_traces

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite")
    with tempfile.TemporaryDirectory() as folder:
        store = SqlTraceStore(f"sqlite:///{os.path.join(folder, 'llm.db')}")
        started = time.perf_counter()
        before, after = fill(store, args.traces)
        print(f"seeded 2 × {args.traces:,} traces in {time.perf_counter() - started:.1f} s")

        def first_page(experiment_id: str) -> Callable[[], object]:
            def call() -> object:
                page = store.search_traces([experiment_id], max_results=PAGE, order_by=["timestamp_ms DESC"],
                                           include_spans=False)
                assert len(page) == PAGE
                names = store.root_span_names([trace.info.trace_id for trace in page])
                return serialization.dumps({"traces": [trace.to_dict() for trace in page], "names": names})
            return call

        print(f"\ntraces table, first page of {PAGE} (search without spans, names, JSON), ms"
              f"{'':<4} {'median':>10} {'p95':>10} {'ratio':>8}")
        page_before, page_after = measure_pair(first_page(before), first_page(after), args.repeats * 2)
        row("stored as before: token usage only (baseline)", page_before)
        row("stored now: token usage, model name and cost", page_after, page_before)

        run = f"{3:032x}"
        loop = lambda **scope: usage_from_traces(TraceStore._all_infos(store, [after], **scope))  # noqa: E731
        print(f"\nLLM usage sums, ms{'':<48} {'median':>10} {'p95':>10} {'ratio':>8}")
        run_loop = measure(lambda: loop(run_id=run), max(3, args.repeats // 5))
        run_sql = measure(lambda: store.llm_usage([after], run_id=run), args.repeats)
        row(f"one run's {args.traces // RUNS:,} traces, loop over pages of traces (baseline)", run_loop)
        row("one run's traces, SQL aggregate", run_sql, run_loop)
        all_loop = measure(lambda: loop(), max(3, args.repeats // 5))
        all_sql = measure(lambda: store.llm_usage([after]), args.repeats)
        row(f"the experiment's {args.traces:,} traces, loop (baseline)", all_loop)
        row(f"the experiment's {args.traces:,} traces, SQL aggregate", all_sql, all_loop)
        sessions = measure(lambda: store.search_sessions([after], max_results=50), args.repeats)
        row(f"sessions list, first 50 of {args.traces // 5:,} (SQL aggregate)", sessions, page_after)
        store.close()

    sample = build(1, "0", True)
    usage_only = measure(lambda: trace_token_usage(sample.data.spans), args.repeats * 100)
    recorded = measure(lambda: record_token_usage({}, sample.data.spans), args.repeats * 100)
    print(f"\nwhen a trace completes, ms{'':<40} {'median':>10} {'p95':>10} {'ratio':>8}")
    row("token usage summed (what main records; baseline)", usage_only)
    row("token usage, model name and cost recorded", recorded, usage_only)
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
