"""Per-call overhead of tracing, beside a plain call and the raw OpenTelemetry SDK, measured in one run; and 1-span
traces persisted end to end into SQLite in the same process.

    python benchmarks/overhead.py [--calls 20000] [--repeats 5] [--end-to-end 20000]

Shapes: one span per trace; ten spans per trace (a root and nine children); a root span whose input and output
are a 1,000-key dict. The raw OpenTelemetry baseline uses a BatchSpanProcessor into an exporter that discards,
with inputs and outputs set as JSON string attributes (json.dumps), which is what a hand-rolled tracer does.
tracekit exports into an exporter that discards too, so both sides pay for span creation, payload encoding and
hand-off to a background thread, and neither for storage. Figures are the best of `--repeats` runs, in µs, of
wall time and of the process's CPU time (all threads, so each side's background export is included); the two sides
take turns, run by run, so their ratio is measured in the same minutes. On a shared, busy machine the CPU ratio is the
one to read; the last line gives the CPU steal during the run (time the hypervisor gave other guests).

End to end: `--end-to-end` 1-span traced calls into a new SQLite file (the store exporter, in the background,
in this process), timed from the first call until `flush_trace_async_logging()` returns: traces stored per second
(counted in the store), and the caller's own µs per call while the export runs beside it, against the same loop
into the discarding exporter (so the ratio is what sharing the process with the SQLite writer costs the caller).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import (  # noqa: E402
    StealMeter,
    best_per_call,
    best_per_call_and_cpu_taking_turns,
    otel_decorator,
    peak_rss_mb,
)

import tracekit  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402


class DiscardSpans(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS

    def shutdown(self):
        pass


class DiscardTraces(TraceExporter):
    def __init__(self) -> None:
        self.count = 0

    def export(self, traces) -> None:
        self.count += len(traces)


otel_provider = TracerProvider()
otel_provider.add_span_processor(BatchSpanProcessor(DiscardSpans()))
otel_tracer = otel_provider.get_tracer("benchmark")


otel_trace = otel_decorator(otel_tracer)


def make_shapes(decorate: Callable[[Callable], Callable]) -> dict[str, Callable[[int], object]]:
    @decorate
    def leaf(x):
        return x + 1

    @decorate
    def one_span(x):
        return x + 1

    @decorate
    def ten_spans(x):
        total = 0
        for i in range(9):
            total += leaf(i)
        return total

    @decorate
    def big_dict(payload):
        return payload

    payload = {f"key_{i}": {"value": i, "text": f"item {i}"} for i in range(1000)}
    return {
        "1 span/trace": one_span,
        "10 spans/trace": ten_spans,
        "1,000-key dict": lambda x: big_dict(payload),
    }


SPANS_PER_CALL = {"1 span/trace": 1, "10 spans/trace": 10, "1,000-key dict": 1}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--end-to-end", type=int, default=20_000, help="traces for the SQLite run (0: skip it)")
    args = parser.parse_args(argv)
    steal = StealMeter()

    sink = DiscardTraces()
    tracekit.tracing.set_exporter(sink)
    plain = make_shapes(lambda f: f)
    raw_otel = make_shapes(otel_trace)
    traced = make_shapes(tracekit.trace)

    def flush_otel() -> None:
        otel_provider.force_flush()

    def flush_tracekit() -> None:
        tracekit.flush_trace_async_logging()

    print(f"python {sys.version.split()[0]}, {args.calls} calls x best of {args.repeats}; µs per call "
          f"(per span in brackets)\n")
    print(f"{'shape':<16} {'plain':>8} {'raw OTel':>16} {'tracekit':>16} {'tracekit/OTel':>14} "
          f"{'CPU: raw OTel':>14} {'tracekit':>9} {'tracekit/OTel':>14}")
    for shape in plain:
        calls = args.calls if shape != "1,000-key dict" else max(args.calls // 10, 200)
        spans = SPANS_PER_CALL[shape]
        plain_us = best_per_call(plain[shape], calls, args.repeats, lambda: None)
        (otel_us, otel_cpu), (tracekit_us, tracekit_cpu) = best_per_call_and_cpu_taking_turns(
            [(raw_otel[shape], flush_otel), (traced[shape], flush_tracekit)], calls, args.repeats)
        print(f"{shape:<16} {plain_us:>8.2f} {otel_us:>8.2f} ({otel_us / spans:>5.1f}) "
              f"{tracekit_us:>8.2f} ({tracekit_us / spans:>5.1f}) {tracekit_us / otel_us:>13.2f}x "
              f"{otel_cpu:>14.2f} {tracekit_cpu:>9.2f} {tracekit_cpu / otel_cpu:>13.2f}x")

    tracekit.tracing.disable()
    disabled_shapes = make_shapes(tracekit.trace)
    plain_us = best_per_call(plain["1 span/trace"], args.calls * 5, args.repeats, lambda: None)
    disabled_us = best_per_call(disabled_shapes["1 span/trace"], args.calls * 5, args.repeats, lambda: None)
    tracekit.tracing.enable()
    print(f"\ndisabled tracing: {disabled_us:.3f} µs per call vs plain {plain_us:.3f} µs "
          f"(+{disabled_us - plain_us:.3f} µs)")
    stats = tracekit.tracing.stats()
    print(f"traces exported: {sink.count}, spilled: {stats.spilled}, dropped: {stats.dropped}")
    if args.end_to_end:
        end_to_end(traced["1 span/trace"], args.end_to_end, args.repeats)
    print(f"peak RSS: {peak_rss_mb():.1f} MB, {steal.describe()}")


def _timed_loop(func: Callable[[int], object], calls: int) -> tuple[float, float, float]:
    """(caller seconds, seconds until every trace was handed to the exporter, CPU seconds of the whole process) for
    `calls` calls."""
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(calls):
        func(i)
    looped = time.perf_counter()
    tracekit.flush_trace_async_logging()
    return looped - start, time.perf_counter() - start, time.process_time() - cpu


def end_to_end(one_span: Callable[[int], object], calls: int, repeats: int) -> None:
    """1-span traces into a new SQLite store, beside the same loop into the discarding exporter."""
    from tracekit.store.backend import get_backend

    with tempfile.TemporaryDirectory(prefix="tracekit-bench-e2e-") as folder:
        uri = f"sqlite:///{folder}/bench.db"
        tracekit.set_tracking_uri(uri)
        store = get_backend(uri).traces
        tracekit.tracing.set_exporter(None)
        one_span(0)
        tracekit.flush_trace_async_logging()  # open and migrate the database outside the timing
        before = tracekit.tracing.stats()
        stored_before = store.count_traces([])
        sqlite_runs = []
        for _ in range(repeats):
            sqlite_runs.append(_timed_loop(one_span, calls))
        stored = store.count_traces([]) - stored_before
        after = tracekit.tracing.stats()
        tracekit.tracing.set_exporter(DiscardTraces())
        discard_runs = [_timed_loop(one_span, calls) for _ in range(repeats)]
    # medians: the SQLite writer's pace varies with the machine's load more than the caller's does
    sqlite_caller, sqlite_total, sqlite_cpu = (statistics.median(values) for values in zip(*sqlite_runs, strict=True))
    discard_caller, discard_total, discard_cpu = (statistics.median(values)
                                                  for values in zip(*discard_runs, strict=True))
    print(f"\nend to end, 1 span/trace, {calls} calls x {repeats} (median; CPU: all threads of this process, so "
          f"traces per CPU second is the rate with a core to itself):")
    print(f"{'':<24} {'traces/s':>10} {'caller µs/call':>15} {'CPU µs/trace':>13} {'traces/CPU s':>13}")
    for label, caller, total, cpu in (("discarding exporter", discard_caller, discard_total, discard_cpu),
                                      ("SQLite store", sqlite_caller, sqlite_total, sqlite_cpu)):
        print(f"{label:<24} {calls / total:>10,.0f} {caller / calls * 1e6:>15.2f} {cpu / calls * 1e6:>13.1f} "
              f"{calls / cpu:>13,.0f}")
    print(f"caller cost with SQLite / discarding: {sqlite_caller / discard_caller:.2f}x; stored {stored} of "
          f"{calls * repeats} traces (spilled {after.spilled - before.spilled}, dropped "
          f"{after.dropped - before.dropped})")


if __name__ == "__main__":
    main()
