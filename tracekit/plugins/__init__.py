"""The base classes a tracekit plugin implements, importable from one place; each is loaded on first access, so
`import tracekit` (or `import tracekit.plugins`) costs nothing.

| entry-point group | name | value |
| --- | --- | --- |
| `tracekit.tracking_store` | a tracking-URI scheme | a callable taking the URI, returning a `TrackingStore` |
| `tracekit.trace_store` | a tracking-URI scheme | a callable taking the URI, returning a `TraceStore` |
| `tracekit.backend` | a tracking-URI scheme | a callable taking the URI, returning a `Backend` |
| `tracekit.artifact_repository` | an artifact-URI scheme | a callable taking the URI, returning an
  `ArtifactRepository` |
| `tracekit.run_context_provider` | unused | a `RunContextProvider` subclass |
| `tracekit.request_header_provider` | unused | a `RequestHeaderProvider` subclass |
| `tracekit.request_auth_provider` | unused | a `RequestAuthProvider` subclass (chosen by its `get_name()`) |
| `tracekit.trace_exporter` | the exporter's name | a callable taking nothing, returning a `TraceExporter` |
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracekit.artifacts.repository import ArtifactRepository
    from tracekit.plugins.request_auth import RequestAuthProvider
    from tracekit.plugins.request_headers import RequestHeaderProvider
    from tracekit.plugins.run_context import RunContextProvider
    from tracekit.store.backend import Backend
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore
    from tracekit.tracing.exporter import TraceExporter

# public name -> module defining it
_BASE_CLASSES = {
    "ArtifactRepository": "tracekit.artifacts.repository",
    "Backend": "tracekit.store.backend",
    "RequestAuthProvider": "tracekit.plugins.request_auth",
    "RequestHeaderProvider": "tracekit.plugins.request_headers",
    "RunContextProvider": "tracekit.plugins.run_context",
    "TraceExporter": "tracekit.tracing.exporter",
    "TraceStore": "tracekit.store.trace_store",
    "TrackingStore": "tracekit.store.tracking_store",
}

__all__ = ["ArtifactRepository", "Backend", "RequestAuthProvider", "RequestHeaderProvider", "RunContextProvider",
           "TraceExporter", "TraceStore", "TrackingStore"]


def __getattr__(name: str) -> Any:
    module = _BASE_CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module 'tracekit.plugins' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
