"""`serve`: run the tracking server with uvicorn (what `tracekit server` does)."""

from __future__ import annotations

import copy
import logging

from tracekit.server.settings import ServerSettings

logger = logging.getLogger(__name__)


def _log_config(level: str) -> dict:
    """uvicorn's logging setup, with tracekit's own loggers printed the same way."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["tracekit"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def check_settings(settings: ServerSettings) -> None:
    """Fail before any worker starts: load the credentials and the server app plugin, open (and migrate) the
    backend database once, and open the artifacts destination's repository."""
    from tracekit.server.app import open_server_backend
    from tracekit.server.artifact_proxy import ServedArtifacts
    from tracekit.server.auth import Authenticator

    Authenticator(settings)
    if settings.app_name:
        from tracekit.server.app_plugins import load_app_factory

        load_app_factory(settings.app_name)
    if not settings.artifacts_only:
        open_server_backend(settings).close()
    if settings.serve_artifacts:
        ServedArtifacts(settings.artifacts_destination)


def serve(settings: ServerSettings, host: str = "127.0.0.1", port: int = 5000, workers: int = 1,
          log_level: str = "info") -> None:
    """Check `settings`, then serve until interrupted. Several workers are separate processes, each building the
    app from the TRACEKIT_SERVER_* variables these settings are written to."""
    import uvicorn

    check_settings(settings)
    settings.export_to_environment()
    uvicorn.run("tracekit.server.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers if workers > 1 else None, log_level=log_level.lower(),
                log_config=_log_config(log_level), timeout_graceful_shutdown=10,
                http="tracekit.server.http_protocol:NoDelayHTTPProtocol")
