"""The `example-plugin-app` server app (group `tracekit.app`): `tracekit server --app-name example-plugin-app` serves
tracekit's own tracking server wrapped by `ExamplePluginApp`, which adds

- a route of its own, `GET /example-plugin/info`, answering the plugin's name and version;
- a header-based check: while `EXAMPLE_PLUGIN_APP_KEY` is set in the server's environment, every request but
  `/health`, `/version` and the plugin's route must carry `X-Example-Plugin-Key: <that key>`, or is answered 401
  in tracekit's error format. The plugin's request header provider sends the header from a client whose
  environment has the key.

The wrapper is plain ASGI, so the built-in app keeps its routes, middleware and lifespan unchanged.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from starlette.responses import JSONResponse

from tracekit_example_plugin import __version__

KEY_VARIABLE = "EXAMPLE_PLUGIN_APP_KEY"
KEY_HEADER = "X-Example-Plugin-Key"
INFO_PATH = "/example-plugin/info"
_OPEN_PATHS = ("/health", "/version", INFO_PATH)


class ExamplePluginApp:
    """ASGI app wrapping tracekit's server `app` with the plugin's route and key check."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if scope["path"] == INFO_PATH:
                await JSONResponse({"plugin": "tracekit-example-plugin", "version": __version__})(scope, receive, send)
                return
            key = os.environ.get(KEY_VARIABLE)
            if key and scope["path"] not in _OPEN_PATHS and not _carries_key(scope, key):
                await JSONResponse({"error_code": "UNAUTHENTICATED",
                                    "message": f"This server needs the {KEY_HEADER} header (example plugin app)."},
                                   status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _carries_key(scope: dict[str, Any], key: str) -> bool:
    wanted = KEY_HEADER.lower().encode("latin-1")
    sent = next((value for name, value in scope.get("headers", []) if name == wanted), b"")
    return hmac.compare_digest(sent, key.encode("utf-8"))


def create_app(app: Any) -> ExamplePluginApp:
    """The `tracekit.app` entry point: given tracekit's built-in server app, the app to serve."""
    return ExamplePluginApp(app)
