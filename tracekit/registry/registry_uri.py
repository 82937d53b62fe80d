"""The registry URI: where registered models are stored. By default the tracking URI, so models register in the
database (or on the server) that holds the runs and logged models they come from.

Set with `set_registry_uri()` or TRACEKIT_REGISTRY_URI (or MLFLOW_REGISTRY_URI).
"""

from __future__ import annotations

from tracekit import config
from tracekit.tracking_uri import get_tracking_uri

_registry_uri: str | None = None


def set_registry_uri(uri: str | None) -> None:
    """Store registered models at `uri` from now on in this process (None: back to the environment, else the
    tracking URI). A URI no backend can serve raises `TracekitException` here, as `set_tracking_uri` does.

    >>> tracekit.set_registry_uri("postgresql://me@db.example:5432/registry")
    """
    global _registry_uri
    if uri:
        from tracekit.store.backend import check_tracking_uri

        check_tracking_uri(str(uri))
    _registry_uri = str(uri) if uri else None


def get_registry_uri() -> str:
    """The registry URI in use: the one set in code, else TRACEKIT_REGISTRY_URI (or MLFLOW_REGISTRY_URI), else the
    tracking URI."""
    return registry_uri_for(None)


def registry_uri_for(tracking_uri: str | None) -> str:
    """The registry URI of a client of `tracking_uri`: the registry URI set in code or the environment, else
    `tracking_uri`, else the current tracking URI."""
    return _registry_uri or config.REGISTRY_URI.get() or tracking_uri or get_tracking_uri()
