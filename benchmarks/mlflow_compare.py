"""tracekit beside MLflow Tracing on the same workload and the same kind of store (a SQLite file), in one process.

    python benchmarks/mlflow_compare.py [--traces 2000]

Needs MLflow (`pip install -e ".[bench]"`, best in its own virtual environment: MLflow pins its own OpenTelemetry).
Both libraries trace the workload of `search.py` (three spans, two tags per trace) into a fresh SQLite file with
their default asynchronous export, then answer the same searches. MLflow is slow to store, so the trace count is
small by default.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import search  # noqa: E402  (the workload)
from _measure import median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402


def mlflow_workload(mlflow) -> Callable[[int], str]:
    """The workload of `search.answer`, traced with MLflow."""

    @mlflow.trace(span_type="RETRIEVER")
    def retrieve(question: str) -> list[str]:
        return [f"doc about {question}", "another doc"]

    @mlflow.trace(name="answer", span_type="CHAIN")
    def answer(number: int) -> str:
        mlflow.update_current_trace(tags={"user": f"u{number % 100}", "env": "prod" if number % 3 else "dev"})
        docs = retrieve(f"question {number}")
        with mlflow.start_span(f"tool_{number % search.TOOLS}", span_type="TOOL") as span:
            span.set_inputs({"number": number})
            span.set_outputs({"value": number * 2})
        return f"answer {number} from {len(docs)} docs"

    return answer


def timed_fill(call: Callable[[int], object], flush: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for number in range(count):
        call(number)
    flush()
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=2_000)
    args = parser.parse_args(argv)
    try:
        import mlflow
    except ImportError:
        sys.exit("MLflow is not installed: pip install -e '.[bench]' (in a separate virtual environment).")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)  # MLflow renames search_traces' parameters
    count = args.traces

    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("TRACEKIT_SPILL_DIR", os.path.join(folder, "spill"))
        tracekit.set_tracking_uri(f"sqlite:///{os.path.join(folder, 'tracekit.db')}")
        tracekit.tracing.reset()
        tracekit_seconds = timed_fill(search.answer, tracekit.flush_trace_async_logging, count)

        mlflow.set_tracking_uri(f"sqlite:///{os.path.join(folder, 'mlflow.db')}")
        experiment_id = mlflow.create_experiment(
            "bench", artifact_location=Path(folder, "mlflow-artifacts").as_uri())  # not ./mlruns
        mlflow.set_experiment(experiment_id=experiment_id)
        mlflow_answer = mlflow_workload(mlflow)
        mlflow_seconds = timed_fill(mlflow_answer, mlflow.flush_trace_async_logging, count)
        mlflow_stored = len(mlflow.search_traces(experiment_ids=[experiment_id], max_results=count * 2))
        tracekit_stored = len(tracekit.search_traces(max_results=count * 2, return_type="list"))

        print(f"python {sys.version.split()[0]}, tracekit {tracekit.__version__}, mlflow {mlflow.__version__}; "
              f"{count:,} traces of 3 spans into SQLite\n")
        print(f"{'':<26} {'MLflow':>12} {'tracekit':>12} {'MLflow/tracekit':>16}")
        print(f"{'stored (traces)':<26} {mlflow_stored:>12,} {tracekit_stored:>12,}")
        print(f"{'traced + stored, traces/s':<26} {count / mlflow_seconds:>12,.0f} {count / tracekit_seconds:>12,.0f} "
              f"{mlflow_seconds / tracekit_seconds:>15.1f}x")

        queries: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
            "newest 100": (lambda: mlflow.search_traces(experiment_ids=[experiment_id], max_results=100),
                           lambda: tracekit.search_traces(max_results=100)),
            "tag filter (100)": (
                lambda: mlflow.search_traces(experiment_ids=[experiment_id], filter_string="tags.user = 'u7'",
                                             max_results=100),
                lambda: tracekit.search_traces(filter_string="tags.user = 'u7'", max_results=100)),
            "all as DataFrame": (
                lambda: mlflow.search_traces(experiment_ids=[experiment_id], max_results=count),
                lambda: tracekit.search_traces(max_results=count)),
        }
        print(f"\n{'query (median of 5, ms)':<26} {'MLflow':>12} {'tracekit':>12} {'MLflow/tracekit':>16}")
        for label, (theirs, ours) in queries.items():
            try:
                mlflow_ms = median_ms(theirs)
            except Exception as error:  # noqa: BLE001 - a query this MLflow version lacks is reported, not fatal
                print(f"{label:<26} {'failed':>12}  ({type(error).__name__}: {str(error)[:60]})")
                continue
            tracekit_ms = median_ms(ours)
            print(f"{label:<26} {mlflow_ms:>12.1f} {tracekit_ms:>12.1f} {mlflow_ms / tracekit_ms:>15.1f}x")
            if label == "all as DataFrame":  # each returns what it stored, and MLflow may have stored fewer
                mlflow_per, tracekit_per = mlflow_ms / max(mlflow_stored, 1), tracekit_ms / max(tracekit_stored, 1)
                print(f"{'  per stored trace':<26} {mlflow_per:>12.3f} {tracekit_per:>12.3f} "
                      f"{mlflow_per / tracekit_per:>15.1f}x")
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
