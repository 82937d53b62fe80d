"""Tracking URIs for trace stores: which scheme a URI names, the SQLAlchemy URL of a SQL one, and plugin lookup.

Built in: `sqlite:///relative/path.db`, `sqlite:////absolute/path.db`, `postgresql://user@host:5432/db` (driver
psycopg) and `mysql://user@host:3306/db` (driver PyMySQL); an explicit driver (`postgresql+psycopg2://...`,
`mysql+mysqldb://...`) is kept. Other schemes come from plugins (see `tracekit.store.backend`): a package declares an
entry point named for the scheme in the group `tracekit.backend` (or the per-store groups `tracekit.trace_store` and
`tracekit.tracking_store`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import redact

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

TRACE_STORE_PLUGIN_GROUP = "tracekit.trace_store"
TRACKING_STORE_PLUGIN_GROUP = "tracekit.tracking_store"
MODEL_REGISTRY_STORE_PLUGIN_GROUP = "tracekit.model_registry_store"
BACKEND_PLUGIN_GROUP = "tracekit.backend"
_PLUGIN_GROUPS = (BACKEND_PLUGIN_GROUP, TRACE_STORE_PLUGIN_GROUP)

# scheme as written -> (SQLAlchemy backend name, driver used when the URI names none)
_SQL_BACKENDS: dict[str, tuple[str, str | None]] = {
    "sqlite": ("sqlite", None),
    "postgresql": ("postgresql", "psycopg"),
    "postgres": ("postgresql", "psycopg"),
    "mysql": ("mysql", "pymysql"),
    "mariadb": ("mariadb", "pymysql"),
}
SQL_SCHEMES = tuple(_SQL_BACKENDS)
HTTP_SCHEMES = ("http", "https")

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9.\-]*)(?:\+([A-Za-z0-9_]+))?://")


def redact_uri(uri: str) -> str:
    """`uri` with its password replaced by `***`, safe for messages and logs."""
    return redact(str(uri))


def _supported_text() -> str:
    plugins = sorted(plugin_schemes())
    plugin_text = f"; installed plugins add: {', '.join(plugins)}" if plugins else ""
    return (f"Supported: sqlite:///path/to/file.db, postgresql://user@host:port/db, mysql://user@host:port/db, "
            f"http(s)://tracking-server{plugin_text}. Other schemes can be added by a plugin registering an "
            f"entry point in the '{BACKEND_PLUGIN_GROUP}' group.")


def get_scheme(uri: str) -> str:
    """The scheme of `uri` in lower case, without any `+driver` part; TracekitException if it has none.

    >>> get_scheme("postgresql+psycopg://u@h/db")
    'postgresql'
    """
    match = _SCHEME_RE.match(uri) if isinstance(uri, str) else None
    if match is None:
        hint = ""
        if isinstance(uri, str) and uri.strip() and ":" not in uri:
            hint = f" For a SQLite file at that path, write 'sqlite:///{uri.strip()}'."
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking URI {redact_uri(str(uri))!r}: expected '<scheme>://...'.{hint} {_supported_text()}")
    return match.group(1).lower()


def is_sql_uri(uri: str) -> bool:
    """Whether `uri` names one of the built-in SQL databases."""
    return get_scheme(uri) in _SQL_BACKENDS


def unsupported_scheme_error(uri: str) -> TracekitException:
    """The error for a URI whose scheme neither tracekit nor an installed plugin handles."""
    scheme = get_scheme(uri)
    hint = (" tracekit keeps everything in a database, not in a folder of files: for a local store use a SQLite "
            "file, e.g. sqlite:///tracekit.db." if scheme == "file" else "")
    return TracekitException.invalid_parameter_value(
        f"Unsupported tracking URI {redact_uri(uri)!r}: no backend handles the scheme {scheme!r}.{hint} "
        f"{_supported_text()}")


def to_sqlalchemy_url(uri: str) -> URL:
    """The SQLAlchemy URL for a SQL tracking URI, with tracekit's default driver filled in.

    >>> to_sqlalchemy_url("postgresql://me@db:5432/traces").drivername
    'postgresql+psycopg'
    """
    from sqlalchemy.engine import make_url  # late: `import tracekit` does not load SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    scheme = get_scheme(uri)
    if scheme not in _SQL_BACKENDS:
        raise unsupported_scheme_error(uri)
    try:
        url = make_url(uri)
    except (ArgumentError, ValueError) as error:
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking URI {redact_uri(uri)!r}: {error}. {_supported_text()}") from error
    backend, default_driver = _SQL_BACKENDS[scheme]
    driver = url.get_driver_name() if "+" in url.drivername else default_driver
    url = url.set(drivername=f"{backend}+{driver}" if driver else backend)
    if backend == "sqlite":
        _check_sqlite(uri, url)
    else:
        if not url.host:
            raise TracekitException.invalid_parameter_value(
                f"Malformed tracking URI {redact_uri(uri)!r}: no host. Write it as "
                f"{scheme}://user[:password]@host[:port]/database.")
        if not url.database:
            raise TracekitException.invalid_parameter_value(
                f"Malformed tracking URI {redact_uri(uri)!r}: no database name after the host. Write it as "
                f"{scheme}://user[:password]@host[:port]/database.")
    if backend in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def _check_sqlite(uri: str, url: URL) -> None:
    if url.host or url.username or url.port:
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking URI {redact_uri(uri)!r}: a SQLite URI has three slashes before a relative path "
            f"(sqlite:///traces.db) and four before an absolute one (sqlite:////data/traces.db).")
    if not url.database:
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking URI {redact_uri(uri)!r}: no file name. Write it as sqlite:///traces.db "
            f"(relative to the working directory) or sqlite:////absolute/path/traces.db.")


def sqlite_file_path(uri: str) -> Path | None:
    """The absolute path of the SQLite file that `uri` names; None for any other URI (a server, an in-memory
    database, a malformed URI).

    >>> sqlite_file_path("sqlite:///traces.db")
    PosixPath('/home/me/project/traces.db')
    """
    try:
        if get_scheme(uri) != "sqlite":
            return None
        database = to_sqlalchemy_url(uri).database or ""
    except TracekitException:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def plugin_schemes() -> set[str]:
    """Schemes that installed plugins provide backends (or trace stores) for."""
    from tracekit.plugins.loading import group_entry_points

    return {ep.name.lower() for group in _PLUGIN_GROUPS for ep in group_entry_points(group)}


def load_plugin_factory(scheme: str, group: str) -> Callable[[str], Any] | None:
    """The factory a plugin registered for `scheme` in entry point `group`, or None if no plugin did;
    TracekitException if two plugins claim the scheme or the plugin fails to import (see `tracekit.plugins.loading`).
    """
    from tracekit.plugins.loading import load_named

    factory: Callable[[str], Any] | None = load_named(group, scheme)
    return factory
