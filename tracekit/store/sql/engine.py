"""SQLAlchemy engines for tracking URIs, tuned per database, and the check that a database answers.

SQLite: WAL journal (readers never wait for the writer), a busy timeout (TRACEKIT_SQLITE_BUSY_TIMEOUT_S),
`synchronous=NORMAL`, foreign keys on, case-sensitive LIKE (as on the other databases). Transactions are begun by us
rather than by the sqlite3 module, so that writes can take the write lock up front (`BEGIN IMMEDIATE`): a transaction
that reads first and upgrades to a write later gets "database is locked" at once when another process wrote in
between, without waiting out the busy timeout.

PostgreSQL/MySQL: connect and statement timeouts (TRACEKIT_SQL_CONNECT_TIMEOUT_S, TRACEKIT_SQL_STATEMENT_TIMEOUT_S);
`pool_pre_ping` so a restarted server costs one reconnect rather than a failed batch; MySQL runs at
READ COMMITTED, where deleting a trace's rows before re-inserting them takes no gap locks that would make
concurrent writers deadlock.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, create_engine
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import StaticPool

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.store.uri import redact_uri, to_sqlalchemy_url

logger = logging.getLogger(__name__)

# Execution option asking for `BEGIN IMMEDIATE` on SQLite; other databases ignore it.
WRITE_LOCK_OPTION = "tracekit_write_lock"

_DRIVER_EXTRAS = {"psycopg": "postgres", "pymysql": "mysql"}

# Connection failures that a wait does not heal: the server answered, and refused the settings. PostgreSQL SQLSTATEs:
# class 28 (invalid authorization: a wrong user or password), 3D000 (no such database); MySQL/MariaDB error numbers:
# 1044 (access denied to the database), 1045 (access denied for the user), 1049 (unknown database).
# libpq reports a refused connection without a SQLSTATE, so its server message is read too (English by default).
# MySQL 1698: access denied for a user that must log in another way.
_PG_PERMANENT_SQLSTATE_PREFIXES = ("28", "3D")
_PG_PERMANENT_MESSAGE = re.compile(
    r"FATAL:.*(does not exist|password authentication failed|no pg_hba\.conf entry|authentication failed)")
_MYSQL_PERMANENT_CODES = {1044, 1045, 1049, 1698}


def create_store_engine(uri: str) -> Engine:
    """A configured engine for a SQL tracking URI (nothing is connected yet).

    For a SQLite file the parent folder is created if missing.
    """
    url = to_sqlalchemy_url(uri)
    check_driver(uri, url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        options: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 3600,
                                   "connect_args": _timeout_arguments(url)}
        if url.get_backend_name() in ("mysql", "mariadb"):
            options["isolation_level"] = "READ COMMITTED"
        return create_engine(url, **options)
    except (ImportError, NoSuchModuleError) as error:
        raise _missing_driver(uri, url, error) from error


def check_driver(uri: str, url: URL | None = None) -> None:
    """Raise (INVALID_PARAMETER_VALUE, saying what to install) unless the database driver of the SQL tracking URI
    `uri` can be imported: the import SQLAlchemy would do on the first connection, done now."""
    url = url if url is not None else to_sqlalchemy_url(uri)
    try:
        url.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError) as error:
        raise _missing_driver(uri, url, error) from error


def _missing_driver(uri: str, url: URL, error: BaseException) -> TracekitException:
    driver = url.get_driver_name()
    extra = _DRIVER_EXTRAS.get(driver)
    hint = (f" Install it with: pip install 'tracekit[{extra}]'." if extra
            else f" Install the package providing the SQLAlchemy driver {driver!r}, or drop '+{driver}' from the "
                 f"URI to use tracekit's default driver.")
    return TracekitException.invalid_parameter_value(
        f"Cannot use tracking URI {redact_uri(uri)!r}: the database driver {driver!r} is not installed "
        f"({error}).{hint}")


def check_sqlite_path(url: URL) -> None:
    """For a SQLite file URL: INVALID_PARAMETER_VALUE if its path names an existing folder rather than a file."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database == ":memory:" or database.startswith("file:"):
        return
    if Path(database).expanduser().is_dir():
        raise TracekitException.invalid_parameter_value(
            f"The SQLite tracking store {redact_uri(url.render_as_string())!r} names the folder {database!r}, not a "
            f"file: add a file name, e.g. sqlite:///{database.rstrip('/')}/tracekit.db.")


