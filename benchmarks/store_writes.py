"""Store writes alone: traces/s of `SqlTraceStore.write_traces` into SQLite, PostgreSQL and MariaDB.

    python benchmarks/store_writes.py [--traces 10000] [--rounds 3] [--backends sqlite,postgresql,mysql]
                                      [--old-schema 0009_trace_child_keys]

The traces come from the real tracing path (the `search.py` workload: 3 spans, 2 tags, half of them with a run id)
and are written as the export worker writes them: batches of TRACEKIT_EXPORT_BATCH_SIZE, one transaction each.
Each round, on a fresh set of tables (emptied by TRUNCATE), writes them once ("new") and then again ("again": every
trace already stored, what a retried batch does), through each path below (which goes first alternates), so all see
the same load:

- baseline: the previous SQLAlchemy path, every table's rows as one executemany (which psycopg 3 pipelines and
  PyMySQL turns into multi-row INSERTs);
- tracekit on the 0009 schema: tracekit's path into a second database of the same kind, downgraded to migration 0009
  (before 0010_spans_covering_key and 0011_trace_info_partial_indexes), so the ratio beside "tracekit" is what those
  two index changes are worth;
- tracekit: what `SqlDatabase` does now. PostgreSQL: rows of new traces COPYed straight into their tables (binary
  format, trace_info and span rows made while their COPY streams, the four COPYs under one savepoint), the others
  into a temporary staging table, then one `INSERT ... SELECT ... ON CONFLICT` per table and batch, rewriting only
  the stored rows whose values differ (tracekit/store/sql/postgres_writes.py); MySQL/MariaDB: the same multi-row
  INSERTs, written without SQLAlchemy's per-row processing and with faster string quoting than PyMySQL's
  (mysql_writes.py); SQLite: unchanged, so its ratio shows the noise.

Each path and phase: the median over rounds of traces/s (wall) and its spread (slowest-fastest round, so one slow
round, a checkpoint say, does not decide), this process's CPU µs per trace, and on PostgreSQL the server backend's
CPU µs per trace (read from /proc), the WAL the whole server wrote per trace (other writers to it included) and the
checkpoints during the rounds (summed); medians. Then, with more than one backend, the last table: tracekit's path
alone into every backend, the backends taking turns within each round, and each backend's ratio to SQLite measured
round by round (on a shared machine the host's speed moves between the sections above, so their figures are not
compared across backends). Prints the load average before and after, the CPU steal during the run (time the
hypervisor gave other guests: a run with more than a few percent was not on a quiet machine), and the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _measure import StealMeter, peak_rss_mb  # noqa: E402
from alembic import command  # noqa: E402
from search import KeepFirstTraces, answer  # noqa: E402

import tracekit  # noqa: E402
import tracekit.config  # noqa: E402
from tracekit.store.sql import migrate  # noqa: E402
from tracekit.store.sql.traces import SqlTraceStore  # noqa: E402
from tracekit.store.uri import to_sqlalchemy_url  # noqa: E402

SERVERS = {"postgresql": os.environ.get("TRACEKIT_BENCH_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test"),
           "mysql": os.environ.get("TRACEKIT_BENCH_MYSQL_URI", "mysql://root@127.0.0.1:3306/test")}
TRACE_TABLES = ("assessments", "spans", "trace_metadata", "trace_tags", "trace_info")


def make_traces(count: int) -> list:
    sample = KeepFirstTraces(count)
    tracekit.tracing.set_exporter(sample)
    for number in range(count):
        answer(number)
    tracekit.flush_trace_async_logging()
    tracekit.tracing.set_exporter(None)
    return sample.kept


def server_counters(store: SqlTraceStore) -> Callable[[], tuple[float, int, int]]:
    """(CPU seconds so far of the PostgreSQL backend serving the store's pooled connection, WAL bytes written so far
    by the whole server, checkpoints so far); zeros elsewhere. A checkpoint during a round makes the next change of
    each page write the whole page to the WAL again (full_page_writes), and DROP DATABASE, which other test runs on
    a shared server do, asks for one."""
    if store.database.dialect != "postgresql":
        return lambda: (0.0, 0, 0)
    with store.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

    def read() -> tuple[float, int, int]:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            cpu = 0.0
        with store.engine.connect() as connection:
            wal, checkpoints = connection.exec_driver_sql(
                "SELECT pg_current_wal_lsn() - '0/0', checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter").one()
        return cpu, int(wal), int(checkpoints)
    return read


def empty_tables(store: SqlTraceStore) -> None:
    """Fresh, empty trace tables: TRUNCATE on the servers (a DELETE leaves dead rows and index entries that the next
    round's inserts work around, what an append-only trace store never sees); SQLite's unqualified DELETE truncates."""
    with store.engine.begin() as connection:
        dialect = store.database.dialect
        if dialect == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(TRACE_TABLES)}"))
        elif dialect in ("mysql", "mariadb"):
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            for table in TRACE_TABLES:
                connection.execute(text(f"TRUNCATE TABLE {table}"))
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
        else:
            for table in TRACE_TABLES:
                connection.execute(text(f"DELETE FROM {table}"))


def timed_writes(store: SqlTraceStore, traces: list, batch: int, server: Callable[[], tuple[float, int, int]]
                 ) -> tuple[float, float, float, float, int]:
    """(traces/s, client CPU µs/trace, server CPU µs/trace, WAL bytes/trace, checkpoints meanwhile) of writing
    `traces` in batches of `batch`."""
    start_server, start_wal, start_checkpoints = server()
    start, start_cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(traces), batch):
        store.write_traces(traces[first:first + batch])
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    end_server, end_wal, end_checkpoints = server()
    return (len(traces) / wall, cpu / len(traces) * 1e6, (end_server - start_server) / len(traces) * 1e6,
            (end_wal - start_wal) / len(traces), end_checkpoints - start_checkpoints)


def at_revision(store: SqlTraceStore, revision: str) -> SqlTraceStore:
    """`store`, its (new, empty) database migrated back down to `revision`."""
    config = migrate.alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    store.close()  # pooled connections may hold plans of the tables as they were
    return store


def bench_backend(name: str, uri: str, old_uri: str | None, old_schema: str | None, traces: list,
                  rounds: int) -> None:
    batch = tracekit.config.EXPORT_BATCH_SIZE.get()
    print(f"\n== {name}: {len(traces):,} traces of 3 spans in batches of {batch}, median of {rounds} rounds ==")
    store = SqlTraceStore(uri)
    stores = [store]
    try:
        # label -> (store, batch writer, server CPU reader)
        paths: dict[str, tuple[SqlTraceStore, Any, Callable[[], tuple[float, int, int]]]] = {}
        counters = server_counters(store)
        paths["baseline (previous executemany path)"] = (store, None, counters)
        if old_uri is not None and old_schema is not None:
            old = at_revision(SqlTraceStore(old_uri), old_schema)
            stores.append(old)
            paths[f"tracekit on the {old_schema[:4]} schema"] = (old, old.database.batch_writer,
                                                                 server_counters(old))
        paths["tracekit"] = (store, store.database.batch_writer, counters)
        figures_of: dict[tuple[str, str], list[tuple[float, float, float, float, int]]] = {}
        for round_number in range(rounds):
            # alternate which path goes first, so none always follows the others' deletes
            for label, (path_store, writer, cpu) in list(paths.items())[::1 if round_number % 2 == 0 else -1]:
                path_store.database.batch_writer = writer
                empty_tables(path_store)
                for phase in ("new", "again"):
                    figures_of.setdefault((label, phase), []).append(timed_writes(path_store, traces, batch, cpu))
        for path_store in stores:
            with path_store.engine.connect() as connection:
                stored = connection.exec_driver_sql("SELECT count(*) FROM trace_info").scalar()
                stored_spans = connection.exec_driver_sql("SELECT count(*) FROM spans").scalar()
            assert stored == len(traces) and stored_spans == 3 * len(traces), (stored, stored_spans)
        print(f"{'path':<38} {'phase':<6} {'traces/s':>9} {'spread':>15} {'ratio':>6} {'client CPU µs/trace':>20} "
              f"{'server CPU µs/trace':>20} {'WAL B/trace':>12} {'checkpoints':>12}")
        for phase in ("new", "again"):
            base = statistics.median(
                figures[0] for figures in figures_of[("baseline (previous executemany path)", phase)])
            for label in paths:
                rates, clients, servers, wal, checkpoints = zip(*figures_of[(label, phase)], strict=True)
                rate = statistics.median(rates)
                spread = f"{min(rates):,.0f}-{max(rates):,.0f}"
                server_text = (f"{statistics.median(servers):>20.0f} {statistics.median(wal):>12,.0f} "
                               f"{sum(checkpoints):>12}") if name == "postgresql" else f"{'-':>20} {'-':>12} {'-':>12}"
                print(f"{label:<38} {phase:<6} {rate:>9,.0f} {spread:>15} {rate / base:>5.2f}x "
                      f"{statistics.median(clients):>20.0f} {server_text}")
    finally:
        for path_store in stores:
            path_store.close()


def server_database(name: str) -> tuple[str, Callable[[], None]]:
    """A fresh, uniquely named database on the server `name`, and how to drop it."""
    base = SERVERS[name]
    database = f"tk_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(to_sqlalchemy_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {database}")

    def drop() -> None:
        with admin.connect() as connection:
            force = " WITH (FORCE)" if name == "postgresql" else ""
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
        admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{database}", drop


def side_by_side(uris: dict[str, str], traces: list, rounds: int) -> None:
    """tracekit's path alone ("new" traces) into every backend, the backends taking turns within each round (which
    goes first rotates), so each ratio to SQLite is the median of ratios measured minutes, not a whole section, apart:
    on a shared machine the host's speed moves more than that between sections."""
    batch = tracekit.config.EXPORT_BATCH_SIZE.get()
    stores = {name: SqlTraceStore(uri) for name, uri in uris.items()}
    rates: dict[str, list[float]] = {name: [] for name in stores}
    names = list(stores)
    try:
        for round_number in range(rounds):
            turn = round_number % len(names)
            for name in names[turn:] + names[:turn]:
                empty_tables(stores[name])
                rates[name].append(timed_writes(stores[name], traces, batch, lambda: (0.0, 0, 0))[0])
    finally:
        for store in stores.values():
            store.close()
    print(f"\n== the backends side by side: tracekit, new traces, {rounds} rounds, backends taking turns ==")
    print(f"{'backend':<12} {'traces/s':>9} {'spread':>15} {'ratio to SQLite':>16} {'ratio spread':>13}")
    for name in names:
        ratio_text = f"{'-':>16} {'-':>13}"
        if "sqlite" in rates:
            ratios = [rate / base for rate, base in zip(rates[name], rates["sqlite"], strict=True)]
            ratio_text = f"{statistics.median(ratios):>15.2f}x {min(ratios):>6.2f}-{max(ratios):.2f}"
        print(f"{name:<12} {statistics.median(rates[name]):>9,.0f} "
              f"{min(rates[name]):>7,.0f}-{max(rates[name]):<7,.0f} {ratio_text}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--side-by-side-rounds", type=int, default=5,
                        help="rounds of the last table, the backends taking turns (0 to skip)")
    parser.add_argument("--backends", default="sqlite,postgresql,mysql")
    parser.add_argument("--old-schema", default="0009_trace_child_keys",
                        help="also write into a database at this migration ('' to skip)")
    args = parser.parse_args(argv)

    steal = StealMeter()
    print(f"python {sys.version.split()[0]}, tracekit {tracekit.__version__}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as drops:
        os.environ.setdefault("TRACEKIT_SPILL_DIR", os.path.join(folder, "spill"))
        tracekit.tracing.reset()
        traces = make_traces(args.traces)
        old_schema = args.old_schema or None
        uris: dict[str, str] = {}
        for name in args.backends.split(","):
            if name == "sqlite":
                uri, old_uri = (f"sqlite:///{os.path.join(folder, 'bench.db')}",
                                f"sqlite:///{os.path.join(folder, 'old.db')}")
            else:
                uri, drop = server_database(name)
                drops.callback(drop)
                old_uri = None
                if old_schema:
                    old_uri, drop_old = server_database(name)
                    drops.callback(drop_old)
            uris[name] = uri
            bench_backend(name, uri, old_uri, old_schema, traces, args.rounds)
        if args.side_by_side_rounds > 0 and len(uris) > 1:
            side_by_side(uris, traces, args.side_by_side_rounds)
    print(f"\nload average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}, {steal.describe()}")
    print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
