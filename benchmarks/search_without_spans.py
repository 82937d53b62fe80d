"""Memory and time of `search_traces(include_spans=False)` over every trace of an experiment, beside the same search
with spans (the baseline: what a search cost before the option, and still costs by default).

    python benchmarks/search_without_spans.py [--traces 100000] [--db PATH]

A SQLite file is filled with N traces written straight to the store (no tracing): three spans each (a CHAIN root,
a RETRIEVER and a CHAT_MODEL with token usage, about 1.5 KB of inputs and outputs per trace), two tags and the token
usage metadata. Each search then runs in a fresh process (so its peak RSS is its own): `max_results=None`, as a list
of `Trace` and as a DataFrame. Printed: seconds, peak RSS in MB, and the ratio to the search with spans.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

BATCH = 2_000
BASE_MS = 1_700_000_000_000


def build(number: int):
    from tracekit import serialization
    from tracekit.constants import SpanAttributeKey
    from tracekit.entities import Span, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo
    from tracekit.entities.token_usage import record_token_usage

    trace_id = f"tr-{number:032x}"
    start = (BASE_MS + number) * 1_000_000
    text = f"question {number} " + "lorem ipsum " * 40

    def span(index: int, parent: str | None, name: str, span_type: str, extra: dict) -> Span:
        attributes = {SpanAttributeKey.SPAN_TYPE: serialization.dumps(span_type),
                      SpanAttributeKey.INPUTS: serialization.dumps({"text": text}),
                      SpanAttributeKey.OUTPUTS: serialization.dumps({"text": text[::-1]}),
                      **{key: serialization.dumps(value) for key, value in extra.items()}}
        return Span(trace_id=trace_id, span_id=f"{number:08x}{index:08x}", parent_id=parent, name=name,
                    start_time_ns=start + index * 1000, end_time_ns=start + 5_000_000 - index * 1000,
                    status=SpanStatus(SpanStatusCode.OK), raw_attributes=attributes, events=[])

    root_id = f"{number:08x}{1:08x}"
    spans = [span(3, root_id, "retrieve", "RETRIEVER", {}),
             span(2, root_id, "chat", "CHAT_MODEL",
                  {SpanAttributeKey.CHAT_TOKEN_USAGE: {"input_tokens": 40, "output_tokens": 12}}),
             span(1, None, "answer", "CHAIN", {})]
    info = TraceInfo.from_root_span(trace_id, spans[-1], experiment_id="0",
                                    tags={"user": f"u{number % 100}", "env": "prod"})
    record_token_usage(info.trace_metadata, spans)
    return Trace(info=info, data=TraceData(spans=spans))


def fill(uri: str, count: int) -> float:
    from tracekit.store.sql.traces import SqlTraceStore

    store = SqlTraceStore(uri)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        store.write_traces([build(number) for number in range(first + 1, min(first + BATCH, count) + 1)])
    store.close()
    return time.perf_counter() - started


SEARCH = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from _measure import peak_rss_mb
import tracekit
tracekit.set_tracking_uri({uri!r})
tracekit.count_traces(["0"])  # opens the store (its schema check is the same for both searches)
started = time.perf_counter()
result = tracekit.search_traces(experiment_ids=["0"], max_results=None, include_spans={spans},
                                return_type={return_type!r})
elapsed = time.perf_counter() - started
assert len(result) == {count}, len(result)
print(elapsed, peak_rss_mb())
"""


def search_in_fresh_process(uri: str, count: int, spans: bool, return_type: str) -> tuple[float, float]:
    code = SEARCH.format(benchmarks=os.path.dirname(os.path.abspath(__file__)), uri=uri, spans=spans,
                         return_type=return_type, count=count)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss = done.stdout.split()
    return float(seconds), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--db", help="SQLite file: filled if missing, else searched as it is (default: a new "
                        "temporary one)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="tracekit-bench-")
    path = args.db or os.path.join(folder, "search.db")
    uri = f"sqlite:///{path}"
    if os.path.exists(path):
        print(f"reusing {path} as it is")
    else:
        print(f"filling {args.traces:,} traces into {path} ... ", end="", flush=True)
        print(f"{fill(uri, args.traces):.1f} s, {os.path.getsize(path) / 1e6:.0f} MB on disk")

    print(f"\nsearch_traces(max_results=None) over {args.traces:,} traces, each in a fresh process:")
    print(f"{'result':<10} {'spans':<6} {'seconds':>8} {'peak RSS MB':>12} {'time ratio':>11} {'RSS ratio':>10}")
    for return_type in ("list", "pandas"):
        base_seconds, base_rss = search_in_fresh_process(uri, args.traces, True, return_type)
        seconds, rss = search_in_fresh_process(uri, args.traces, False, return_type)
        print(f"{return_type:<10} {'yes':<6} {base_seconds:>8.2f} {base_rss:>12.0f} {'1.00':>11} {'1.00':>10}")
        print(f"{return_type:<10} {'no':<6} {seconds:>8.2f} {rss:>12.0f} {seconds / base_seconds:>11.2f} "
              f"{rss / base_rss:>10.2f}")


if __name__ == "__main__":
    main()
