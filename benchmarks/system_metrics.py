"""What system metrics logging costs: CPU time of the sampler per sample, and as a share of one core at the default
10 s interval; and a live run with the sampler against the same run without it.

    python benchmarks/system_metrics.py [--samples 200] [--live-seconds 10] [--live-interval 0.5]

Measured in one process into a new SQLite file:
- one sample (psutil: CPU, memory, disk, network; GPUs when nvidia-ml-py finds some) plus writing it as one step of
  `system/*` metrics, averaged over `--samples` samples, in CPU ms; divided by the interval it is the share of a core;
- a run sleeping `--live-seconds` with the sampler at `--live-interval` (faster than the default, so that a short
  benchmark takes many samples), its process CPU time beside the same sleep without the sampler (the baseline).
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
from tracekit import config  # noqa: E402
from tracekit.store.backend import get_backend  # noqa: E402
from tracekit.system_metrics.collectors import default_collectors  # noqa: E402
from tracekit.system_metrics.monitoring import SystemMetricsMonitor  # noqa: E402


def cpu_seconds() -> float:
    return time.process_time()


def per_sample_cpu_ms(samples: int) -> float:
    with tracekit.start_run() as run:
        monitor = SystemMetricsMonitor(run.info.run_id, get_backend().tracking, default_collectors(), 3600.0, 1, "")
        start = cpu_seconds()
        for _ in range(samples):
            monitor._sample()  # noqa: SLF001 - the thread's own step, timed without the waiting
            monitor._log_pending()  # noqa: SLF001
        elapsed = cpu_seconds() - start
        monitor.stop()
    return elapsed / samples * 1000


def live_cpu_seconds(seconds: float, interval: float | None) -> float:
    if interval is not None:
        tracekit.set_system_metrics_sampling_interval(interval)
    start = cpu_seconds()
    with tracekit.start_run(log_system_metrics=interval is not None):
        time.sleep(seconds)
    return cpu_seconds() - start


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--live-seconds", type=float, default=10.0)
    parser.add_argument("--live-interval", type=float, default=0.5)
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="tk-sysmetrics-")
    tracekit.set_tracking_uri(f"sqlite:///{folder}/bench.db")
    with tracekit.start_run():
        pass  # migrate the file before timing

    per_sample = per_sample_cpu_ms(args.samples)
    default_interval = config.SYSTEM_METRICS_SAMPLING_INTERVAL.default
    print(f"one sample + its write: {per_sample:.2f} CPU ms (mean of {args.samples})")
    print(f"share of one core at the default {default_interval:.0f} s interval: "
          f"{per_sample / (default_interval * 1000) * 100:.4f}% (target: under 1%)")

    baseline = live_cpu_seconds(args.live_seconds, None)
    sampled = live_cpu_seconds(args.live_seconds, args.live_interval)
    samples_taken = args.live_seconds / args.live_interval
    print(f"live run of {args.live_seconds:.0f} s: {sampled * 1000:.1f} CPU ms with the sampler every "
          f"{args.live_interval} s (~{samples_taken:.0f} samples), baseline without it {baseline * 1000:.1f} CPU ms; "
          f"added {(sampled - baseline) * 1000:.1f} ms = "
          f"{(sampled - baseline) / args.live_seconds * 100:.3f}% of a core "
          f"(ratio {sampled / max(baseline, 1e-9):.1f}x of an idle run)")
    print(f"scaled to the default interval: {(sampled - baseline) / samples_taken / default_interval * 100:.4f}% of a"
          f" core")
    print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
