"""Tracking server throughput and latency, beside the same operations in-process, measured in one run.

    python benchmarks/server.py [--traces 4000] [--clients 1,4,8] [--searches 100] [--runs 500]
                                [--postgres postgresql://postgres@127.0.0.1:5432/bench]

Ingest: K client processes share `--traces` traces (3 spans each, as the store tests build them) and write them in
batches of 100, either straight into the database (`SqlTraceStore.write_traces`, the in-process baseline) or to a
`tracekit server --workers 2` on that database (`RestTraceStore.write_traces`, what an http:// tracking URI does).
Throughput is traces / wall time from a common start instant to the last client's end (imports and trace building
excluded). Search: the median and 95th percentile of `search_traces` (a tag filter returning 10 traces with spans,
and the newest 100 without spans) in-process and over HTTP, on the database the ingest filled. Tracking: the same
for `log_metrics` (one batch of 10 metrics at a new step of one run) and `search_runs` (a metric filter over
`--runs` runs, 100 returned), `SqlTrackingStore` in-process against `RestTrackingStore` over HTTP.
Peak RSS: the server process (VmHWM), the largest client, and this process.
PostgreSQL runs when --postgres (or TRACEKIT_BENCH_POSTGRES_URI) names a database; its tables are dropped first.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "store"))

BATCH = 100


def client(argv: list[str]) -> None:
    """One client process: build its traces, wait for the start instant, write them, report."""
    target, uri, count, start_at, client_index = argv[0], argv[1], int(argv[2]), float(argv[3]), argv[4]
    from trace_builders import build_trace

    if target == "http":
        from tracekit.store.rest.remote_traces import RestTraceStore

        store = RestTraceStore(uri)
    else:
        from tracekit.store.sql.traces import SqlTraceStore

        store = SqlTraceStore(uri)
    traces = [build_trace(trace_id=f"tr-{uuid.uuid4().hex}", tags={"client": client_index, "n": str(i)})
              for i in range(count)]
    time.sleep(max(0.0, start_at - time.time()))
    for start in range(0, count, BATCH):
        store.write_traces(traces[start:start + BATCH])
    ended = time.time()
    store.close()
    print(json.dumps({"ended": ended, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(uri: str, log: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "tracekit.cli", "server", "--backend-store-uri", uri,
                                    "--port", str(port), "--workers", "2", "--log-level", "warning"],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


def server_peak_rss_mb(process: subprocess.Popen) -> float:
    """VmHWM of the server and its worker processes (the largest)."""
    pids = [process.pid]
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    peak = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peak


def ingest(target: str, uri: str, clients: int, total: int) -> tuple[float, float]:
    """(traces per second, largest client RSS in MB)."""
    start_at = time.time() + 2.0 + 0.4 * clients  # time for every client to import and build its traces
    per_client = total // clients
    processes = [subprocess.Popen([sys.executable, __file__, "--client", target, uri, str(per_client), str(start_at),
                                   str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for index in range(clients)]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(err)
        reports.append(json.loads(out))
    late = min(report["ended"] for report in reports) < start_at
    if late:
        print("  (warning: a client finished before the start instant)")
    elapsed = max(report["ended"] for report in reports) - start_at
    return per_client * clients / elapsed, max(report["rss_mb"] for report in reports)


def latencies_ms(call, repeats: int) -> tuple[float, float]:
    call()  # warm up connections and caches
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def empty_database(uri: str) -> None:
    from sqlalchemy import MetaData

    from tracekit.store.sql.engine import create_store_engine

    engine = create_store_engine(uri)
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    engine.dispose()


def run_backend(name: str, uri: str, args: argparse.Namespace, folder: Path) -> None:
    from tracekit.store.rest.remote_traces import RestTraceStore
    from tracekit.store.sql.traces import SqlTraceStore

    print(f"\n== {name} ==")
    print(f"{'ingest':<22} {'in-process tr/s':>16} {'HTTP tr/s':>12} {'HTTP/in-process':>16} {'client RSS MB':>14}")
    server_rss = 0.0
    client_rss = 0.0
    for clients in args.clients:
        if name == "PostgreSQL":
            empty_database(uri)
        elif Path(uri.removeprefix("sqlite:///")).exists():
            Path(uri.removeprefix("sqlite:///")).unlink()
        SqlTraceStore(uri).close()  # create the schema outside the timing
        local, local_rss = ingest("sql", uri, clients, args.traces)
        server, url = start_server(uri, folder / "server.log")
        try:
            remote, remote_rss = ingest("http", url, clients, args.traces)
            server_rss = max(server_rss, server_peak_rss_mb(server))
            client_rss = max(client_rss, local_rss, remote_rss)
            print(f"{f'{clients} client(s)':<22} {local:>16.0f} {remote:>12.0f} {remote / local:>16.2f} "
                  f"{max(local_rss, remote_rss):>14.1f}")
            if clients == args.clients[-1]:
                searches(uri, url, args.searches, RestTraceStore, SqlTraceStore)
                tracking(uri, url, args.searches, args.runs)
                server_rss = max(server_rss, server_peak_rss_mb(server))
        finally:
            server.terminate()
            server.wait(30)
    print(f"peak RSS: server {server_rss:.1f} MB (largest worker), largest client {client_rss:.1f} MB")


def compare(title: str, cases: dict, local, remote, repeats: int) -> None:  # noqa: ANN001 - stores
    """Print p50/p95 of each case run on the in-process store and on the HTTP one, and their ratio."""
    print(f"{title:<22} {'in-process p50/p95':>20} {'HTTP p50/p95':>16} {'HTTP/in-process p50':>20}")
    for label, operation in cases.items():
        in_process = latencies_ms(functools.partial(operation, local), repeats)
        over_http = latencies_ms(functools.partial(operation, remote), repeats)
        print(f"{label:<22} {in_process[0]:>9.2f}/{in_process[1]:<9.2f} {over_http[0]:>7.2f}/{over_http[1]:<8.2f} "
              f"{over_http[0] / in_process[0]:>20.2f}")


def searches(uri: str, url: str, repeats: int, rest_store, sql_store) -> None:
    local, remote = sql_store(uri), rest_store(url)
    compare("search (ms)", {
        "tag filter, 10 w/ spans": lambda store: store.search_traces(["0"], "tags.n = '7'", 10),
        "newest 100, no spans": lambda store: store.search_traces(["0"], None, 100, include_spans=False),
    }, local, remote, repeats)
    local.close()
    remote.close()


def tracking(uri: str, url: str, repeats: int, runs: int) -> None:
    """log_metrics and search_runs latency in-process and over HTTP."""
    from itertools import count

    from tracekit.entities import Metric
    from tracekit.store.rest.client import TrackingServerClient
    from tracekit.store.rest.remote_tracking import RestTrackingStore
    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.store.sql.tracking import SqlTrackingStore

    trace_store = SqlTraceStore(uri)
    local, remote = SqlTrackingStore(trace_store.database), RestTrackingStore(url, TrackingServerClient(url))
    now = int(time.time() * 1000)
    experiment_id = local.create_experiment(f"bench-{uuid.uuid4().hex[:8]}")
    for number in range(runs):
        run_id = local.create_run(experiment_id, f"run-{number}", now).info.run_id
        local.log_batch(run_id, [Metric("accuracy", number / runs, now), Metric("loss", 1 - number / runs, now)],
                        {"lr": str(number)})
    steps = count()
    targets = {id(local): local.create_run(experiment_id, "logging-local", now).info.run_id,
               id(remote): local.create_run(experiment_id, "logging-remote", now).info.run_id}

    def log_metrics(store) -> None:  # noqa: ANN001
        step = next(steps)
        store.log_batch(targets[id(store)], [Metric(f"m{key}", step * 0.5, now, step) for key in range(10)])

    compare("tracking (ms)", {
        "log_metrics, 10 keys": log_metrics,
        f"search_runs of {runs}": lambda store: store.search_runs([experiment_id], "metrics.accuracy > 0.5",
                                                                  max_results=100),
    }, local, remote, repeats)
    remote.close()
    trace_store.close()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=4000, help="traces per ingest run, shared by the clients")
    parser.add_argument("--clients", default="1,4,8", help="client process counts, comma-separated")
    parser.add_argument("--searches", type=int, default=100, help="timed searches (and tracking calls) per case")
    parser.add_argument("--runs", type=int, default=500, help="runs the search_runs case searches")
    parser.add_argument("--postgres", default=os.environ.get("TRACEKIT_BENCH_POSTGRES_URI"),
                        help="PostgreSQL database to use (its tables are dropped)")
    args = parser.parse_args()
    args.clients = [int(count) for count in args.clients.split(",")]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.traces} traces of 3 spans per ingest run, "
          f"batches of {BATCH}, server with 2 workers")
    with tempfile.TemporaryDirectory() as folder:
        run_backend("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args, Path(folder))
        if args.postgres:
            run_backend("PostgreSQL", args.postgres, args, Path(folder))
    print(f"\nbenchmark process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


if __name__ == "__main__":
    main()
