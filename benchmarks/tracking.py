"""Tracking throughput: logging 10,000 metrics to one run, and search_runs over 10,000 runs with a metric filter.

    python benchmarks/tracking.py [--metrics 10000] [--runs 10000] [--postgres-uri URI]

Logging: the same 10,000 metric points go to one run three ways, measured in one process: one `log_metric` call
per point (the baseline: a transaction each), one `log_metrics` call per step (100 keys x 100 steps), and one
`log_metrics` call for all of them (10,000 keys at one step).

Searching: 10,000 runs (each with 3 metrics, 2 params, 3 tags) are written straight into the tables (setup, not
measured), then `search_runs` with `metrics.accuracy > 0.9` (about 10% match) is timed to a DataFrame and to a
list, beside the baseline of the bare SQL query that finds the same run ids (no params, metrics or tags loaded).
Also: the unfiltered search (all 10,000 runs to a DataFrame) and the filtered search ordered by the metric.

Runs on a new SQLite file, and on PostgreSQL when --postgres-uri (or TRACEKIT_BENCH_POSTGRES_URI) names a database
that answers; there it uses a new experiment and leaves other data alone. Figures are the best of --repeats.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import tracekit  # noqa: E402
from tracekit.store.backend import close_backends, get_backend  # noqa: E402
from tracekit.store.sql import schema  # noqa: E402

KEYS_PER_STEP = 100


def best_of(repeats: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_logging(points: int) -> list[tuple[str, float]]:
    steps = max(points // KEYS_PER_STEP, 1)
    results = []
    with tracekit.start_run(run_name="log-one-by-one"):
        start = time.perf_counter()
        for step in range(steps):
            for key in range(KEYS_PER_STEP):
                tracekit.log_metric(f"m{key}", key * 0.5 + step, step=step)
        results.append(("log_metric x 1 point (baseline)", time.perf_counter() - start))
    with tracekit.start_run(run_name="log-per-step"):
        start = time.perf_counter()
        for step in range(steps):
            tracekit.log_metrics({f"m{key}": key * 0.5 + step for key in range(KEYS_PER_STEP)}, step=step)
        results.append((f"log_metrics x {KEYS_PER_STEP} points", time.perf_counter() - start))
    with tracekit.start_run(run_name="log-one-batch") as run:
        start = time.perf_counter()
        tracekit.log_metrics({f"m{n}": n * 0.5 for n in range(steps * KEYS_PER_STEP)})
        results.append((f"log_metrics x {steps * KEYS_PER_STEP} points", time.perf_counter() - start))
    assert len(tracekit.get_run(run.info.run_id).data.metrics) == steps * KEYS_PER_STEP
    return results


def seed_runs(uri: str, experiment_id: str, count: int) -> None:
    """Write `count` finished runs with metrics, params and tags, a few thousand rows per statement."""
    engine = get_backend(uri).traces.engine
    rng = random.Random(7)
    now = int(time.time() * 1000)
    runs, metrics, params, tags = [], [], [], []
    for n in range(count):
        run_id = uuid.uuid4().hex
        runs.append({"run_id": run_id, "experiment_id": experiment_id, "run_name": f"run-{n}", "user_id": "bench",
                     "status": "FINISHED", "start_time": now - n * 1000, "end_time": now - n * 1000 + 500,
                     "lifecycle_stage": "active", "artifact_uri": None})
        for key, value in (("accuracy", rng.random()), ("loss", rng.random()), ("f1", rng.random())):
            metrics.append({"run_id": run_id, "key": key, "value": value, "is_nan": False, "step": 0,
                            "timestamp": now})
        params.extend([{"run_id": run_id, "key": "lr", "value": str(rng.choice([0.1, 0.01, 0.001]))},
                       {"run_id": run_id, "key": "model", "value": rng.choice(["rf", "xgb", "svm"])}])
        tags.extend([{"run_id": run_id, "key": "mlflow.runName", "value": f"run-{n}"},
                     {"run_id": run_id, "key": "team", "value": "bench"},
                     {"run_id": run_id, "key": "mlflow.user", "value": "bench"}])
    with engine.begin() as connection:
        for table, rows in ((schema.runs, runs), (schema.latest_metrics, metrics), (schema.params, params),
                            (schema.run_tags, tags)):
            for start in range(0, len(rows), 5000):
                connection.execute(table.insert(), rows[start:start + 5000])


def bench_search(uri: str, runs: int, repeats: int) -> list[tuple[str, float, int]]:
    experiment_id = tracekit.create_experiment(f"bench-search-{uuid.uuid4().hex[:8]}")
    seed_runs(uri, experiment_id, runs)
    engine = get_backend(uri).traces.engine
    latest = schema.latest_metrics

    def bare_sql() -> list[str]:
        query = (select(schema.runs.c.run_id).join(latest, latest.c.run_id == schema.runs.c.run_id)
                 .where(schema.runs.c.experiment_id == experiment_id, latest.c.key == "accuracy",
                        latest.c.value > 0.9))
        with engine.connect() as connection:
            return list(connection.scalars(query))

    filtered = "metrics.accuracy > 0.9"
    cases: list[tuple[str, Callable[[], Sequence[object]]]] = [
        ("bare SQL: matching run ids (baseline)", bare_sql),
        ("search_runs(filter) -> DataFrame", lambda: tracekit.search_runs([experiment_id], filtered)),
        ("search_runs(filter) -> list", lambda: tracekit.search_runs([experiment_id], filtered,
                                                                    output_format="list")),
        ("search_runs(filter, order_by metric)", lambda: tracekit.search_runs(
            [experiment_id], filtered, order_by=["metrics.accuracy DESC"])),
        ("search_runs(all runs) -> DataFrame", lambda: tracekit.search_runs([experiment_id])),
    ]
    results = []
    for name, work in cases:
        found = len(work())
        results.append((name, best_of(repeats, work), found))
    return results


def report(label: str, uri: str, args: argparse.Namespace) -> None:
    tracekit.set_tracking_uri(uri)
    tracekit.set_experiment(f"bench-logging-{uuid.uuid4().hex[:8]}")
    print(f"\n== {label}: {args.metrics:,} metric points to one run")
    logging = bench_logging(args.metrics)
    baseline = logging[0][1]
    print(f"{'how':<36} {'seconds':>9} {'points/s':>11} {'vs baseline':>12}")
    for name, seconds in logging:
        print(f"{name:<36} {seconds:>9.3f} {args.metrics / seconds:>11,.0f} {baseline / seconds:>11.1f}x")

    print(f"\n== {label}: search_runs over {args.runs:,} runs (best of {args.repeats})")
    search = bench_search(uri, args.runs, args.repeats)
    baseline = search[0][1]
    print(f"{'query':<40} {'ms':>9} {'rows':>7} {'vs bare SQL':>12}")
    for name, seconds, rows in search:
        print(f"{name:<40} {seconds * 1000:>9.1f} {rows:>7,} {seconds / baseline:>11.1f}x")
    close_backends()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--metrics", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres-uri", default=os.environ.get("TRACEKIT_BENCH_POSTGRES_URI", ""))
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args)
    if args.postgres_uri:
        try:
            get_backend(args.postgres_uri).traces.ping()
        except Exception as error:  # noqa: BLE001 - an unreachable server only skips its part
            print(f"\n(PostgreSQL skipped: {error})")
        else:
            report("PostgreSQL", args.postgres_uri, args)
    else:
        print("\n(PostgreSQL skipped: pass --postgres-uri or set TRACEKIT_BENCH_POSTGRES_URI)")
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
