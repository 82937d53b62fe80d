"""Schema migrations of the trace store (alembic), and when they run.

When a store opens (`ensure_schema`):

- SQLite: a new file is created and migrated; an older schema is upgraded in place. A SQLite file has one owner, so
  there is nobody to coordinate with.
- PostgreSQL/MySQL: a database without any tracekit table is migrated (first use just works). A database at an
  older revision is refused with a message to run `tracekit db upgrade <uri>`: on a shared server, changing the
  schema is a step someone should take on purpose, while no other version of tracekit is writing.
- Any database at a revision this tracekit does not know (written by a newer tracekit) is refused.

Concurrent first use is safe: the migration runs under a lock (SQLite's write lock, a PostgreSQL advisory lock,
a MySQL named lock) and re-reads the revision once it holds it, so only one process creates the tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from tracekit.exceptions import TracekitException
from tracekit.store.sql.engine import WRITE_LOCK_OPTION, check_connection, create_store_engine
from tracekit.store.sql.schema import DIALECTS, TRACEKIT_TABLES, metadata
from tracekit.store.uri import redact_uri

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_LOCK_NAME = "tracekit_migrate"
_PG_LOCK_KEY = 0x7472616365  # "trace", any fixed 64-bit number shared by all tracekit processes
_MYSQL_LOCK_TIMEOUT_SECONDS = 300


def alembic_config() -> Config:
    """An alembic configuration pointing at tracekit's migration scripts (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest schema revision this tracekit knows."""
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this tracekit knows."""
    return {script.revision for script in _script().walk_revisions()}


def include_object(dialect: str) -> Any:
    """An alembic `include_object` hook leaving out the schema.py indexes made on other dialects only (see
    `schema.DIALECTS`), so a comparison does not ask for them."""
    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        dialects = obj.info.get(DIALECTS) if type_ == "index" and not reflected else None
        return dialects is None or dialect in dialects
    return include


def schema_differences(connection: Connection) -> list[Any]:
    """What alembic's autogenerate finds to change between the database and schema.py ([] when they agree)."""
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "compare_server_default": True,
        "include_object": include_object(connection.dialect.name)})
    return list(compare_metadata(context, metadata))


def current_revision(engine: Engine | Connection) -> str | None:
    """The schema revision stored in the database, or None if it was never migrated."""
    if isinstance(engine, Connection):
        return MigrationContext.configure(engine).get_current_revision()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _describe(engine: Engine) -> str:
    return redact_uri(engine.url.render_as_string(hide_password=True))


def _refuse_unknown(revision: str | None, where: str) -> None:
    if revision is not None and revision not in known_revisions():
        raise TracekitException.invalid_state(
            f"The database schema of {where} is at revision {revision!r}, which is newer than this tracekit "
            f"knows (its newest is {head_revision()!r}): the database was migrated by a newer tracekit. "
            f"Upgrade tracekit (pip install -U tracekit) to use it.")


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the lock that makes concurrent migrations of one database run one after the other.

    Server locks are session locks, taken before and released after the migration's transaction commits, so the
    next process to get the lock sees the committed revision.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        acquire = text("SELECT pg_advisory_lock(:key)").bindparams(key=_PG_LOCK_KEY)
        release = text("SELECT pg_advisory_unlock(:key)").bindparams(key=_PG_LOCK_KEY)
    elif dialect in ("mysql", "mariadb"):
        acquire = text("SELECT GET_LOCK(:name, :timeout)").bindparams(name=_LOCK_NAME,
                                                                       timeout=_MYSQL_LOCK_TIMEOUT_SECONDS)
        release = text("SELECT RELEASE_LOCK(:name)").bindparams(name=_LOCK_NAME)
    else:
        yield  # SQLite: the BEGIN IMMEDIATE of the migration's transaction is the lock
        return
    got = connection.execute(acquire).scalar()
    connection.commit()
    if dialect != "postgresql" and got != 1:
        raise TracekitException("Timed out waiting for another process migrating the same database.")
    try:
        yield
    finally:
        connection.execute(release)
        connection.commit()


def _migrate(engine: Engine, *, first_use: bool) -> tuple[str | None, str]:
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK_OPTION: True})
        with _migration_lock(connection), connection.begin():
            # Read again under the lock: another process may have migrated while we waited.
            before = current_revision(connection)
            _refuse_unknown(before, _describe(engine))
            if before != head_revision():
                _check_can_migrate(connection, before, first_use)
                logger.info("Migrating %s from revision %s to %s.", _describe(engine), before, head_revision())
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            after = current_revision(connection)
    assert after is not None
    return before, after


def _check_can_migrate(connection: Connection, revision: str | None, first_use: bool) -> None:
    where = _describe(connection.engine)
    if revision is None and set(inspect(connection).get_table_names()) & set(TRACEKIT_TABLES):
        raise TracekitException.invalid_state(
            f"The database {where} has tables named like tracekit's ({', '.join(TRACEKIT_TABLES)}) but no "
            f"tracekit schema revision, so tracekit did not create them. Use an empty database, or drop those "
            f"tables.")
    if first_use and revision is not None and connection.dialect.name != "sqlite":
        raise TracekitException.invalid_state(
            f"The database schema of {where} is at revision {revision!r}, older than this tracekit needs "
            f"({head_revision()!r}). Back the database up, stop other tracekit processes writing to it, then run: "
            f"tracekit db upgrade '{where}'")


def upgrade(engine_or_uri: Engine | str) -> tuple[str | None, str]:
    """Migrate the database to the newest revision; returns (revision before, revision after).

    >>> upgrade("postgresql://me@db:5432/traces")
    (None, '0001_initial')
    """
    if not isinstance(engine_or_uri, str):
        return _migrate(engine_or_uri, first_use=False)
    engine = create_store_engine(engine_or_uri)
    try:
        check_connection(engine, engine_or_uri)
        return _migrate(engine, first_use=False)
    finally:
        engine.dispose()


def ensure_schema(engine: Engine) -> None:
    """Make the database usable by this tracekit on first use (see the module docstring for the rules)."""
    revision = current_revision(engine)
    if revision != head_revision():
        _migrate(engine, first_use=True)
