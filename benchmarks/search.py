"""Export throughput and search latency of the SQL trace store, beside the raw database doing the same work.

    python benchmarks/search.py [--traces 100000] [--backends sqlite,postgresql] [--postgres-uri URI]

For each backend, a fresh database is filled through the real tracing path: N traced calls of three spans each
(a CHAIN root with a RETRIEVER child and a TOOL child whose name is one of 20), two tags per trace, half of the
traces linked to one of 10 runs. Export throughput is the traces stored per second from the first call until
`flush_trace_async_logging()` returns; the baseline is the same loop into an exporter that discards (what
tracing alone costs, so the ratio is what storage adds).

Then each query runs 5 times (median, ms): `search_traces(...)` as a user calls it (DataFrame of full traces,
spans included) beside the bare SQL selecting the same trace ids with SQLAlchemy (the floor the database sets).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

from sqlalchemy import MetaData, and_, exists, select

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _measure import median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
import tracekit.config  # noqa: E402
from tracekit.constants import TraceMetadataKey  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402
from tracekit.store.backend import get_backend  # noqa: E402
from tracekit.store.sql import schema  # noqa: E402
from tracekit.store.sql.engine import create_store_engine  # noqa: E402

WRITE_SAMPLE = 10_000
RUNS = 10
TOOLS = 20


class KeepFirstTraces(TraceExporter):
    """Keeps the first `limit` traces (to time bare store writes with) and discards the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list = []

    def export(self, traces) -> None:
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept.extend(traces[:room])


@tracekit.trace(span_type="RETRIEVER")
def retrieve(question: str) -> list[str]:
    return [f"doc about {question}", "another doc"]


def use_tool(number: int) -> dict:
    with tracekit.start_span(f"tool_{number % TOOLS}", span_type="TOOL") as span:
        span.set_inputs({"number": number})
        result = {"value": number * 2}
        span.set_outputs(result)
    return result


@tracekit.trace(name="answer", span_type="CHAIN")
def answer(number: int) -> str:
    metadata = {TraceMetadataKey.SOURCE_RUN: f"run-{number % RUNS}"} if number % 2 == 0 else None
    tracekit.update_current_trace(tags={"user": f"u{number % 100}", "env": "prod" if number % 3 else "dev"},
                                  metadata=metadata)
    docs = retrieve(f"question {number}")
    use_tool(number)
    return f"answer {number} from {len(docs)} docs"


def fill(count: int) -> float:
    start = time.perf_counter()
    for number in range(count):
        answer(number)
    tracekit.flush_trace_async_logging()
    return time.perf_counter() - start


def reset_database(uri: str) -> None:
    engine = create_store_engine(uri)
    try:
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


def raw_queries(uri: str) -> dict[str, Callable[[], object]]:
    """The same selections written by hand in SQLAlchemy Core, ids only."""
    engine = create_store_engine(uri)
    info, tags, spans = schema.trace_info, schema.trace_tags, schema.spans
    newest = select(info.c.trace_id).where(info.c.experiment_id == "0").order_by(
        info.c.request_time.desc(), info.c.trace_id.desc())

    def run(statement) -> Callable[[], object]:
        def execute() -> list:
            with engine.connect() as connection:
                return list(connection.scalars(statement))
        return execute

    tag_match = exists().where(and_(tags.c.trace_id == info.c.trace_id, tags.c.key == "user", tags.c.value == "u7"))
    span_match = exists().where(and_(spans.c.trace_id == info.c.trace_id, spans.c.name == "tool_7"))
    return {
        "newest 100": run(newest.limit(100)),
        "tag filter (100)": run(newest.where(tag_match).limit(100)),
        "run_id (100)": run(newest.where(info.c.run_id == "run-4").limit(100)),
        "span.name filter (100)": run(newest.where(span_match).limit(100)),
        "10,000-row DataFrame": run(newest.limit(10_000)),
    }


