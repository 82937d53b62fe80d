"""Trace retention (`tracekit gc --older-than`, the server's `--trace-retention-days`): how fast old traces go,
and how long a writer waits meanwhile, beside the baseline of deleting the same traces in one transaction.

    python benchmarks/retention.py [--traces 100000]

A SQLite file is filled with N three-span traces written straight to the store (see search_without_spans.py), and
copied. Half of them (the older half) are deleted from each copy while a writer thread stores one new trace every
10 ms: once with one `delete_traces` call (the baseline: one transaction), once with gc's batched deletion
(`delete_traces_older_than`, batches sized to hold the writer about 100 ms, a 30 ms pause after each). Printed:
seconds, traces deleted per second, the longest delete transaction, the writer's p50/p99/max latency, the ratio to
the baseline, and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _measure import peak_rss_mb  # noqa: E402
from search_without_spans import BASE_MS, build, fill  # noqa: E402


class Writer(threading.Thread):
    """Stores one new trace every `interval` seconds into its own store on `uri`, timing each write."""

    def __init__(self, uri: str, first_number: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        from tracekit.store.sql.traces import SqlTraceStore

        self.store = SqlTraceStore(uri)
        self.number = first_number
        self.interval = interval
        self.latencies_ms: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.number += 1
            trace = build(self.number)
            started = time.perf_counter()
            self.store.write_traces([trace])
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.stopping.wait(self.interval)

    def finish(self) -> list[float]:
        self.stopping.set()
        self.join()
        self.store.close()
        return sorted(self.latencies_ms)


def measure(uri: str, count: int, delete) -> dict:
    writer = Writer(uri, first_number=count * 10)
    writer.start()
    time.sleep(0.2)
    started = time.perf_counter()
    deleted, longest = delete()
    seconds = time.perf_counter() - started
    latencies = writer.finish()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {"deleted": deleted, "seconds": seconds, "longest": longest,
            "p50": statistics.median(latencies), "p99": p99, "max": latencies[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    args = parser.parse_args()
    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.tracking.garbage_collection import delete_traces_older_than

    folder = tempfile.mkdtemp(prefix="tracekit-bench-")
    batched_path, single_path = os.path.join(folder, "batched.db"), os.path.join(folder, "single.db")
    print(f"filling {args.traces:,} traces ... ", end="", flush=True)
    print(f"{fill(f'sqlite:///{batched_path}', args.traces):.1f} s")
    shutil.copyfile(batched_path, single_path)
    cutoff = BASE_MS + args.traces // 2

    def single() -> tuple[int, float]:
        store = SqlTraceStore(f"sqlite:///{single_path}")
        started = time.perf_counter()
        deleted = store.delete_traces("0", max_timestamp_millis=cutoff)
        store.close()
        return deleted, (time.perf_counter() - started) * 1000

    def batched() -> tuple[int, float]:
        store = SqlTraceStore(f"sqlite:///{batched_path}")
        holds: list[float] = []
        deleted = delete_traces_older_than(store, cutoff, ["0"], on_batch=lambda _n, ms: holds.append(ms))
        store.close()
        print(f"  gc: {len(holds)} batches, median {statistics.median(holds):.0f} ms")
        return deleted, max(holds)

    base = measure(f"sqlite:///{single_path}", args.traces, single)
    gc = measure(f"sqlite:///{batched_path}", args.traces, batched)
    print(f"\ndeleting the older {args.traces // 2:,} of {args.traces:,} 3-span traces on SQLite, a writer storing "
          f"a trace every 10 ms meanwhile:")
    print(f"{'how':<22} {'seconds':>8} {'traces/s':>9} {'longest tx ms':>14} {'writer p50 ms':>14} "
          f"{'p99 ms':>8} {'max ms':>8} {'max ratio':>10}")
    for name, row in (("one transaction", base), ("gc batches", gc)):
        print(f"{name:<22} {row['seconds']:>8.2f} {row['deleted'] / row['seconds']:>9.0f} {row['longest']:>14.0f} "
              f"{row['p50']:>14.2f} {row['p99']:>8.1f} {row['max']:>8.1f} {row['max'] / base['max']:>10.2f}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
