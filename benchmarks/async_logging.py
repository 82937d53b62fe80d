"""Async logging throughput: `log_metric(..., synchronous=False)` against the synchronous call, into SQLite.

    python benchmarks/async_logging.py [--points 5000] [--backend sqlite|postgresql] [--postgres-uri URI]

For each mode, `--points` calls of `log_metric` at increasing steps in one run: the time until the calls return
(what the training loop waits for) and until every point is stored (after `flush_async_logging()`), as points per
second, with the synchronous call as the baseline; then the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402


def measure(points: int, synchronous: bool) -> tuple[float, float, str]:
    with tracekit.start_run() as run:
        start = time.perf_counter()
        for step in range(points):
            tracekit.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=synchronous)
        returned = time.perf_counter() - start
        tracekit.flush_async_logging()
        stored = time.perf_counter() - start
    assert len(tracekit.get_metric_history(run.info.run_id, "loss")) == points
    return returned, stored, run.info.run_id


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-uri", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)
    if args.backend == "sqlite":
        tracekit.set_tracking_uri(f"sqlite:///{tempfile.mkdtemp(prefix='tk-async-')}/bench.db")
    else:
        tracekit.set_tracking_uri(args.postgres_uri)
    measure(50, True)  # warm up: migrate, connect

    sync_returned, sync_stored, _ = measure(args.points, True)
    async_returned, async_stored, _ = measure(args.points, False)
    rate = args.points
    print(f"{args.points} log_metric calls into {args.backend}:")
    print(f"  synchronous (baseline): {rate / sync_stored:,.0f} points/s stored; calls returned after "
          f"{sync_returned:.2f} s")
    print(f"  synchronous=False:      {rate / async_stored:,.0f} points/s stored "
          f"({sync_stored / async_stored:.1f}x the baseline); calls returned after {async_returned:.2f} s "
          f"({rate / async_returned:,.0f} calls/s, {sync_returned / async_returned:.1f}x the baseline)")
    print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
