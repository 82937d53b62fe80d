"""Where a served request's tracing cost goes: the CPU time of the thread answering the request (the scoring
server's `score`, tracing included) beside that of the background export thread writing the traces to SQLite, per
request, for the small scikit-learn model of `serving.py` (5 rows per request).

    python benchmarks/serving_breakdown.py [--requests 3000] [--rounds 3]

Each round runs two fresh processes one after the other, traced and with tracing sampled out
(TRACEKIT_TRACE_SAMPLING_RATIO=0), the order swapped every round. A process calls `score` `--requests` times on one
thread (after 200 unmeasured calls), then flushes the traces; it reports its request thread's CPU time per request
and the export thread's (found by its name, read from /proc) per trace. CPU time, unlike wall time, moves little
with other people's load. Prints the median over the rounds, the spread, and each process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

COLUMNS = ["a", "b", "c", "d"]


def _thread_cpu_seconds(native_id: int) -> float:
    """User + system CPU time of one thread of this process (Linux)."""
    with open(f"/proc/self/task/{native_id}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _export_thread_cpu() -> float:
    return sum(_thread_cpu_seconds(thread.native_id) for thread in threading.enumerate()
               if thread.name == "tracekit-export" and thread.native_id is not None)


def _measure(requests: int) -> dict[str, float]:
    """In this process: CPU ms per request of the request thread and of the export thread, and peak RSS MB."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    sys.path.insert(0, os.path.dirname(__file__))
    from _measure import peak_rss_mb

    import tracekit
    from tracekit.models.scoring_server import score, served_model

    tracekit.set_tracking_uri(f"sqlite:///{tempfile.mkdtemp(prefix='tracekit-bench-breakdown-')}/bench.db")
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(500, 4)), columns=COLUMNS)
    estimator = LogisticRegression().fit(train, (train["a"] > 0).astype(int))
    info = tracekit.sklearn.log_model(estimator, name="bench", input_example=train.head(3))
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": train.head(5).to_numpy().tolist()}}).encode()
    uri, tags = served_model(info.model_uri)
    model = tracekit.pyfunc.load_model(uri)
    for _ in range(200):
        score(model, body, "application/json", tags)
    tracekit.flush_trace_async_logging()

    export_before, request_before = _export_thread_cpu(), time.thread_time()
    for _ in range(requests):
        score(model, body, "application/json", tags)
    request_cpu = time.thread_time() - request_before
    tracekit.flush_trace_async_logging()
    export_cpu = _export_thread_cpu() - export_before
    return {"request_ms": request_cpu / requests * 1000, "export_ms": export_cpu / requests * 1000,
            "rss_mb": peak_rss_mb()}


def _run(traced: bool, requests: int) -> dict[str, float]:
    env = {**os.environ, **({} if traced else {"TRACEKIT_TRACE_SAMPLING_RATIO": "0"})}
    output = subprocess.run([sys.executable, __file__, "--child", str(requests)], env=env, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="measured calls per process")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of processes (traced, untraced)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child)))
        return

    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for number in range(max(args.rounds, 1)):
        for traced in (True, False) if number % 2 == 0 else (False, True):
            runs[traced].append(_run(traced, args.requests))

    def summary(traced: bool, key: str) -> str:
        values = [run[key] for run in runs[traced]]
        return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"

    print("CPU ms per request, median over the rounds (min-max):")
    for label, traced in (("traced", True), ("sampled out", False)):
        print(f"  {label:<12} request thread {summary(traced, 'request_ms')}   export thread "
              f"{summary(traced, 'export_ms')}   peak RSS {max(run['rss_mb'] for run in runs[traced]):.0f} MB")
    on = [run["request_ms"] + run["export_ms"] for run in runs[True]]
    off = [run["request_ms"] + run["export_ms"] for run in runs[False]]
    request_extra = (statistics.median([run["request_ms"] for run in runs[True]])
                     - statistics.median([run["request_ms"] for run in runs[False]]))
    print(f"tracing adds {request_extra:.3f} ms on the request thread and "
          f"{statistics.median([run['export_ms'] for run in runs[True]]):.3f} ms on the export thread per request; "
          f"total CPU ratio traced/sampled out {statistics.median(on) / statistics.median(off):.2f}")


if __name__ == "__main__":
    main()
