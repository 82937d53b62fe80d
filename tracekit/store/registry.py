"""`get_store(uri)`: the one trace store of a tracking URI in this process, opened on first use."""

from __future__ import annotations

import logging
import threading

from tracekit.store.base import TraceStore
from tracekit.store.uri import (
    HTTP_SCHEMES,
    get_scheme,
    is_sql_uri,
    load_plugin_factory,
    redact_uri,
    unsupported_scheme_error,
)

logger = logging.getLogger(__name__)

_stores: dict[str, TraceStore] = {}
_lock = threading.Lock()


def open_store(uri: str) -> TraceStore:
    """A new store for `uri` (not cached; the caller closes it). See `get_store` for which class serves which URI."""
    if is_sql_uri(uri):
        from tracekit.store.sql_store import SqlTraceStore

        return SqlTraceStore(uri)
    scheme = get_scheme(uri)
    factory = load_plugin_factory(scheme)
    if factory is not None:
        return factory(uri)
    if scheme in HTTP_SCHEMES:
        from tracekit.store.rest_store import RestTraceStore

        return RestTraceStore(uri)
    raise unsupported_scheme_error(uri)


def get_store(uri: str) -> TraceStore:
    """The trace store for `uri`, created (and its database migrated if needed) on the first call, then reused.

    SQL URIs (sqlite, postgresql, mysql) get a `SqlTraceStore`, http(s) URIs a `RestTraceStore` talking to a
    tracking server; another scheme is looked up among plugins
    (entry point group `tracekit.trace_store`). A failed open is not cached, so the next call tries again.
    """
    store = _stores.get(uri)
    if store is not None:
        return store
    with _lock:
        store = _stores.get(uri)
        if store is None:
            store = open_store(uri)
            _stores[uri] = store
            logger.debug("Opened trace store for %s.", redact_uri(uri))
    return store


def close_stores() -> None:
    """Close and forget every store opened by `get_store` (tests, and processes that change tracking URI)."""
    with _lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        try:
            store.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            logger.debug("Error closing a trace store.", exc_info=True)
