"""What serves a tracking URI: `get_backend(uri)` returns the one `Backend` of that URI in this process.

A backend holds the URI's shared resource (a SQL database with its connection pool, or a tracking server's pooled
HTTP client) and the stores built on it: `.traces` (a `TraceStore`), `.tracking` (a `TrackingStore` for
experiments, runs and logged models) and `.registry` (a `ModelRegistryStore`), with room for artifacts. Every part
of tracekit that needs a store asks here, so one URI means one pool whatever reads or writes through it.

Which factory builds a backend is chosen by the URI's scheme, in this order:
1. factories registered in this process with `register_backend(scheme, factory)`;
2. plugins: an entry point in the group `tracekit.backend` named for the scheme, a callable taking the URI and
   returning a `Backend`; or, for plugins written against the per-store groups, `tracekit.trace_store`,
   `tracekit.tracking_store` and `tracekit.model_registry_store` (a callable taking the URI and returning that
   store), joined into one backend;
3. the built-in ones: sqlite, postgresql and mysql URIs get a SQL backend, http(s) URIs a tracking-server backend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracekit.exceptions import TracekitException
from tracekit.store.uri import (
    BACKEND_PLUGIN_GROUP,
    HTTP_SCHEMES,
    MODEL_REGISTRY_STORE_PLUGIN_GROUP,
    TRACE_STORE_PLUGIN_GROUP,
    TRACKING_STORE_PLUGIN_GROUP,
    get_scheme,
    is_sql_uri,
    load_plugin_factory,
    plugin_schemes,
    redact_uri,
    unsupported_scheme_error,
)

if TYPE_CHECKING:
    from tracekit.registry.registry_store import ModelRegistryStore
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore

logger = logging.getLogger(__name__)



BackendFactory = Callable[[str], "Backend"]


class Backend:
    """The stores of one tracking URI, built on one shared resource and closed together.

    >>> backend = get_backend("sqlite:///tracekit.db")
    >>> backend.traces.search_traces(["0"], max_results=10)
    >>> backend.tracking.get_run(run_id)
    """

    def __init__(self, uri: str, traces: TraceStore, tracking: TrackingStore | None = None,
                 resource: Any = None, registry: ModelRegistryStore | None = None) -> None:
        self.uri = uri
        self.traces = traces
        self._tracking = tracking
        self._registry = registry
        # The SQL database or HTTP client the stores share (None for a plugin's stores); closed with the backend.
        self.resource = resource

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_uri(self.uri)!r})"

    @property
    def has_tracking(self) -> bool:
        """Whether this backend stores experiments, runs and logged models (a trace-only plugin does not)."""
        return self._tracking is not None

    @property
    def tracking(self) -> TrackingStore:
        """The store of experiments, runs and logged models; TracekitException for a backend that holds traces only."""
        if self._tracking is None:
            raise TracekitException.not_implemented(
                f"The tracking URI {redact_uri(self.uri)!r} stores traces only: experiments, runs and logged models "
                f"need a SQL database (sqlite, postgresql, mysql), a tracking server, or a plugin that provides a "
                f"tracking store for the scheme {get_scheme(self.uri)!r}.")
        return self._tracking

    @property
    def registry(self) -> ModelRegistryStore:
        """The model registry store; TracekitException for a backend without one."""
        if self._registry is None:
            raise TracekitException.not_implemented(
                f"The URI {redact_uri(self.uri)!r} has no model registry: registered models need a SQL database "
                f"(sqlite, postgresql, mysql), a tracking server, or a plugin that provides a model registry store "
                f"for the scheme {get_scheme(self.uri)!r} (entry point group {MODEL_REGISTRY_STORE_PLUGIN_GROUP}).")
        return self._registry

    def ping(self) -> None:
        """Raise if the backend cannot be reached now."""
        self.traces.ping()

    def close(self) -> None:
        """Release the shared resource and every store on it."""
        parts = [self.resource] if self.resource is not None else [self.traces, self._tracking, self._registry]
        for part in parts:
            if part is None:
                continue
            try:
                part.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                logger.debug("Error closing %r.", part, exc_info=True)


def sql_backend(uri: str, default_artifact_root: str | None = None) -> Backend:
    """A backend on the SQL database of `uri` (connected and migrated now): one engine for traces and tracking.

    `default_artifact_root` is where experiments created without an artifact location keep their files (a path or
    an artifact URI such as `s3://bucket/prefix` or `tracekit-artifacts:/`); None: TRACEKIT_DEFAULT_ARTIFACT_ROOT,
    else `tracekit-artifacts` beside a SQLite file or in the working directory (see `default_artifact_root_for`).
    """
    from tracekit.registry.sql_registry import SqlModelRegistryStore
    from tracekit.store.sql.database import SqlDatabase
    from tracekit.store.sql.traces import SqlTraceStore
    from tracekit.store.sql.tracking import SqlTrackingStore

    database = SqlDatabase(uri)
    try:
        tracking = SqlTrackingStore(database, default_artifact_root)
    except BaseException:
        database.close()
        raise
    return Backend(uri, SqlTraceStore(database), tracking, resource=database, registry=SqlModelRegistryStore(database))


def rest_backend(uri: str) -> Backend:
    """A backend on the tracking server at `uri`: one pooled HTTP client for traces and tracking."""
    from tracekit.registry.rest_registry import RestModelRegistryStore
    from tracekit.store.rest.client import TrackingServerClient
    from tracekit.store.rest.remote_traces import RestTraceStore
    from tracekit.store.rest.remote_tracking import RestTrackingStore

    client = TrackingServerClient(uri)
    return Backend(uri, RestTraceStore(uri, client), RestTrackingStore(uri, client), resource=client,
                   registry=RestModelRegistryStore(uri, client))


_registered: dict[str, BackendFactory] = {}
_backends: dict[str, Backend] = {}
_lock = threading.Lock()


def register_backend(scheme: str, factory: BackendFactory | None) -> None:
    """Serve URIs with `scheme` by `factory(uri) -> Backend` in this process (None: forget the registration).

    Registered factories come before plugins and built-in backends, so a test or an application can also take over
    a built-in scheme. Backends already opened for the scheme stay until `close_backends()`.
    """
    scheme = scheme.lower()
    if factory is None:
        _registered.pop(scheme, None)
    else:
        _registered[scheme] = factory


def _plugin_backend(uri: str, scheme: str) -> Backend | None:
    factory = load_plugin_factory(scheme, BACKEND_PLUGIN_GROUP)
    if factory is not None:
        backend = factory(uri)
        if not isinstance(backend, Backend):
            raise TracekitException.invalid_parameter_value(
                f"The {BACKEND_PLUGIN_GROUP} plugin for scheme {scheme!r} returned {type(backend).__name__}, not a "
                f"tracekit Backend.")
        return backend
    trace_factory = load_plugin_factory(scheme, TRACE_STORE_PLUGIN_GROUP)
    tracking_factory = load_plugin_factory(scheme, TRACKING_STORE_PLUGIN_GROUP)
    registry_factory = load_plugin_factory(scheme, MODEL_REGISTRY_STORE_PLUGIN_GROUP)
    if trace_factory is None:
        return None
    return Backend(uri, trace_factory(uri), tracking_factory(uri) if tracking_factory is not None else None,
                   registry=registry_factory(uri) if registry_factory is not None else None)


def open_backend(uri: str, default_artifact_root: str | None = None) -> Backend:
    """A new backend for `uri`, not cached (the caller closes it); `get_backend` says which factory is used.
    `default_artifact_root` goes to a built-in SQL backend (`sql_backend`); other factories choose their own."""
    scheme = get_scheme(uri)
    factory = _registered.get(scheme)
    if factory is not None:
        return factory(uri)
    backend = _plugin_backend(uri, scheme)
    if backend is not None:
        return backend
    if is_sql_uri(uri):
        return sql_backend(uri, default_artifact_root)
    if scheme in HTTP_SCHEMES:
        return rest_backend(uri)
    raise unsupported_scheme_error(uri)


def check_tracking_uri(uri: str) -> None:
    """Raise TracekitException (INVALID_PARAMETER_VALUE, saying what to change) if no backend can serve `uri`: no
    scheme, a scheme nothing handles, a malformed database or server URI, a SQLite URI naming a folder, a database
    driver that is not installed. Nothing is connected or created; a reachable server or database is the first
    use's to find. A scheme registered here or by a plugin is the plugin's to check."""
    scheme = get_scheme(uri)
    if scheme in _registered:
        return
    if is_sql_uri(uri) or scheme in HTTP_SCHEMES:
        try:
            _check_built_in_uri(uri, scheme)
        except TracekitException:
            if scheme in plugin_schemes():
                return  # a plugin takes over the built-in scheme
            raise
        return
    if scheme not in plugin_schemes():
        raise unsupported_scheme_error(uri)


def _check_built_in_uri(uri: str, scheme: str) -> None:
    if scheme in HTTP_SCHEMES:
        from tracekit.store.rest.client import server_base_url

        server_base_url(uri)
        return
    from tracekit.store.sql.engine import check_driver, check_sqlite_path
    from tracekit.store.uri import to_sqlalchemy_url

    url = to_sqlalchemy_url(uri)
    check_driver(uri, url)
    check_sqlite_path(url)


def get_backend(uri: str | None = None) -> Backend:
    """The backend of `uri` (default: the current tracking URI), opened on the first call (a SQL database is
    created and migrated then) and reused after. A failed open is not kept, so the next call tries again.

    >>> get_backend("postgresql://me@db:5432/tracekit").tracking.search_runs(["0"])
    """
    if uri is None:
        from tracekit.tracking_uri import get_tracking_uri

        uri = get_tracking_uri()
    backend = _backends.get(uri)
    if backend is not None:
        return backend
    with _lock:
        backend = _backends.get(uri)
        if backend is None:
            backend = open_backend(uri)
            _backends[uri] = backend
            logger.debug("Opened the backend for %s.", redact_uri(uri))
    return backend


def close_backends() -> None:
    """Close and forget every backend `get_backend` opened (tests, and processes done with a tracking URI)."""
    with _lock:
        backends = list(_backends.values())
        _backends.clear()
    for backend in backends:
        backend.close()
