"""Scanning every trace of a large store with `TracekitClient.iter_traces` (one page in memory at a time), beside
`search_traces(max_results=None)` (everything in memory at once): peak RSS must not grow with the number of traces.

    python benchmarks/scan_traces.py [--traces 100000] [--db PATH]

A SQLite file is filled with N three-span traces written straight to the store (see search_without_spans.py). Each
scan runs in a fresh process so its peak RSS is its own: the first N/10 traces and all N with `iter_traces`
(page_size 1000, spans included), then the same two counts as one `search_traces` list. Printed: seconds, traces/s,
peak RSS in MB, and the RSS ratio of N to N/10 (1.0 means flat).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from search_without_spans import BASE_MS, fill  # noqa: E402

SCAN = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from _measure import peak_rss_mb
import tracekit
client = tracekit.TracekitClient({uri!r})
client.count_traces(["0"])  # opens the store
flt = "timestamp_ms <= {last_ms}"
started = time.perf_counter()
if {iterate}:
    seen = sum(1 for _ in client.iter_traces(["0"], filter_string=flt, page_size=1000))
else:
    seen = len(tracekit.search_traces(["0"], filter_string=flt, max_results=None, return_type="list"))
elapsed = time.perf_counter() - started
assert seen == {count}, seen
print(elapsed, peak_rss_mb())
"""


def scan(uri: str, count: int, iterate: bool) -> tuple[float, float]:
    code = SCAN.format(benchmarks=os.path.dirname(os.path.abspath(__file__)), uri=uri, count=count,
                       last_ms=BASE_MS + count, iterate=iterate)
    env = dict(os.environ, TRACEKIT_TRACKING_URI=uri)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    seconds, rss = done.stdout.split()
    return float(seconds), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--db", help="SQLite file: filled if missing, else scanned as it is")
    args = parser.parse_args()
    path = args.db or os.path.join(tempfile.mkdtemp(prefix="tracekit-bench-"), "scan.db")
    uri = f"sqlite:///{path}"
    if not os.path.exists(path):
        print(f"filling {args.traces:,} traces ... ", end="", flush=True)
        print(f"{fill(uri, args.traces):.1f} s")
    small = args.traces // 10
    print(f"\n{'how':<34} {'traces':>9} {'seconds':>8} {'traces/s':>9} {'peak RSS MB':>12} {'RSS ratio':>10}")
    for name, iterate in (("iter_traces (page_size 1000)", True), ("search_traces(max_results=None)", False)):
        base_seconds, base_rss = scan(uri, small, iterate)
        seconds, rss = scan(uri, args.traces, iterate)
        print(f"{name:<34} {small:>9,} {base_seconds:>8.2f} {small / base_seconds:>9.0f} {base_rss:>12.0f} "
              f"{'1.00':>10}")
        print(f"{name:<34} {args.traces:>9,} {seconds:>8.2f} {args.traces / seconds:>9.0f} {rss:>12.0f} "
              f"{rss / base_rss:>10.2f}")


if __name__ == "__main__":
    main()
