"""The tracking URI: where traces and tracking data are stored.

Set with `set_tracking_uri()` or TRACEKIT_TRACKING_URI; by default `sqlite:///tracekit.db`, a SQLite file in the
working directory, created on first use.
"""

from __future__ import annotations

import re

from tracekit import config

DEFAULT_TRACKING_URI = "sqlite:///tracekit.db"

_tracking_uri: str | None = None


def set_tracking_uri(uri: str | None) -> None:
    """Use `uri` for everything that follows in this process (None: back to the environment or default).

    A URI no backend can serve (an unknown scheme, a malformed path, a database driver that is not installed) raises
    `TracekitException` here, saying what to change; whether the store answers is found on first use.

    >>> tracekit.set_tracking_uri("postgresql://user@db.example:5432/traces")
    """
    global _tracking_uri
    if uri:
        from tracekit.store.backend import check_tracking_uri

        check_tracking_uri(str(uri))
    _tracking_uri = str(uri) if uri else None


def get_tracking_uri() -> str:
    """The URI in use: the one set in code, else TRACEKIT_TRACKING_URI (or MLFLOW_TRACKING_URI), else
    `sqlite:///tracekit.db`."""
    return _tracking_uri or config.TRACKING_URI.get() or DEFAULT_TRACKING_URI


def redact(uri: str) -> str:
    """`uri` with any password replaced by `***`, for messages and logs."""
    return re.sub(r"(//[^:/@]+:)[^@/]*@", r"\1***@", uri)
