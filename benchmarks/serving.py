"""`/invocations` of `tracekit models serve` for a small scikit-learn model: requests/s and p50/p99 latency at 1, 8
and 32 concurrent clients, traced (each request a trace written to a SQLite store in the background) beside the
same server with tracing sampled out (TRACEKIT_TRACE_SAMPLING_RATIO=0), and beside `predict` called in-process.

    python benchmarks/serving.py [--requests 2000] [--rounds 10]

Both servers run as separate processes at the same time (same worker count, same warm-up), measured alternately in
`--rounds` rounds per concurrency level, the order swapped every round (traced-untraced, untraced-traced, ...), so a
busy machine slows both alike and neither always runs second. In a round each client thread first opens its
connection with one unmeasured request, then times its share of the round's requests. Prints, per level, the
pooled p50/p99 of each server, the p50 ratio traced/untraced as the median of the rounds' ratios with their spread
(min-max), the requests/s ratio, each server's CPU time per request (user + system, all its threads: what the
request and its trace's export cost, however loaded the machine is) and each process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402

COLUMNS = ["a", "b", "c", "d"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(model_uri: str, tracking_uri: str, extra_env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "TRACEKIT_TRACKING_URI": tracking_uri, **extra_env}
    process = subprocess.Popen([sys.executable, "-m", "tracekit.cli", "models", "serve", "-m", model_uri,
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the scoring server did not start")


def _cpu_seconds_of(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb_of(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Measured:
    """Latencies, wall time and server CPU time gathered over the rounds of one server at one concurrency."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.round_p50s: list[float] = []
        self.elapsed = 0.0
        self.cpu = 0.0

    def add(self, process: subprocess.Popen, url: str, body: bytes, requests: int, clients: int) -> None:
        """One round: `requests` POSTs over `clients` threads."""
        cpu_before = _cpu_seconds_of(process.pid)
        latencies, elapsed = _load(url, body, requests, clients)
        self.cpu += _cpu_seconds_of(process.pid) - cpu_before
        self.elapsed += elapsed
        self.latencies.extend(latencies)
        self.round_p50s.append(statistics.median(latencies))

    def figures(self) -> tuple[float, float, float, float]:
        """(requests/s, p50 ms, p99 ms, server CPU ms per request) over all rounds."""
        quantiles = statistics.quantiles(self.latencies, n=100)
        count = len(self.latencies)
        return (count / self.elapsed, statistics.median(self.latencies) * 1000, quantiles[98] * 1000,
                self.cpu / count * 1000)


def _load(url: str, body: bytes, requests: int, clients: int) -> tuple[list[float], float]:
    """The latencies of `requests` POSTs spread over `clients` threads, and the wall time they took together (from
    when every client had its connection open to when the last answer came)."""
    latencies: list[float] = []
    per_client = max(requests // clients, 1)
    connected = threading.Barrier(clients + 1, timeout=120)

    def client(count: int) -> list[float]:
        timings = []
        with httpx.Client(headers={"Content-Type": "application/json"}, timeout=60) as http:
            try:
                http.post(f"{url}/invocations", content=body).raise_for_status()  # opens the connection
            finally:
                connected.wait()
            for _ in range(count):
                start = time.perf_counter()
                response = http.post(f"{url}/invocations", content=body)
                timings.append(time.perf_counter() - start)
                response.raise_for_status()
        return timings

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client, per_client) for _ in range(clients)]
        connected.wait()
        start = time.perf_counter()
        for future in futures:
            latencies.extend(future.result())
        elapsed = time.perf_counter() - start
    return latencies, elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per server and concurrency level")
    parser.add_argument("--rounds", type=int, default=10, help="alternations of the two servers per level")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression

    workdir = tempfile.mkdtemp(prefix="tracekit-bench-serving-")
    tracking_uri = f"sqlite:///{workdir}/bench.db"
    tracekit.set_tracking_uri(tracking_uri)
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(500, 4)), columns=COLUMNS)
    estimator = LogisticRegression().fit(train, (train["a"] > 0).astype(int))
    info = tracekit.sklearn.log_model(estimator, name="bench", input_example=train.head(3))
    rows = train.head(5)
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": rows.to_numpy().tolist()}}).encode()

    model = tracekit.pyfunc.load_model(info.model_uri)
    in_process = best_per_call(lambda _i: model.predict(rows), 200, 5, tracekit.flush_trace_async_logging)
    print(f"in-process pyfunc predict (traced, 5 rows): {in_process / 1000:.2f} ms per call\n")

    traced, traced_url = _start_server(info.model_uri, tracking_uri, {})
    untraced, untraced_url = _start_server(info.model_uri, tracking_uri, {"TRACEKIT_TRACE_SAMPLING_RATIO": "0"})
    try:
        for url in (traced_url, untraced_url):
            _load(url, body, 200, 4)  # warm up: imports, first connections, the trace store's first writes
        print(f"{'clients':>8}{'traced req/s':>14}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>8}{'untraced req/s':>16}"
              f"{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>8}{'p50 ratio (spread)':>22}{'req/s ratio':>13}{'CPU ratio':>11}")
        rounds = max(args.rounds, 1)
        per_round = max(args.requests // rounds, 1)
        for clients in (1, 8, 32):
            with_tracing, without = Measured(), Measured()
            for number in range(rounds):
                pair = [(with_tracing, traced, traced_url), (without, untraced, untraced_url)]
                for measured, process, url in pair if number % 2 == 0 else reversed(pair):
                    measured.add(process, url, body, per_round, clients)
            on, off = with_tracing.figures(), without.figures()
            ratios = [a / b for a, b in zip(with_tracing.round_p50s, without.round_p50s, strict=True)]
            spread = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
            print(f"{clients:>8}{on[0]:>14.0f}{on[1]:>9.2f}{on[2]:>9.2f}{on[3]:>8.2f}"
                  f"{off[0]:>16.0f}{off[1]:>9.2f}{off[2]:>9.2f}{off[3]:>8.2f}"
                  f"{spread:>22}{on[0] / off[0]:>13.2f}{on[3] / off[3]:>11.2f}")
        print("\np50 ratio: median over the rounds of (traced p50 / untraced p50) in the same round, (min-max).")
        print(f"\npeak RSS: traced server {_peak_rss_mb_of(traced.pid):.0f} MB, untraced server "
              f"{_peak_rss_mb_of(untraced.pid):.0f} MB, this client {peak_rss_mb():.0f} MB")
    finally:
        for process in (traced, untraced):
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
