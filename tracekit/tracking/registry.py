"""`get_tracking_store(uri)`: the tracking store of a tracking URI, on the same database as its trace store.

SQL URIs get a `SqlTrackingStore` sharing the trace store's engine (one connection pool per database), http(s) URIs
a `RestTrackingStore` sharing the trace store's `TrackingServerClient` (one connection pool per server). Other
schemes come from plugins (entry point group `tracekit.tracking_store`, a callable taking the URI and returning a
`TrackingStore`), which may also take over http(s).
"""

from __future__ import annotations

import threading

from tracekit.exceptions import TracekitException
from tracekit.tracking.store import TrackingStore
from tracekit.tracking_uri import get_tracking_uri, redact

PLUGIN_GROUP = "tracekit.tracking_store"

_stores: dict[str, TrackingStore] = {}
_lock = threading.Lock()


def get_tracking_store(uri: str | None = None) -> TrackingStore:
    """The tracking store for `uri` (default: the current tracking URI), opened on first use and then reused."""
    from tracekit.store.uri import is_sql_uri  # late: SQLAlchemy is not needed until a store is used

    uri = uri or get_tracking_uri()
    if is_sql_uri(uri):
        return _sql_store(uri)
    store = _stores.get(uri)
    if store is not None:
        return store
    with _lock:
        store = _stores.get(uri)
        if store is None:
            store = _open_other(uri)
            _stores[uri] = store
    return store


def _sql_store(uri: str) -> TrackingStore:
    from tracekit.store.registry import get_store
    from tracekit.tracking.sql_store import SqlTrackingStore

    database = get_store(uri).database  # type: ignore[attr-defined]
    store = _stores.get(uri)
    # A trace store closed and reopened (close_stores) comes with a new database; follow it.
    if isinstance(store, SqlTrackingStore) and store.database is database:
        return store
    with _lock:
        store = _stores.get(uri)
        if not (isinstance(store, SqlTrackingStore) and store.database is database):
            store = SqlTrackingStore(database)
            _stores[uri] = store
    return store


def _open_other(uri: str) -> TrackingStore:
    from tracekit.store.uri import HTTP_SCHEMES, get_scheme, load_plugin_factory

    scheme = get_scheme(uri)
    factory = load_plugin_factory(scheme, PLUGIN_GROUP)
    if factory is not None:
        return factory(uri)
    if scheme in HTTP_SCHEMES:
        from tracekit.tracking.rest_store import RestTrackingStore

        return RestTrackingStore(uri)
    raise TracekitException(
        f"Unsupported tracking URI {redact(uri)!r}: no tracking store handles the scheme {scheme!r}. Use "
        f"sqlite:///path/to/file.db, postgresql://user@host:port/db or mysql://user@host:port/db, or install a "
        f"plugin registering an entry point in the '{PLUGIN_GROUP}' group.", error_code="INVALID_PARAMETER_VALUE")
