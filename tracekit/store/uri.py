"""Tracking URIs: which scheme a URI names, the SQLAlchemy URL of a SQL one, and the error for a scheme nothing
serves (listing the installed ones).

Built in: `sqlite:///relative/path.db`, `sqlite:////absolute/path.db`, `postgresql://user@host:5432/db` (driver
psycopg) and `mysql://user@host:3306/db` (driver PyMySQL); an explicit driver (`postgresql+psycopg2://...`,
`mysql+mysqldb://...`) is kept. Which store serves a scheme, built-in or plugin, is one lookup in the entry-point
group `tracekit.tracking_store` (see `tracekit.store.backend` and `tracekit.plugins.built_ins`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import redact

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

TRACKING_STORE_PLUGIN_GROUP = "tracekit.tracking_store"
MODEL_REGISTRY_STORE_PLUGIN_GROUP = "tracekit.model_registry_store"
# Deprecated store groups, still read (with a warning) for one release: see `tracekit.store.backend`.
TRACE_STORE_PLUGIN_GROUP = "tracekit.trace_store"
BACKEND_PLUGIN_GROUP = "tracekit.backend"
DEPRECATED_STORE_GROUPS = (BACKEND_PLUGIN_GROUP, TRACE_STORE_PLUGIN_GROUP)

# scheme as written -> (SQLAlchemy backend name, driver used when the URI names none)
_SQL_BACKENDS: dict[str, tuple[str, str | None]] = {
    "sqlite": ("sqlite", None),
    "postgresql": ("postgresql", "psycopg"),
    "postgres": ("postgresql", "psycopg"),
    "mysql": ("mysql", "pymysql"),
    "mariadb": ("mariadb", "pymysql"),
}
HTTP_SCHEMES = ("http", "https")

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9.\-]*)(?:\+([A-Za-z0-9_]+))?://")


def redact_uri(uri: str) -> str:
    """`uri` with its password replaced by `***`, safe for messages and logs."""
    return redact(str(uri))


def _supported_text(registered: Iterable[str] = ()) -> str:
    built_in, plugins = installed_schemes()
    plugins = sorted({*plugins, *registered})
    plugin_text = f"; plugins and registered: {', '.join(plugins)}" if plugins else ""
    return (f"Installed schemes: built in: {', '.join(built_in)}{plugin_text}. For example sqlite:///path/to/file.db, "
            f"postgresql://user@host:port/db, mysql://user@host:port/db, http(s)://tracking-server. Other schemes "
            f"come from plugins: an entry point in the '{TRACKING_STORE_PLUGIN_GROUP}' group.")


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


def unsupported_scheme_error(uri: str, registered: Iterable[str] = ()) -> TracekitException:
    """The error for a URI whose scheme neither tracekit nor an installed plugin handles, listing the schemes that
    are served (built in, by plugins, and `registered` in this process)."""
    scheme = get_scheme(uri)
    hint = (" tracekit keeps everything in a database, not in a folder of files: for a local store use a SQLite "
            "file, e.g. sqlite:///tracekit.db." if scheme == "file" else "")
    return TracekitException.invalid_parameter_value(
        f"Unsupported tracking URI {redact_uri(uri)!r}: no backend handles the scheme {scheme!r}.{hint} "
        f"{_supported_text(registered)}")


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


def installed_schemes() -> tuple[list[str], list[str]]:
    """The tracking-URI schemes served: (tracekit's built-in ones, installed plugins' ones), each sorted."""
    from tracekit.plugins.loading import group_entry_points, is_built_in

    built_in: set[str] = set()
    plugins: set[str] = set()
    for group in (TRACKING_STORE_PLUGIN_GROUP, *DEPRECATED_STORE_GROUPS):
        for entry_point in group_entry_points(group):
            (built_in if is_built_in(entry_point) else plugins).add(entry_point.name.lower())
    return sorted(built_in), sorted(plugins)
