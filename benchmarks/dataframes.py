"""`search_traces` as a DataFrame, per trace, beside the bare SQL reading the same rows.

    python benchmarks/dataframes.py [--traces 100000] [--db PATH]

A SQLite file is filled with N three-span traces written straight to the store (see search_without_spans.py: about
1.5 KB of inputs and outputs per trace, two tags, token usage), in runs of 1,000 traces. Timed in this process: a
run's 1,000 traces (`search_traces(run_id=...)`), the newest 10,000, and every trace; the baseline reads the same
trace_info, tag, metadata and span rows with SQLAlchemy and does nothing with them (the floor the database sets).
Printed: the case's first search (wall ms), then settled figures (median of 5, 3 for every trace): wall ms, CPU ms
of this process (which other people's load moves far less), µs per trace (CPU), the wall ratio to the baseline, and
peak RSS (about one search's peak: no frame is held while the next is built), and the CPU steal so far (time the
hypervisor gave other guests: with more than a few percent the machine was not a quiet one).

First and settled differ for reasons of a fresh process, not of tracekit: the first search of a size touches the
heap it grows into (page faults: system time, 0.4-1 s more for every trace's frame of 100,000), and the cyclic
collector makes one pass over the objects the imports left (~15 ms) within the first few searches (a run's 1,000 ran
~48 ms for a few calls, then ~34). The modules are imported and that pass made (`gc.collect()`) before anything is
timed, so what is left of "first" is the heap's growth and first uses (SQLAlchemy compiling and caching each
statement, pandas' first nullable-integer column): some 5-30 ms for a run's 1,000. Sequential searches reuse one
pooled SQLite connection, and a fresh connection (or rows never read before) searched no slower than a warm one, so
there is no cold page cache for tracekit to keep warm.

The `spans` cells are decoded when first read, not while the frame is built, so the search times above leave that
work out; the second table prints it: the time to read every `spans` cell of a fresh frame once (median of 3, 1 for
every trace), and the peak RSS once those decoded spans are held too.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _measure import StealMeter, median_ms, peak_rss_mb  # noqa: E402
from search_without_spans import BATCH, build  # noqa: E402

RUN_SIZE = 1_000


def run_of(number: int) -> str:
    return f"run-{(number - 1) // RUN_SIZE:05d}"


def fill(uri: str, count: int) -> float:
    from tracekit.constants import TraceMetadataKey
    from tracekit.store.sql.traces import SqlTraceStore

    store = SqlTraceStore(uri)
    started = time.perf_counter()
    for first in range(1, count + 1, BATCH):
        batch = []
        for number in range(first, min(first + BATCH, count + 1)):
            trace = build(number)
            trace.info.trace_metadata[TraceMetadataKey.SOURCE_RUN] = run_of(number)
            batch.append(trace)
        store.write_traces(batch)
    store.close()
    return time.perf_counter() - started


def bare_sql(uri: str, run_id: str | None, limit: int | None):
    from sqlalchemy import select

    from tracekit.store.sql import schema
    from tracekit.store.sql.database import chunks
    from tracekit.store.sql.engine import create_store_engine

    engine = create_store_engine(uri)
    info = schema.trace_info
    query = select(info).order_by(info.c.request_time.desc(), info.c.trace_id.desc())
    # The best SQL for each case: a run's traces by the run_id index, the others by the (experiment, time) index.
    query = query.where(info.c.run_id == run_id) if run_id is not None else query.where(info.c.experiment_id == "0")
    if limit is not None:
        query = query.limit(limit)

    def read() -> int:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.trace_id for row in rows]
            for chunk in chunks(ids):
                for table in (schema.trace_tags, schema.trace_metadata):
                    connection.execute(select(table.c.trace_id, table.c.key, table.c.value)
                                       .where(table.c.trace_id.in_(chunk))).all()
                connection.execute(select(schema.spans.c.trace_id, schema.spans.c.content)
                                   .where(schema.spans.c.trace_id.in_(chunk))).all()
        return len(rows)

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--db", help="SQLite file: filled if missing, else read as it is")
    args = parser.parse_args()
    steal = StealMeter()
    path = args.db or os.path.join(tempfile.mkdtemp(prefix="tracekit-bench-"), "frames.db")
    uri = f"sqlite:///{path}"
    if not os.path.exists(path):
        print(f"filling {args.traces:,} traces ... ", end="", flush=True)
        print(f"{fill(uri, args.traces):.1f} s")
    import tracekit

    tracekit.set_tracking_uri(uri)
    tracekit.count_traces(["0"])  # opens the store
    import tracekit.dataframes  # noqa: F401 - pandas' import is not a search's cost

    gc.collect()  # the collector's pass over the imports' objects, which a first few searches would otherwise pay
    middle_run = run_of(args.traces // 2)
    cases = [(f"a run's {RUN_SIZE:,} traces", middle_run, None, RUN_SIZE),
             ("newest 10,000", None, 10_000, min(10_000, args.traces)),
             (f"all {args.traces:,}", None, None, args.traces)]
    print(f"\n{'search_traces DataFrame':<26} {'first ms':>9} {'bare SQL ms':>12} {'settled ms':>11} "
          f"{'CPU ms':>8} {'CPU µs/trace':>13} {'ratio':>7}")
    for label, run_id, limit, expected in cases:
        repeats = 5 if expected <= 10_000 else 3
        started = time.perf_counter()
        frame = tracekit.search_traces(["0"], run_id=run_id, max_results=limit)
        first = (time.perf_counter() - started) * 1000
        assert len(frame) == expected, (label, len(frame))
        del frame  # else the timed searches below build theirs while this one is held: two frames in the peak RSS
        base = median_ms(bare_sql(uri, run_id, limit), repeats)
        ours, cpu = median_wall_and_cpu_ms(
            lambda r=run_id, n=limit: tracekit.search_traces(["0"], run_id=r, max_results=n), repeats)
        print(f"{label:<26} {first:>9.1f} {base:>12.1f} {ours:>11.1f} {cpu:>8.1f} {cpu * 1000 / expected:>13.1f} "
              f"{ours / base:>7.1f}x")
    print(f"peak RSS {peak_rss_mb():.0f} MB, load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}, "
          f"{steal.describe()} so far")
    print(f"\n{'then reading every spans cell':<30} {'ms':>8} {'µs/trace':>9}")
    for label, run_id, limit, expected in cases:
        decoding = median_ms_of(lambda r=run_id, n=limit: decode_every_cell(r, n), 3 if expected <= 10_000 else 1)
        print(f"{label:<30} {decoding:>8.1f} {decoding * 1000 / expected:>9.1f}")
    print(f"peak RSS {peak_rss_mb():.0f} MB, load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}, "
          f"{steal.describe()} so far")


def decode_every_cell(run_id: str | None, limit: int | None) -> float:
    """Ms taken to read (and so decode) every `spans` cell of a fresh search's frame."""
    import tracekit

    cells = tracekit.search_traces(["0"], run_id=run_id, max_results=limit)["spans"].tolist()
    started = time.perf_counter()
    for cell in cells:
        cell.to_list()
    return (time.perf_counter() - started) * 1000


def median_wall_and_cpu_ms(func, repeats: int) -> tuple[float, float]:
    """The medians of `repeats` calls of `func`: wall ms, and CPU ms of this process."""
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def median_ms_of(measure, repeats: int) -> float:
    """The median of `repeats` calls of `measure`, which returns its own ms."""
    return statistics.median(measure() for _ in range(repeats))


if __name__ == "__main__":
    main()
