"""Per-call overhead of tracing, beside a plain call and the raw OpenTelemetry SDK, measured in one run.

    python benchmarks/overhead.py [--calls 20000] [--repeats 5]

Shapes: one span per trace; ten spans per trace (a root and nine children); a root span whose input and output
are a 1,000-key dict. The raw OpenTelemetry baseline uses a BatchSpanProcessor into an exporter that discards,
with inputs and outputs set as JSON string attributes (json.dumps), which is what a hand-rolled tracer does.
tracekit exports into an exporter that discards too, so both sides pay for span creation, payload encoding and
hand-off to a background thread, and neither for storage. Figures are the best of `--repeats` runs, in µs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, otel_decorator, peak_rss_mb  # noqa: E402

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
    args = parser.parse_args(argv)

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
    print(f"{'shape':<16} {'plain':>8} {'raw OTel':>16} {'tracekit':>16} {'tracekit/OTel':>14}")
    for shape in plain:
        calls = args.calls if shape != "1,000-key dict" else max(args.calls // 10, 200)
        spans = SPANS_PER_CALL[shape]
        plain_us = best_per_call(plain[shape], calls, args.repeats, lambda: None)
        otel_us = best_per_call(raw_otel[shape], calls, args.repeats, flush_otel)
        tracekit_us = best_per_call(traced[shape], calls, args.repeats, flush_tracekit)
        print(f"{shape:<16} {plain_us:>8.2f} {otel_us:>8.2f} ({otel_us / spans:>5.1f}) "
              f"{tracekit_us:>8.2f} ({tracekit_us / spans:>5.1f}) {tracekit_us / otel_us:>13.2f}x")

    tracekit.tracing.disable()
    disabled_shapes = make_shapes(tracekit.trace)
    plain_us = best_per_call(plain["1 span/trace"], args.calls * 5, args.repeats, lambda: None)
    disabled_us = best_per_call(disabled_shapes["1 span/trace"], args.calls * 5, args.repeats, lambda: None)
    tracekit.tracing.enable()
    print(f"\ndisabled tracing: {disabled_us:.3f} µs per call vs plain {plain_us:.3f} µs "
          f"(+{disabled_us - plain_us:.3f} µs)")
    stats = tracekit.tracing.stats()
    print(f"traces exported: {sink.count}, spilled: {stats.spilled}, dropped: {stats.dropped}")
    print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
