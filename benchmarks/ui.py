"""The trace explorer at scale: the first page of 100,000 traces, and a 1,000-span trace page in Chromium, each beside
a baseline measured in the same run.

    python benchmarks/ui.py [--traces 100000] [--repeats 15]

A SQLite database gets `--traces` traces of 3 spans (experiment 0), a trace of 1,000 nested spans and one of 10,
then `tracekit server` (2 workers) serves it on 127.0.0.1. Measured, as medians (and 95th percentiles):
- the table's API call: `POST /api/v1/traces/search` exactly as the page sends it (newest 50, no spans, root span
  names), over HTTP; baselines: the same search in-process on the store, and over HTTP with spans included;
  plus the page's `GET /api/v1/traces/count` of the experiment;
- the table in Chromium: from navigation start to the first page's rows in the DOM (the page's own
  `tracekit:traces-rendered` performance mark), beside a small experiment of 10 traces;
- the trace page in Chromium: from navigation start to every span row and bar built (`tracekit:trace-rendered`),
  1,000 spans beside 10 spans;
- metric charts in Chromium: one chart of a 10,000-point series drawn in the page (built, laid out and painted: two
  animation frames) beside a 100-point series; and a run page from navigation start to its charts drawn
  (`tracekit:charts-rendered`, histories fetched from the server), a run with a 10,000-point metric beside one with
  100 points.
Peak RSS: the server (largest process, VmHWM), Chromium (sum of its processes' peaks) and this process.
Needs Debian's chromium at /usr/bin/chromium and the playwright package (no browser download).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "server"),
                str(ROOT / "tests" / "store")]

from server import latencies_ms, server_peak_rss_mb, start_server  # noqa: E402  (benchmarks/server.py)

PAGE_SIZE = 50  # the table's default page
CHART_POINTS = 10_000
CHART_BASELINE_POINTS = 100
# Builds one chart of `points` points in the page, lays it out and waits two animation frames (painted); returns ms.
CHART_IN_PAGE = """async (points) => {
  const {lineChart} = await import(new URL("static/js/charts.js", document.baseURI).href);
  const xs = Float64Array.from({length: points}, (_, i) => i);
  const ys = Float64Array.from({length: points}, (_, i) => Math.sin(i / 50) + (i % 997 === 0 ? 5 : 0));
  const started = performance.now();
  const chart = lineChart({title: "loss", series: [{label: "run", xs, ys}]});
  document.body.append(chart);
  chart.getBoundingClientRect();
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const elapsed = performance.now() - started;
  chart.remove();
  return elapsed;
}"""
BATCH = 2000


def seed(uri: str, traces: int) -> tuple[str, str, str, list[str]]:
    """(small experiment id, 1,000-span trace id, 10-span trace id, [run with a 100-point metric, run with a
    10,000-point one])."""
    from trace_builders import build_trace
    from ui_seed import nested_trace

    from tracekit.entities import Metric
    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.store.sql.tracking import SqlTrackingStore

    store = SqlTraceStore(uri)
    started = time.perf_counter()
    for first in range(0, traces, BATCH):
        store.write_traces([build_trace(number=number, tags={"env": "prod" if number % 2 else "dev"})
                            for number in range(first + 1, min(first + BATCH, traces) + 1)])
    now_ms = int(time.time() * 1000)
    big, small = "tr-" + "b" * 32, "tr-" + "c" * 32
    store.write_traces([nested_trace(big, "0", now_ms, 1000), nested_trace(small, "0", now_ms - 1, 10)])
    tracking = SqlTrackingStore(store.database)
    small_experiment = tracking.create_experiment("ten-traces")
    store.write_traces([build_trace(number=traces + 100 + n, experiment_id=small_experiment) for n in range(10)])
    chart_runs = []
    for points in (CHART_BASELINE_POINTS, CHART_POINTS):
        run = tracking.create_run(small_experiment, f"{points}-points", start_time=now_ms)
        tracking.log_batch(run.info.run_id, metrics=[Metric("loss", 1 / (1 + step) + (step % 97 == 0), now_ms + step,
                                                            step) for step in range(points)])
        chart_runs.append(run.info.run_id)
    print(f"seeded {traces:,} traces (+2 nested, +10 in a small experiment) and runs of {CHART_BASELINE_POINTS} and "
          f"{CHART_POINTS:,} metric points in {time.perf_counter() - started:.1f} s")
    store.close()
    return small_experiment, big, small, chart_runs


def row(label: str, measured: tuple[float, float], baseline: tuple[float, float] | None = None) -> None:
    ratio = f"{measured[0] / baseline[0]:>8.2f}" if baseline else f"{'':>8}"
    print(f"  {label:<58} {measured[0]:>9.2f} {measured[1]:>9.2f} {ratio}")


def api_calls(uri: str, url: str, repeats: int) -> None:
    import httpx

    from tracekit.store.sql.traces import SqlTraceStore

    request = {"experiment_ids": ["0"], "filter_string": None, "max_results": PAGE_SIZE,
               "order_by": ["timestamp_ms DESC"], "page_token": None, "run_id": None, "model_id": None,
               "include_spans": False}
    store = SqlTraceStore(uri)
    with httpx.Client(base_url=url, timeout=60) as client:
        def over_http(body: dict) -> Callable[[], object]:
            def call() -> object:
                answer = client.post("/api/v1/traces/search", json=body)
                answer.raise_for_status()
                assert len(answer.json()["traces"]) == PAGE_SIZE
                return answer
            return call

        def in_process() -> object:
            page = store.search_traces(["0"], max_results=PAGE_SIZE, order_by=["timestamp_ms DESC"],
                                       include_spans=False)
            return store.root_span_names([trace.info.trace_id for trace in page])

        table = latencies_ms(over_http(request), repeats)
        baseline = latencies_ms(in_process, repeats)
        with_spans = latencies_ms(over_http({**request, "include_spans": True}), repeats)
        count = latencies_ms(
            lambda: client.get("/api/v1/traces/count", params={"experiment_id": "0"}).raise_for_status(), repeats)
        second_page_token = client.post("/api/v1/traces/search", json=request).json()["next_page_token"]
        second = latencies_ms(over_http({**request, "page_token": second_page_token}), repeats)
    store.close()
    print(f"\nAPI (ms){'':<52} {'median':>9} {'p95':>9} {'ratio':>8}")
    row("first page, in-process store call (baseline)", baseline)
    row(f"first page as the table asks (HTTP, {PAGE_SIZE}, no spans, names)", table, baseline)
    row("second page (page token)", second, baseline)
    row("first page with spans (HTTP)", with_spans, baseline)
    row("trace count of the experiment (HTTP)", count, baseline)


def rendered_at(page, url: str, mark: str, rows_selector: str, rows: int, measure: bool = False) -> float:
    """Navigate to `url` in a fresh document and return the page's `mark` time (ms since navigation start; for a
    `measure`, when it ended)."""
    from playwright.sync_api import expect

    page.goto("about:blank")
    page.goto(url)
    expect(page.locator(rows_selector)).to_have_count(rows, timeout=60_000)
    if measure:
        page.wait_for_function(f"() => performance.getEntriesByName({mark!r}).length > 0", timeout=60_000)
        return page.evaluate(f"() => {{ const m = performance.getEntriesByName({mark!r}).at(-1); "
                             "return m.startTime + m.duration; }")
    return page.evaluate(f"() => performance.getEntriesByName({mark!r}).at(-1).startTime")


def chromium_peak_rss_mb(profile: str) -> tuple[float, float]:
    """(largest process, sum over processes) of VmHWM of the Chromium started with this profile folder; the sum
    counts shared pages once per process, so it overstates."""
    import psutil

    pids: set[int] = set()
    for process in psutil.process_iter(["cmdline"]):
        if f"--user-data-dir={profile}" in " ".join(process.info["cmdline"] or ()):
            pids |= {process.pid, *(child.pid for child in process.children(recursive=True))}
    peaks = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return max(peaks, default=0.0), sum(peaks)


def browser(url: str, small_experiment: str, big: str, small: str, chart_runs: list[str], traces: int,
            repeats: int) -> tuple[float, float]:
    from browser import browser_missing, chromium_context

    reason = browser_missing()
    if reason:
        print(f"\nbrowser: skipped ({reason})")
        return 0.0, 0.0
    profile = tempfile.mkdtemp(prefix="tracekit-bench-chromium-")
    with chromium_context(profile=profile) as context:
        page = context.new_page()
        table = lambda experiment: rendered_at(  # noqa: E731
            page, f"{url}/#/experiments/{experiment}/traces", "tracekit:traces-rendered", "[data-testid=trace-row]",
            PAGE_SIZE if experiment == "0" else 10)
        trace = lambda trace_id, spans: rendered_at(  # noqa: E731
            page, f"{url}/#/traces/{trace_id}", "tracekit:trace-rendered", "[data-testid=span-row]", spans)
        browser_repeats = max(3, repeats // 3)
        small_table = measure_marks(lambda: table(small_experiment), browser_repeats)
        big_table = measure_marks(lambda: table("0"), browser_repeats)
        small_trace = measure_marks(lambda: trace(small, 10), browser_repeats)
        big_trace = measure_marks(lambda: trace(big, 1000), browser_repeats)
        page.goto(f"{url}/#/experiments/{small_experiment}/runs")
        small_chart = measure_marks(lambda: page.evaluate(CHART_IN_PAGE, CHART_BASELINE_POINTS), repeats)
        big_chart = measure_marks(lambda: page.evaluate(CHART_IN_PAGE, CHART_POINTS), repeats)
        run_charts = [measure_marks(lambda run_id=run_id: rendered_at(  # type: ignore[misc]
            page, f"{url}/#/runs/{run_id}", "tracekit:charts-rendered", "[data-testid=metric-chart]", 1,
            measure=True), browser_repeats) for run_id in chart_runs]
        peak = chromium_peak_rss_mb(profile)
    print(f"\nChromium, ms from navigation start{'':<24} {'median':>9} {'p95':>9} {'ratio':>8}")
    row("traces table, experiment of 10 traces (baseline)", small_table)
    row(f"traces table, first page of the {traces:,}-trace experiment", big_table, small_table)
    row("trace page, 10 spans (baseline)", small_trace)
    row("trace page, 1,000 spans (every row and bar built)", big_trace, small_trace)
    print(f"\nChromium, metric charts (ms){'':<31} {'median':>9} {'p95':>9} {'ratio':>8}")
    row(f"one chart of {CHART_BASELINE_POINTS} points, built and painted (baseline)", small_chart)
    row(f"one chart of {CHART_POINTS:,} points, built and painted", big_chart, small_chart)
    row(f"run page to charts drawn, {CHART_BASELINE_POINTS}-point metric (baseline)", run_charts[0])
    row(f"run page to charts drawn, {CHART_POINTS:,}-point metric (history fetched)", run_charts[1], run_charts[0])
    return peak


def measure_marks(func: Callable[[], float], repeats: int) -> tuple[float, float]:
    """(median, 95th percentile) of the times `func` reads from the page, after one warm-up."""
    func()
    samples = sorted(func() for _ in range(repeats))
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15, help="timed calls per API case (a third per browser case)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite, server with 2 workers")
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{Path(folder) / 'ui-bench.db'}"
        small_experiment, big, small, chart_runs = seed(uri, args.traces)
        process, url = start_server(uri, Path(folder) / "server.log")
        try:
            api_calls(uri, url, args.repeats)
            chromium_peak = browser(url, small_experiment, big, small, chart_runs, args.traces, args.repeats)
            server_peak = server_peak_rss_mb(process)
        finally:
            process.terminate()
            process.wait(15)
    print(f"\npeak RSS: server {server_peak:.1f} MB (largest process); Chromium {chromium_peak[0]:.1f} MB largest "
          f"process, {chromium_peak[1]:.1f} MB summed over its processes; benchmark "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


if __name__ == "__main__":
    main()
