"""What serves a tracking URI: `get_backend(uri)` returns the one `Backend` of that URI in this process.

A backend holds the URI's store and hands it out by role: `.traces` (a `TraceStore`), `.tracking` (a
`TrackingStore` for experiments, runs and logged models) and `.registry` (a `ModelRegistryStore`). Every part of
tracekit that needs a store asks here, so one URI means one store (one connection pool) whatever reads or writes
through it.

Which store serves a URI is chosen by its scheme, in one lookup:
1. factories registered in this process with `register_backend(scheme, factory)` (returning a `Backend`);
2. the entry point named for the scheme in the group `tracekit.tracking_store`: a class (or callable) built with
   the full URI, returning one store that serves traces and experiments, runs and logged models (the `TraceStore`
   and `TrackingStore` contracts; a class missing methods of either is refused at load time, naming them).
   tracekit's own SQL (`sqlite`, `postgresql`, `mysql`, ...) and REST (`http`, `https`) stores are entries of this
   group too (`tracekit.plugins.built_ins`), found the same way. The URI's model registry is the entry of
   `tracekit.model_registry_store` for the same scheme; when the store is already an instance of that class (the
   built-ins are), the store serves the registry as well.
Deprecated, read for one more release with a warning naming the distribution: the groups `tracekit.backend` (a
callable returning a `Backend`) and `tracekit.trace_store` (a trace store, joined with the scheme's
`tracekit.tracking_store` entry as its tracking half).
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tracekit.exceptions import TracekitException
from tracekit.store.uri import (
    BACKEND_PLUGIN_GROUP,
    DEPRECATED_STORE_GROUPS,
    MODEL_REGISTRY_STORE_PLUGIN_GROUP,
    TRACE_STORE_PLUGIN_GROUP,
    TRACKING_STORE_PLUGIN_GROUP,
    get_scheme,
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
    """The store of one tracking URI, handed out by role (`.traces`, `.tracking`, `.registry`) and closed once.

    >>> backend = get_backend("sqlite:///tracekit.db")
    >>> backend.traces.search_traces(["0"], max_results=10)
    >>> backend.tracking.get_run(run_id)
    """

    def __init__(self, uri: str, traces: TraceStore, tracking: TrackingStore | None = None,
                 resource: Any = None, registry: ModelRegistryStore | None = None,
                 open_registry: Callable[[], ModelRegistryStore | None] | None = None) -> None:
        self.uri = uri
        self.traces = traces
        self._tracking = tracking
        self._registry = registry
        # Called on the first use of `.registry` when no registry was given: most processes never touch it.
        self._open_registry = open_registry
        self._registry_lock = threading.Lock()
        # The object the roles share (the store itself for a `tracekit.tracking_store` entry; None for the deprecated
        # split stores); closed with the backend.
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
                f"need a SQL database (sqlite, postgresql, mysql), a tracking server, or a plugin whose "
                f"{TRACKING_STORE_PLUGIN_GROUP} store serves the scheme {get_scheme(self.uri)!r}.")
        return self._tracking

    @property
    def registry(self) -> ModelRegistryStore:
        """The model registry store (opened on first use); TracekitException for a backend without one."""
        if self._registry is None and self._open_registry is not None:
            with self._registry_lock:
                if self._open_registry is not None:
                    self._registry = self._open_registry()
                    self._open_registry = None
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
        parts: list[Any] = []
        for part in (self.resource, self.traces, self._tracking, self._registry):
            if part is not None and all(part is not seen for seen in parts):
                parts.append(part)
        for part in parts:
            try:
                part.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                logger.debug("Error closing %r.", part, exc_info=True)


def sql_backend(uri: str, default_artifact_root: str | None = None) -> Backend:
    """A backend on the SQL database of `uri` (connected and migrated now): one `SqlStore` for traces, tracking and
    the registry.

    `default_artifact_root` is where experiments created without an artifact location keep their files (a path or
    an artifact URI such as `s3://bucket/prefix` or `tracekit-artifacts:/`); None: TRACEKIT_DEFAULT_ARTIFACT_ROOT,
    else `tracekit-artifacts` beside a SQLite file or in the working directory (see `default_artifact_root_for`).
    """
    from tracekit.store.sql.store import SqlStore

    store = SqlStore(uri, default_artifact_root)
    return Backend(uri, store, store, resource=store, registry=store)


_registered: dict[str, BackendFactory] = {}
_backends: dict[str, Backend] = {}
_lock = threading.Lock()


def register_backend(scheme: str, factory: BackendFactory | None) -> None:
    """Serve URIs with `scheme` by `factory(uri) -> Backend` in this process (None: forget the registration).

    Registered factories come before plugins and built-in stores, so a test or an application can also take over
    a built-in scheme. Backends already opened for the scheme stay until `close_backends()`.
    """
    scheme = scheme.lower()
    if factory is None:
        _registered.pop(scheme, None)
    else:
        _registered[scheme] = factory


def _store_contracts() -> tuple[type, type]:
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore

    return TraceStore, TrackingStore


def _describe(group: str, scheme: str) -> str:
    from tracekit.plugins.loading import named_entry_point

    entry_point = named_entry_point(group, scheme)
    value = f" ({entry_point.value})" if entry_point is not None else ""
    return f"The {group} plugin {scheme!r}{value}"


def _accepts_keyword(factory: Callable[..., Any], keyword: str) -> bool:
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    return keyword in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def build_store(factory: Callable[..., Any], uri: str, default_artifact_root: str | None = None) -> Any:
    """`factory(uri)`, given `default_artifact_root=` too when one is set and the factory takes that keyword (as
    tracekit's SQL store does; a tracking server passes its `--default-artifact-root`)."""
    if default_artifact_root is not None and _accepts_keyword(factory, "default_artifact_root"):
        return factory(uri, default_artifact_root=default_artifact_root)
    return factory(uri)


def _registry_for(uri: str, scheme: str, store: Any) -> ModelRegistryStore | None:
    """The model registry of `uri`: the `tracekit.model_registry_store` entry of `scheme`, served by `store` itself
    when it is an instance of that class (one store, one connection pool); None when no entry serves the scheme."""
    from tracekit.plugins.loading import check_contract, load_named
    from tracekit.registry.registry_store import ModelRegistryStore

    factory = load_named(MODEL_REGISTRY_STORE_PLUGIN_GROUP, scheme, contracts=(ModelRegistryStore,))
    if factory is None:
        return None
    if isinstance(factory, type) and isinstance(store, factory):
        return cast("ModelRegistryStore", store)
    registry: ModelRegistryStore = factory(uri)
    check_contract(f"What {_describe(MODEL_REGISTRY_STORE_PLUGIN_GROUP, scheme)} built", type(registry),
                   ModelRegistryStore)
    return registry


def _store_backend(uri: str, scheme: str, default_artifact_root: str | None) -> Backend | None:
    """The backend of the `tracekit.tracking_store` entry for `scheme` (None when there is none)."""
    from tracekit.plugins.loading import check_contract, load_named

    contracts = _store_contracts()
    factory = load_named(TRACKING_STORE_PLUGIN_GROUP, scheme, contracts=contracts)
    if factory is None:
        return None
    store = build_store(factory, uri, default_artifact_root)
    try:
        # A plain function is checked on what it built; a class was checked when it was loaded.
        check_contract(f"What {_describe(TRACKING_STORE_PLUGIN_GROUP, scheme)} built", type(store), *contracts)
    except BaseException:
        store.close()
        raise
    return Backend(uri, store, store, resource=store, open_registry=lambda: _registry_for(uri, scheme, store))


def _deprecated_backend(uri: str, scheme: str) -> Backend | None:
    """The backend of a plugin written for the deprecated groups `tracekit.backend` or `tracekit.trace_store`
    (None when neither has the scheme); warns once, naming the distribution."""
    from tracekit.plugins.loading import load_named, warn_deprecated_group

    factory = load_named(BACKEND_PLUGIN_GROUP, scheme)
    if factory is not None:
        warn_deprecated_group(BACKEND_PLUGIN_GROUP, scheme, TRACKING_STORE_PLUGIN_GROUP)
        backend = factory(uri)
        if not isinstance(backend, Backend):
            raise TracekitException.invalid_parameter_value(
                f"The {BACKEND_PLUGIN_GROUP} plugin for scheme {scheme!r} returned {type(backend).__name__}, not a "
                f"tracekit Backend.")
        return backend
    trace_factory = load_named(TRACE_STORE_PLUGIN_GROUP, scheme)
    if trace_factory is None:
        return None
    warn_deprecated_group(TRACE_STORE_PLUGIN_GROUP, scheme, TRACKING_STORE_PLUGIN_GROUP)
    # The old split contract: this group's entry for the scheme, if any, is the tracking half only.
    tracking_factory = load_named(TRACKING_STORE_PLUGIN_GROUP, scheme)
    registry_factory = load_named(MODEL_REGISTRY_STORE_PLUGIN_GROUP, scheme)
    return Backend(uri, trace_factory(uri), tracking_factory(uri) if tracking_factory is not None else None,
                   registry=registry_factory(uri) if registry_factory is not None else None)


def _has_deprecated_entry(scheme: str) -> bool:
    from tracekit.plugins.loading import group_entry_points

    return any(entry_point.name.lower() == scheme
               for group in DEPRECATED_STORE_GROUPS for entry_point in group_entry_points(group))


def open_backend(uri: str, default_artifact_root: str | None = None) -> Backend:
    """A new backend for `uri`, not cached (the caller closes it); the module docstring says which store serves it.
    `default_artifact_root` goes to a store that takes it (`build_store`); other stores choose their own."""
    scheme = get_scheme(uri)
    factory = _registered.get(scheme)
    if factory is not None:
        return factory(uri)
    backend = _deprecated_backend(uri, scheme) if _has_deprecated_entry(scheme) else None
    if backend is None:
        backend = _store_backend(uri, scheme, default_artifact_root)
    if backend is None:
        raise unsupported_scheme_error(uri, registered=_registered)
    return backend


def check_tracking_uri(uri: str) -> None:
    """Raise TracekitException (INVALID_PARAMETER_VALUE, saying what to change) if no store can serve `uri`: no
    scheme, a scheme nothing serves (listing those that are installed), a store class missing methods of its
    contract, or a URI its store's `check_uri` refuses (tracekit's: a malformed database or server URI, a SQLite
    URI naming a folder, a database driver that is not installed). Nothing is connected or created; a reachable
    server or database is the first use's to find."""
    from tracekit.plugins.loading import load_named

    scheme = get_scheme(uri)
    if scheme in _registered or _has_deprecated_entry(scheme):
        return  # the registered factory's or the plugin's to check
    factory = load_named(TRACKING_STORE_PLUGIN_GROUP, scheme, contracts=_store_contracts())
    if factory is None:
        raise unsupported_scheme_error(uri, registered=_registered)
    check_uri = getattr(factory, "check_uri", None)
    if not callable(check_uri):
        return
    try:
        check_uri(uri)
    except TracekitException:
        raise
    except Exception as error:
        raise TracekitException.invalid_parameter_value(
            f"{_describe(TRACKING_STORE_PLUGIN_GROUP, scheme)} refuses the tracking URI {redact_uri(uri)!r}: "
            f"{error}") from error


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
