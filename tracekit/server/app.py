"""`create_app`: the FastAPI app of the tracking server.

Layout, so that resources can be added beside traces without reshaping anything:
- one router module per resource in `tracekit.server.routers` (and its bodies in `tracekit.server.schemas`),
  listed in `RESOURCE_ROUTERS` and mounted under `API_PREFIX` (`/api/v1`);
- the backend of the backend store URI opened once per app (`open_server_backend`) and kept on `app.state`, its
  stores reached by endpoints through the dependencies in `tracekit.server.dependencies` (`get_trace_store`,
  `get_tracking_store`);
- shared concerns applied to every route, present and future: authentication and the body size limit as ASGI
  middleware (`auth.py`, `body_limit.py`), error answers as exception handlers (`errors.py`);
- the artifacts destination (`artifact_proxy.ServedArtifacts`) on `app.state.artifacts` when the server serves
  artifacts (None with --no-serve-artifacts), reached through the artifact routes only; with --artifacts-only those
  routes and /health are all there is, and no backend store is opened.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi

from tracekit import config
from tracekit.artifacts.trace_folders import serve_trace_folders_from
from tracekit.exceptions import TracekitException
from tracekit.server.artifact_proxy import ServedArtifacts
from tracekit.server.auth import OPEN_PATHS, Authenticator, AuthMiddleware
from tracekit.server.body_limit import BodySizeLimitMiddleware, StreamedLimit, StreamedLimitRule
from tracekit.server.errors import UnhandledErrorMiddleware, install_error_handlers
from tracekit.server.query_params import refuse_repeated_single_values
from tracekit.server.retention import RetentionSweeper
from tracekit.server.routers import (
    artifacts,
    assessments,
    experiments,
    health,
    insights,
    logged_models,
    model_versions,
    otlp,
    registered_models,
    runs,
    traces,
)
from tracekit.server.settings import ServerSettings
from tracekit.server.ui import install_ui, is_page_request
from tracekit.store.backend import Backend, open_backend
from tracekit.store.uri import HTTP_SCHEMES, get_scheme, redact_uri

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

# Resource routers mounted under API_PREFIX.
RESOURCE_ROUTERS: list[APIRouter] = [experiments.router, runs.router, logged_models.router, traces.router,
                                     assessments.batch_router, assessments.router,
                                     registered_models.router, model_versions.router, model_versions.search_router,
                                     insights.router]
ARTIFACT_UPLOAD_PREFIX = f"{API_PREFIX}/artifacts/files/"

DESCRIPTION = """\
Stores traces sent by tracekit clients (`tracekit.set_tracking_uri("http://host:port")`) and by any
OpenTelemetry SDK (OTLP/HTTP at `/v1/traces`), and serves them back: get, search with tracekit's filter grammar,
tags, delete; and the experiments, runs (params, metrics, tags) and logged models they link to, and the model
registry (registered models, versions, aliases). Errors are JSON
`{"error_code", "message"}`. The trace explorer, a web UI, is at `/`.
"""


def open_server_backend(settings: ServerSettings) -> Backend:
    """The backend of `settings.backend_store_uri`, opened (a new database migrated) for this app alone: a server's
    own stores are not shared with the process's `get_backend`, so closing the app closes them. A store that takes
    `default_artifact_root` (tracekit's SQL store does) gets `settings.backend_artifact_root` as the root of new
    experiments' artifact locations (`tracekit-artifacts:/` when the server serves artifacts)."""
    uri = settings.backend_store_uri
    if get_scheme(uri) in HTTP_SCHEMES:
        raise TracekitException.invalid_parameter_value(
            f"The backend store of a tracking server must be a database, not another server "
            f"({redact_uri(uri)!r}); use sqlite:///..., postgresql://... or mysql://...")
    return open_backend(uri, default_artifact_root=settings.backend_artifact_root)


def artifact_upload_limit(settings: ServerSettings) -> StreamedLimitRule:
    """Artifact uploads are streamed to disk under `settings.max_artifact_bytes`, not the JSON body limit."""
    limit = StreamedLimit(settings.max_artifact_bytes, f"The artifact file is larger than this server's limit of "
                          f"{settings.max_artifact_bytes} bytes; raise the server's --max-artifact-bytes.")

    def rule(method: str, path: str) -> StreamedLimit | None:
        return limit if method == "PUT" and path.startswith(ARTIFACT_UPLOAD_PREFIX) else None

    return rule


def _artifacts_only_router() -> APIRouter:
    """Every route but the artifact ones, answering that this server serves artifacts only."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    def disabled(request: Request) -> None:
        raise TracekitException.not_implemented(
            f"{request.method} {request.url.path} is disabled: this tracking server runs with --artifacts-only "
            f"and serves only {API_PREFIX}/artifacts/... and /health. Send tracking and trace requests to the "
            "tracking server that has the backend store.")

    return router


def _openapi_with_security(app: FastAPI, mode: str) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    if mode != "none":
        scheme = {"type": "http", "scheme": "basic" if mode == "basic" else "bearer"}
        document.setdefault("components", {})["securitySchemes"] = {mode: scheme}
        for path, operations in document.get("paths", {}).items():
            if path in OPEN_PATHS:
                continue
            for operation in operations.values():
                operation["security"] = [{mode: []}]
    app.openapi_schema = document
    return document


def create_app(settings: ServerSettings | None = None, backend: Backend | None = None) -> FastAPI:
    """The tracking server app for `settings` (default: from TRACEKIT_SERVER_* variables). The backend of
    `settings.backend_store_uri` is opened (and a new database migrated) here, so a bad URI fails at startup; pass
    `backend` to serve one you built yourself (it is then not closed with the app)."""
    from tracekit import __version__

    settings = settings or ServerSettings.from_environment()
    authenticator = Authenticator(settings)
    owned = backend is None
    served: Backend | None = backend
    if served is None and not settings.artifacts_only:
        served = open_server_backend(settings)
    served_artifacts = ServedArtifacts(settings.artifacts_destination) if settings.serve_artifacts else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeper = None
        if served_artifacts is not None:
            serve_trace_folders_from(served_artifacts.destination)
        if served is not None and settings.trace_retention_days > 0:
            sweeper = RetentionSweeper(served, settings.trace_retention_days,
                                       config.SERVER_RETENTION_INTERVAL_SECONDS.get())
            sweeper.start()
        yield
        if served_artifacts is not None:
            serve_trace_folders_from(None)
        if sweeper is not None:
            sweeper.stop()
        if owned and served is not None:
            served.close()

    # FastAPI's /docs and /redoc load their scripts from a CDN, which the UI's Content-Security-Policy forbids and
    # an offline network cannot reach: they are off; /openapi.json describes the API.
    app = FastAPI(title="tracekit tracking server", version=__version__, description=DESCRIPTION,
                  dependencies=[Depends(refuse_repeated_single_values)],
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.backend = served
    app.state.artifacts = served_artifacts
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(artifacts.router, prefix=API_PREFIX)
    if settings.artifacts_only:
        app.include_router(_artifacts_only_router())
    else:
        app.include_router(otlp.router)
        for router in RESOURCE_ROUTERS:
            app.include_router(router, prefix=API_PREFIX)
        install_ui(app)
    # Added innermost first: errors wrap auth, auth runs before the body is read. Under basic auth the explorer's
    # page is protected too, so the browser asks for the user name and password when it loads; a bearer token
    # cannot be asked for that way, so the page (no data in it) is open and asks for the token itself.
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes,
                       streamed_limit=artifact_upload_limit(settings))
    app.add_middleware(AuthMiddleware, authenticator=authenticator,
                       is_open=is_page_request if settings.auth == "bearer" else None)
    app.add_middleware(UnhandledErrorMiddleware)
    app.openapi = lambda: _openapi_with_security(app, settings.auth)  # type: ignore[method-assign]
    logger.info("Tracking server app ready: backend store %s, auth %s, body limit %d bytes, artifacts %s.",
                "none (--artifacts-only)" if served is None else redact_uri(settings.backend_store_uri),
                settings.auth, settings.max_body_bytes,
                f"served from {redact_uri(settings.artifacts_destination)}" if served_artifacts else "not served")
    return app


def app_from_environment() -> Any:
    """App factory for uvicorn workers (`uvicorn --factory tracekit.server.app:app_from_environment`): the built-in
    app, or what the server app plugin named by TRACEKIT_SERVER_APP_NAME (`--app-name`) makes of it."""
    settings = ServerSettings.from_environment()
    app = create_app(settings)
    if not settings.app_name:
        return app
    from tracekit.server.app_plugins import plugin_app

    return plugin_app(settings.app_name, app)
