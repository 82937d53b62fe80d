"""The tracekit tracking server: a FastAPI app that stores traces for many processes and machines in one database,
serves them back over a REST API, and takes OpenTelemetry spans at `POST /v1/traces` (OTLP/HTTP).

Start it with `tracekit server --backend-store-uri postgresql://...`, or build the app yourself:

>>> from tracekit.server import ServerSettings, create_app
>>> app = create_app(ServerSettings(backend_store_uri="sqlite:///traces.db"))

Needs the `server` extra: `pip install 'tracekit[server]'` (FastAPI and uvicorn are imported only when the app is
built, so the command line and the client work without them).
"""

from __future__ import annotations

from typing import Any

from tracekit.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from tracekit.server.app import create_app

        return create_app
    raise AttributeError(name)
