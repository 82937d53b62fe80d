"""Cost of assessments on trace reads and filters, and of logging them, beside baselines measured in the same run.

    python benchmarks/assessments.py [--traces 10000] [--log 500]

Two SQLite files hold the same N traces (three spans each, a `verdict` tag of yes or no); the second also holds
three assessments per trace (`verdict` and `score` feedback, an `answer` expectation), written in bulk. Each search
runs in a fresh process (its peak RSS is its own), `max_results=None`, without spans, as a list:

- every trace, without assessments (baseline) and with them: what reading the assessments adds;
- `tags.verdict = 'yes'` (baseline) against `feedback.verdict = 'yes'` and `feedback.score > 0.5` (same
  selectivity, half the traces), on the file with assessments.

Then `tracekit.log_feedback` on stored traces, one call at a time, beside `tracekit.set_trace_tag` (the baseline:
the same one-row write in one transaction). Printed: seconds, peak RSS, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from search_without_spans import build  # noqa: E402

BATCH = 2_000


def fill(uri: str, count: int, judged: bool) -> float:
    from tracekit.entities.assessment import Expectation, Feedback, new_assessment_id
    from tracekit.store.sql import assessments as assessment_rows
    from tracekit.store.sql.schema import assessments
    from tracekit.store.sql.traces import SqlTraceStore

    store = SqlTraceStore(uri)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        traces = [build(number) for number in range(first + 1, min(first + BATCH, count) + 1)]
        for trace in traces:
            trace.info.tags["verdict"] = "yes" if int(trace.info.trace_id[3:], 16) % 2 else "no"
        store.write_traces(traces)
        if not judged:
            continue
        rows = []
        for trace in traces:
            trace_id, good = trace.info.trace_id, trace.info.tags["verdict"] == "yes"
            for assessment in (
                    Feedback(name="verdict", value=trace.info.tags["verdict"], rationale="because " * 10),
                    Feedback(name="score", value=0.9 if good else 0.1),
                    Expectation(name="answer", value={"text": "Paris", "sources": ["a", "b"]})):
                assessment.trace_id, assessment.assessment_id = trace_id, new_assessment_id()
                rows.append(assessment_rows.assessment_row(assessment))
        store.database.write(lambda connection, rows=rows: connection.execute(assessments.insert(), rows))
    store.close()
    return time.perf_counter() - started


SEARCH = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from _measure import peak_rss_mb
import tracekit
tracekit.set_tracking_uri({uri!r})
tracekit.count_traces(["0"])  # opens the store: the same schema check for every search
started = time.perf_counter()
result = tracekit.search_traces(experiment_ids=["0"], filter_string={filter_string!r}, max_results=None,
                                include_spans=False, return_type="list")
elapsed = time.perf_counter() - started
assert len(result) == {expected}, len(result)
print(elapsed, peak_rss_mb(), sum(len(trace.info.assessments) for trace in result))
"""


def search(uri: str, filter_string: str | None, expected: int) -> tuple[float, float, int]:
    code = SEARCH.format(benchmarks=os.path.dirname(os.path.abspath(__file__)), uri=uri,
                         filter_string=filter_string, expected=expected)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss, assessments = done.stdout.split()
    return float(seconds), float(rss), int(assessments)


def log_rate(uri: str, calls: int) -> tuple[float, float]:
    """Calls per second of set_trace_tag (baseline) and of log_feedback, each on `calls` stored traces."""
    import tracekit

    tracekit.set_tracking_uri(uri)
    trace_ids = [f"tr-{number:032x}" for number in range(1, calls + 1)]
    rates = []
    for call in (lambda trace_id: tracekit.set_trace_tag(trace_id, "reviewed", "yes"),
                 lambda trace_id: tracekit.log_feedback(trace_id, "reviewed", True)):
        call(trace_ids[0])  # opens the store
        started = time.perf_counter()
        for trace_id in trace_ids:
            call(trace_id)
        rates.append(calls / (time.perf_counter() - started))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=10_000)
    parser.add_argument("--log", type=int, default=500, help="log_feedback calls to time")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="tracekit-bench-assessments-")
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: str) -> None:
    plain, judged = f"sqlite:///{folder}/plain.db", f"sqlite:///{folder}/judged.db"
    print(f"filling {args.traces:,} traces twice ... ", end="", flush=True)
    print(f"{fill(plain, args.traces, False):.1f} s without assessments, "
          f"{fill(judged, args.traces, True):.1f} s with 3 per trace")
    half = (args.traces + 1) // 2

    print("\nsearch_traces(max_results=None, include_spans=False, return_type='list'), each in a fresh process:")
    print(f"{'search':<46} {'seconds':>8} {'peak RSS MB':>12} {'time ratio':>11} {'RSS ratio':>10}")
    for title, cases in (
            ("every trace", [("no assessments (baseline)", plain, None, args.traces),
                             ("3 assessments per trace", judged, None, args.traces)]),
            ("half the traces", [("tags.verdict = 'yes' (baseline)", judged, "tags.verdict = 'yes'", half),
                                 ("feedback.verdict = 'yes'", judged, "feedback.verdict = 'yes'", half),
                                 ("feedback.score > 0.5", judged, "feedback.score > 0.5", half)])):
        print(f"-- {title}")
        base = None
        for label, uri, filter_string, expected in cases:
            seconds, rss, _ = search(uri, filter_string, expected)
            base = base or (seconds, rss)
            print(f"{label:<46} {seconds:>8.2f} {rss:>12.0f} {seconds / base[0]:>11.2f} {rss / base[1]:>10.2f}")

    tag_rate, feedback_rate = log_rate(plain, min(args.log, args.traces))
    print(f"\none call per stored trace ({min(args.log, args.traces):,} calls):")
    print(f"set_trace_tag (baseline)  {tag_rate:>8.0f} calls/s   1.00")
    print(f"log_feedback              {feedback_rate:>8.0f} calls/s   {feedback_rate / tag_rate:.2f}")


if __name__ == "__main__":
    main()
