"""The real database servers the tests use, and how a test gets an empty one.

PostgreSQL and MariaDB on 127.0.0.1 (override with TRACEKIT_TEST_POSTGRES_URI / TRACEKIT_TEST_MYSQL_URI). A server
that cannot be reached skips its tests, except under CI=true, where it fails them. The server databases are shared,
so a test empties one by dropping every table in it.
"""

from __future__ import annotations

import os

from sqlalchemy import MetaData

from ci import require_or_skip
from tracekit.store.sql.engine import check_connection, create_store_engine

SERVER_URIS = {
    "postgresql": os.environ.get("TRACEKIT_TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("TRACEKIT_TEST_MYSQL_URI", "mysql://root@127.0.0.1:3306/test"),
}


def unavailable(backend: str, reason: str) -> None:
    """Skip the test, or fail it under CI=true, because `backend` cannot be reached."""
    require_or_skip(f"{backend} test database unavailable: {reason}")


def drop_all_tables(uri: str) -> None:
    """Empty a shared test database: drop every table in it, alembic_version included."""
    engine = create_store_engine(uri)
    try:
        check_connection(engine, uri)
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


def empty_server_database(backend: str) -> str:
    """The URI of the `backend` ("postgresql" or "mysql") test database with every table dropped."""
    uri = SERVER_URIS[backend]
    try:
        drop_all_tables(uri)
    except Exception as error:  # noqa: BLE001 - any failure to reach the server decides skip or fail
        unavailable(backend, str(error))
    return uri
