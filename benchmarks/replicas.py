"""Ingest through one and two tracking servers on one PostgreSQL database, behind nginx, measured in one run.

    python benchmarks/replicas.py [--traces 4000] [--clients 8] [--postgres postgresql://postgres@127.0.0.1:5432/test]

K client processes share `--traces` three-span traces and write them in batches of 100 over HTTP to nginx (Debian's,
started here), which balances over one or two `tracekit server --workers 2` processes sharing one database; the
baseline is the same clients writing straight into the database. A fresh database is created for the run and dropped
after. Printed: traces/s, the ratio to the baseline and to one server, and the servers' and clients' peak RSS.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nginx_balancer import Balancer  # noqa: E402
from server import free_port, ingest, server_peak_rss_mb, start_server  # noqa: E402


def with_database(uri: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(uri)._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("TRACEKIT_BENCH_POSTGRES_URI",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.store.uri import to_sqlalchemy_url

    name = f"tk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(to_sqlalchemy_url(args.postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    uri = with_database(args.postgres, name)
    SqlTraceStore(uri).close()  # migrated once, before any server starts
    folder = Path(tempfile.mkdtemp(prefix="tracekit-replicas-"))
    rows = []
    try:
        direct, direct_rss = ingest("sql", uri, args.clients, args.traces)
        rows.append(("straight into PostgreSQL", direct, direct_rss, 0.0))
        for count in (1, 2):
            servers = [start_server(uri, folder / f"server{count}-{i}.log") for i in range(count)]
            (folder / f"nginx{count}").mkdir()
            balancer = Balancer(folder / f"nginx{count}", free_port(),
                                [int(url.rsplit(":", 1)[1]) for _, url in servers])
            balancer.start()
            try:
                rate, client_rss = ingest("http", balancer.url, args.clients, args.traces)
                server_rss = max(server_peak_rss_mb(process) for process, _ in servers)
                rows.append((f"{count} server{'s' if count > 1 else ''} behind nginx", rate, client_rss,
                             server_rss))
            finally:
                balancer.stop()
                for process, _ in servers:
                    process.terminate()
                    process.wait(10)
    finally:
        admin.dispose()
        admin = create_engine(to_sqlalchemy_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"\n{args.traces:,} traces of 3 spans from {args.clients} client processes, batches of 100, PostgreSQL:")
    print(f"{'how':<28} {'traces/s':>9} {'vs direct':>10} {'vs 1 server':>12} {'client RSS MB':>14} "
          f"{'server RSS MB':>14}")
    one = rows[1][1]
    for label, rate, client_rss, server_rss in rows:
        print(f"{label:<28} {rate:>9,.0f} {rate / rows[0][1]:>10.2f} {rate / one:>12.2f} {client_rss:>14.0f} "
              f"{server_rss:>14.0f}")


if __name__ == "__main__":
    main()
