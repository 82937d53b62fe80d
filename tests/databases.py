"""The real database servers the tests use, and the databases this test run creates on them.

PostgreSQL and MariaDB on 127.0.0.1 (pick others with TRACEKIT_TEST_POSTGRES_URI / TRACEKIT_TEST_MYSQL_URI; the
database named there is only used to connect). On first use in a run, each server gets two databases of this run's
own, named `tk_<pid>_<random hex>`, so that two runs on one machine never touch each other's tables:

- the store database, migrated once; `server_database` empties its rows before each test (fast, unlike migrating);
- the bare database, for tests of migrations; `empty_server_database` drops every table in it.

`drop_created_databases` drops both at the end of the session (tests/conftest.py calls it, failed run or not). A
server that cannot be reached skips its tests, except under CI=true, where it fails them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from ci import require_or_skip
from sqlalchemy import MetaData, Table, create_engine, text
from sqlalchemy.engine import Engine

from tracekit.store.sql import migrate
from tracekit.store.sql.engine import check_connection, create_store_engine
from tracekit.store.uri import to_sqlalchemy_url

# The machine's shared database, only connected to in order to create (and later drop) this run's own ones.
CONNECT_DATABASE = "test"
SERVER_URIS = {
    "postgresql": os.environ.get("TRACEKIT_TEST_POSTGRES_URI",
                                 f"postgresql://postgres@127.0.0.1:5432/{CONNECT_DATABASE}"),
    "mysql": os.environ.get("TRACEKIT_TEST_MYSQL_URI", f"mysql://root@127.0.0.1:3306/{CONNECT_DATABASE}"),
}
BACKENDS = ("sqlite", *SERVER_URIS)
KEPT_TABLE = "alembic_version"


def unavailable(backend: str, reason: str) -> None:
    """Skip the test, or fail it under CI=true, because `backend` cannot be reached."""
    require_or_skip(f"{backend} test database unavailable: {reason}")


def with_database(uri: str, name: str) -> str:
    """`uri` pointing at database `name` on the same server."""
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class RunDatabases:
    """This run's two databases on one server, and what resetting the store database needs."""

    store_uri: str
    bare_uri: str
    store_engine: Engine
    # Table names children first (delete order), and the rows a freshly migrated database holds.
    tables: list[str] = field(default_factory=list)
    seed_rows: list[tuple[Table, list[dict]]] = field(default_factory=list)


_created: dict[str, RunDatabases] = {}
_failures: dict[str, str] = {}


def _admin_engine(backend: str) -> Engine:
    return create_engine(to_sqlalchemy_url(SERVER_URIS[backend]), isolation_level="AUTOCOMMIT")


def _create(backend: str) -> RunDatabases:
    name = f"tk_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin_engine(backend)
    try:
        with admin.connect() as connection:
            for database in (name, f"{name}_bare"):
                connection.execute(text(f"CREATE DATABASE {database}"))
    finally:
        admin.dispose()
    created = RunDatabases(store_uri=with_database(SERVER_URIS[backend], name),
                           bare_uri=with_database(SERVER_URIS[backend], f"{name}_bare"),
                           store_engine=create_store_engine(with_database(SERVER_URIS[backend], name)))
    _created[backend] = created  # registered before migrating, so a failed migration still drops it
    migrate.upgrade(created.store_engine)
    reflected = MetaData()
    reflected.reflect(created.store_engine)
    created.tables = [table.name for table in reversed(reflected.sorted_tables) if table.name != KEPT_TABLE]
    with created.store_engine.connect() as connection:
        for table in reflected.sorted_tables:
            rows = [dict(row._mapping) for row in connection.execute(table.select())]
            if table.name != KEPT_TABLE and rows:
                created.seed_rows.append((table, rows))
    return created


def _run_databases(backend: str) -> RunDatabases:
    if backend in _failures:
        unavailable(backend, _failures[backend])
    if backend not in _created:
        try:
            _create(backend)
        except Exception as error:  # noqa: BLE001 - any failure to reach the server decides skip or fail
            _failures[backend] = str(error)
            unavailable(backend, str(error))
    return _created[backend]


def server_database(backend: str) -> str:
    """The URI of this run's migrated `backend` ("postgresql" or "mysql") database, holding only what migrating
    puts there (the Default experiment)."""
    created = _run_databases(backend)
    with created.store_engine.begin() as connection:
        for name in created.tables:
            connection.execute(text(f"DELETE FROM {name}"))
        for table, rows in created.seed_rows:
            connection.execute(table.insert(), rows)
    return created.store_uri


def drop_all_tables(uri: str) -> None:
    """Drop every table in the database at `uri`, alembic_version included."""
    engine = create_store_engine(uri)
    try:
        check_connection(engine, uri)
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


def empty_server_database(backend: str) -> str:
    """The URI of this run's bare `backend` ("postgresql" or "mysql") database, with no tables at all."""
    uri = _run_databases(backend).bare_uri
    drop_all_tables(uri)
    return uri


def drop_created_databases() -> None:
    """Drop every database this run created (connections still open to them are cut)."""
    for backend, created in list(_created.items()):
        created.store_engine.dispose()
        admin = _admin_engine(backend)
        try:
            with admin.connect() as connection:
                for uri in (created.store_uri, created.bare_uri):
                    name = urlsplit(uri).path.lstrip("/")
                    force = " WITH (FORCE)" if backend == "postgresql" else ""
                    connection.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        finally:
            admin.dispose()
        del _created[backend]