def _timeout_arguments(url: URL) -> dict[str, Any]:
    """Driver arguments bounding how long connecting and one statement may take (TRACEKIT_SQL_*_TIMEOUT_S), so a
    database that accepts connections and never answers cannot block a search or an export for ever."""
    connect = config.SQL_CONNECT_TIMEOUT_S.get()
    statement = config.SQL_STATEMENT_TIMEOUT_S.get()
    driver = url.get_driver_name()
    arguments: dict[str, Any] = {}
    if driver in ("psycopg", "psycopg2"):
        if connect > 0:
            arguments["connect_timeout"] = max(1, round(connect))  # libpq takes whole seconds
        if statement > 0:
            # Server side: a statement running too long is cancelled (the connect timeout covers a silent server).
            arguments["options"] = f"-c statement_timeout={int(statement * 1000)}"
    elif driver in ("pymysql", "mysqldb"):
        if connect > 0:
            arguments["connect_timeout"] = max(1, round(connect))
        if statement > 0:
            # Client side socket timeouts: they also end a wait on a server that stopped answering mid-statement.
            arguments["read_timeout"] = arguments["write_timeout"] = max(1, round(statement))
    return arguments


def sqlite_busy_timeout() -> float:
    """Seconds a SQLite statement waits for another connection's lock (TRACEKIT_SQLITE_BUSY_TIMEOUT_S)."""
    return config.SQLITE_BUSY_TIMEOUT_S.get()


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    busy_timeout = sqlite_busy_timeout()
    in_memory = database == ":memory:" or database.startswith("file::memory:")
    if in_memory:
        # One shared connection, or every pooled connection would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool,
                               connect_args={"check_same_thread": False, "timeout": busy_timeout})
    else:
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TracekitException.invalid_parameter_value(
                f"Cannot create the folder {str(folder)!r} for the SQLite tracking store "
                f"{redact_uri(url.render_as_string())!r}: {error}. Point the tracking URI at a file in a folder "
                f"you can write (sqlite:///relative/path.db or sqlite:////absolute/path.db).") from error
        check_sqlite_path(url)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not in_memory:
                _use_wal(cursor, busy_timeout)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA case_sensitive_like = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _use_wal(cursor: Any, busy_timeout: float) -> None:
    """Put the database file in WAL mode (it stays so: later connections find it done). The switch needs the file
    to itself, and SQLite answers "database is locked" at once instead of waiting when several processes open a
    new database together, so it is retried within the busy timeout."""
    deadline = time.monotonic() + busy_timeout
    delay = 0.01
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def check_connection(engine: Engine, uri: str) -> None:
    """Connect once; TracekitException naming the URI (password hidden) and the driver's reason if that fails."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as error:
        reason = str(error.orig).strip() or type(error.orig).__name__
        if _refuses_the_settings(error.orig):
            raise TracekitException.invalid_parameter_value(
                f"The tracking store {redact_uri(uri)!r} refused the connection: {reason}. Fix the user, "
                f"password or database name in the tracking URI (or create the database).") from error
        raise TracekitException.temporarily_unavailable(
            f"Cannot connect to the tracking store {redact_uri(uri)!r}: {reason}") from error
    except SQLAlchemyError as error:
        raise TracekitException.temporarily_unavailable(
            f"Cannot connect to the tracking store {redact_uri(uri)!r}: {error}") from error


def _refuses_the_settings(orig: BaseException | None) -> bool:
    """Whether a driver's connection error says the URI's user, password or database is wrong (no retry helps)."""
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_PG_PERMANENT_SQLSTATE_PREFIXES):
        return True
    if type(orig).__module__.startswith("psycopg") and _PG_PERMANENT_MESSAGE.search(str(orig)):
        return True
    args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
    return bool(args) and isinstance(args[0], int) and args[0] in _MYSQL_PERMANENT_CODES


# What a database driver may raise for a value or a statement it cannot take, besides SQLAlchemy's own errors.
STORE_ERRORS = (SQLAlchemyError, OverflowError, UnicodeError)


def store_error(uri: str, error: BaseException) -> TracekitException:
    """The TracekitException to raise for a database error: it names the store (password hidden) and says whether
    the database could not be reached (TEMPORARILY_UNAVAILABLE: a timeout, a dropped connection) or refused what was
    sent (INVALID_PARAMETER_VALUE), or failed otherwise (INTERNAL_ERROR); the driver's error stays attached as
    `__cause__`."""
    store = redact_uri(uri)
    if isinstance(error, (OverflowError, UnicodeError)):
        return TracekitException.invalid_parameter_value(
            f"The tracking store {store!r} cannot take a value that was sent: {type(error).__name__}: {error}")
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip() or type(error.orig).__name__
        if isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated:
            return TracekitException.temporarily_unavailable(f"The tracking store {store!r} did not answer: {reason}")
        if isinstance(error, (DataError, IntegrityError)):
            return TracekitException.invalid_parameter_value(f"The tracking store {store!r} refused a value: {reason}")
        return TracekitException(f"The tracking store {store!r} failed: {reason}")
    return TracekitException(f"The tracking store {store!r} failed: {type(error).__name__}: {error}")
