"""How the server answers errors: one JSON shape, `{"error_code", "message"}` (plus `exception` naming a tracekit
exception the client can raise again, and `fields` for validation errors), and never a stack trace.

Status codes: bad input 400, validation of the request's shape 422 (naming each field), unknown id 404, missing or
wrong credentials 401, body too large 413, database unreachable 503 (clients retry), anything unexpected 500 with an
error id that is also in the server log beside the traceback. Which status answers which error code is
said once, in `tracekit/error_codes.py`, a table the REST client reads answers back with.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from tracekit.error_codes import (
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    TEMPORARILY_UNAVAILABLE,
    error_code_for_status,
    http_status,
)
from tracekit.exceptions import SUBCLASSES_BY_NAME, TracekitException

logger = logging.getLogger(__name__)

MAX_REPORTED_FIELDS = 10


class _ErrorJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: an error message may quote a user's lone surrogate, which has
    no UTF-8 form but has a JSON escape."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def error_response(error_code: str, message: str, status: int | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """The JSON error answer, with the status the code's entry in `HTTP_STATUS_BY_ERROR_CODE` gives unless `status`
    says otherwise."""
    return _ErrorJSONResponse({"error_code": error_code, "message": message, **extra},
                        status_code=http_status(error_code) if status is None else status, headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _tracekit_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, TracekitException)
    if isinstance(error.__cause__, SQLAlchemyError):
        # A store error names the database; clients get the same answers as for the raw database error.
        return await _database_error(_request, error.__cause__)
    extra: dict[str, Any] = {}
    if SUBCLASSES_BY_NAME.get(type(error).__name__) is type(error):
        extra["exception"] = type(error).__name__
    return error_response(error.error_code, error.message, **extra)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    fields = [{"field": _field_name(tuple(problem.get("loc", ()))), "message": str(problem.get("msg", "")),
               "type": str(problem.get("type", ""))} for problem in problems[:MAX_REPORTED_FIELDS]]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    more = f" (and {len(problems) - MAX_REPORTED_FIELDS} more)" if len(problems) > MAX_REPORTED_FIELDS else ""
    return error_response(INVALID_PARAMETER_VALUE, f"Invalid request: {summary}{more}", 422, fields=fields)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return error_response(error_code_for_status(error.status_code), str(error.detail), error.status_code,
                          headers=getattr(error, "headers", None))


async def _database_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SQLAlchemyError)
    if isinstance(error, DBAPIError) and type(error).__name__ == "DataError":
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0][:300]
        return error_response(INVALID_PARAMETER_VALUE, f"The database refused a value of this request: "
                              f"{reason}")
    if isinstance(error, DBAPIError) and (error.connection_invalidated or type(error).__name__ in
                                          ("OperationalError", "InterfaceError")):
        logger.warning("The backend store is unavailable: %s", getattr(error, "orig", error))
        return error_response(TEMPORARILY_UNAVAILABLE,
                              "The tracking server cannot reach its database right now; try again later.")
    return _internal_error(error)


def _internal_error(error: BaseException) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    logger.error("Unexpected error (error id %s)", error_id, exc_info=error)
    return error_response(INTERNAL_ERROR,
                          f"The tracking server failed on this request (error id {error_id}); the details are in "
                          "the server log.")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error answers on `app`."""
    app.add_exception_handler(TracekitException, _tracekit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)


class UnhandledErrorMiddleware:
    """Turns any exception no handler took into a 500 JSON answer (logged once, with its error id)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if started:
                logger.error("Unexpected error after the answer started", exc_info=error)
                return
            await _internal_error(error)(scope, receive, send)
