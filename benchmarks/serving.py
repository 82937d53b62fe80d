"""`/invocations` of `tracekit models serve` for a small scikit-learn model: requests/s and p50/p99 latency at 1, 8
and 32 concurrent clients, traced (each request a trace written to a SQLite store in the background) beside the
same server with tracing sampled out (TRACEKIT_TRACE_SAMPLING_RATIO=0), and beside `predict` called in-process.

    python benchmarks/serving.py [--requests 400]

Both servers run as separate processes at the same time, measured alternately, so a busy machine slows both
alike. Prints the traced/untraced ratio of p50 latency and of requests/s, and each process's peak RSS.
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


def _peak_rss_mb_of(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _load(url: str, body: bytes, requests: int, clients: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of `requests` POSTs spread over `clients` threads."""
    latencies: list[float] = []

    def client(count: int) -> list[float]:
        timings = []
        with httpx.Client(headers={"Content-Type": "application/json"}, timeout=60) as http:
            for _ in range(count):
                start = time.perf_counter()
                response = http.post(f"{url}/invocations", content=body)
                timings.append(time.perf_counter() - start)
                response.raise_for_status()
        return timings

    per_client = max(requests // clients, 1)
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for timings in pool.map(client, [per_client] * clients):
            latencies.extend(timings)
    elapsed = time.perf_counter() - start
    quantiles = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, quantiles[98] * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
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
            _load(url, body, 50, 4)  # warm up: imports, first connections
        print(f"{'clients':>8}{'traced req/s':>14}{'p50 ms':>9}{'p99 ms':>9}{'untraced req/s':>16}{'p50 ms':>9}"
              f"{'p99 ms':>9}{'p50 ratio':>11}{'req/s ratio':>13}")
        for clients in (1, 8, 32):
            with_tracing = _load(traced_url, body, args.requests, clients)
            without = _load(untraced_url, body, args.requests, clients)
            print(f"{clients:>8}{with_tracing[0]:>14.0f}{with_tracing[1]:>9.2f}{with_tracing[2]:>9.2f}"
                  f"{without[0]:>16.0f}{without[1]:>9.2f}{without[2]:>9.2f}"
                  f"{with_tracing[1] / without[1]:>11.2f}{with_tracing[0] / without[0]:>13.2f}")
        print(f"\npeak RSS: traced server {_peak_rss_mb_of(traced.pid):.0f} MB, untraced server "
              f"{_peak_rss_mb_of(untraced.pid):.0f} MB, this client {peak_rss_mb():.0f} MB")
    finally:
        for process in (traced, untraced):
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