def tracekit_queries() -> dict[str, Callable[[], object]]:
    return {
        "newest 100": lambda: tracekit.search_traces(max_results=100),
        "tag filter (100)": lambda: tracekit.search_traces(filter_string="tags.user = 'u7'", max_results=100),
        "run_id (100)": lambda: tracekit.search_traces(run_id="run-4", max_results=100),
        "span.name filter (100)": lambda: tracekit.search_traces(filter_string="span.name = 'tool_7'",
                                                                 max_results=100),
        "10,000-row DataFrame": lambda: tracekit.search_traces(max_results=10_000),
    }


def check_results() -> None:
    """The queries return what they should, so the timings are of real answers."""
    assert len(tracekit.search_traces(max_results=100)) == 100
    tagged = tracekit.search_traces(filter_string="tags.user = 'u7'", max_results=100)
    assert len(tagged) > 0 and all(tags["user"] == "u7" for tags in tagged["tags"])
    in_run = tracekit.search_traces(run_id="run-4", max_results=100, return_type="list")
    assert in_run and all(t.info.trace_metadata[TraceMetadataKey.SOURCE_RUN] == "run-4" for t in in_run)
    by_span = tracekit.search_traces(filter_string="span.name = 'tool_7'", max_results=100, return_type="list")
    assert by_span and all(any(s.name == "tool_7" for s in t.data.spans) for t in by_span)


def bench_backend(name: str, uri: str, count: int) -> None:
    print(f"\n== {name}: {count:,} traces of 3 spans ==")
    if not uri.startswith("sqlite"):
        reset_database(uri)
    sample = KeepFirstTraces(WRITE_SAMPLE)
    tracekit.tracing.set_exporter(sample)
    baseline_seconds = fill(count)
    tracekit.set_tracking_uri(uri)
    tracekit.tracing.set_exporter(None)
    tracekit.tracing.reset()

    # The store alone, as the export worker drives it: batches of TRACEKIT_EXPORT_BATCH_SIZE, one transaction each.
    store = get_backend(uri).traces
    batch = tracekit.config.EXPORT_BATCH_SIZE.get()
    start = time.perf_counter()
    for first in range(0, len(sample.kept), batch):
        store.write_traces(sample.kept[first:first + batch])
    write_seconds = time.perf_counter() - start
    store.delete_traces("0", trace_ids=[t.info.trace_id for t in sample.kept])
    print(f"store writes alone: {len(sample.kept) / write_seconds:,.0f} traces/s "
          f"({len(sample.kept):,} traces in batches of {batch})")
    seconds = fill(count)
    stats = tracekit.tracing.stats()
    stored = len(tracekit.search_traces(max_results=None, return_type="list")) if count <= 20_000 else None
    print(f"export: {count / seconds:,.0f} traces/s stored (tracing into a discarding exporter: "
          f"{count / baseline_seconds:,.0f} traces/s; storage makes it {seconds / baseline_seconds:.2f}x slower); "
          f"exported {stats.exported:,}, spilled {stats.spilled:,}, replayed {stats.replayed:,}, "
          f"dropped {stats.dropped}" + (f", read back {stored:,}" if stored is not None else ""))

    if uri.startswith("postgresql"):
        # What autovacuum does within a minute of a bulk load; without it the planner guesses on an empty table.
        engine = create_store_engine(uri)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        engine.dispose()
    check_results()
    raw = raw_queries(uri)
    ours = tracekit_queries()
    print(f"{'query (median of 5)':<24} {'raw SQL ms':>11} {'tracekit ms':>12} {'ratio':>8}")
    for label, query in ours.items():
        raw_ms = median_ms(raw[label])
        tracekit_ms = median_ms(query)
        print(f"{label:<24} {raw_ms:>11.1f} {tracekit_ms:>12.1f} {tracekit_ms / raw_ms:>7.1f}x")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-uri", default=os.environ.get("TRACEKIT_BENCH_POSTGRES_URI",
                                                                   "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}, tracekit {tracekit.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("TRACEKIT_SPILL_DIR", os.path.join(folder, "spill"))
        tracekit.tracing.reset()
        uris = {"sqlite": f"sqlite:///{os.path.join(folder, 'bench.db')}", "postgresql": args.postgres_uri}
        for backend in args.backends.split(","):
            bench_backend(backend, uris[backend], args.traces)
    print("\nMLflow on the same workload: benchmarks/mlflow_compare.py (needs the bench extra).")
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
