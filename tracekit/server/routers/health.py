"""`GET /health` (the server and its database answer) and `GET /version`. Both need no credentials."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from tracekit.error_codes import TEMPORARILY_UNAVAILABLE
from tracekit.server.errors import error_response

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/health", summary="Whether the server and its database answer",
            responses={503: {"description": "The database does not answer."}})
def health(request: Request):
    """`{"status": "OK"}` when the database answers (an --artifacts-only server has none), 503 otherwise."""
    backend = request.app.state.backend
    if backend is None:
        return {"status": "OK"}
    try:
        backend.traces.ping()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        logger.warning("Health check: the backend store does not answer: %s", error)
        return error_response(TEMPORARILY_UNAVAILABLE, "The tracking server's database does not answer.")
    return {"status": "OK"}


@router.get("/version", response_class=PlainTextResponse, summary="The tracekit version of the server")
def version() -> str:
    """The server's tracekit version, as plain text."""
    from tracekit import __version__

    return __version__
