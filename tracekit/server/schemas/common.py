"""Shapes shared by every resource: the error answer and bounded integer types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

INT64_MAX = 2**63 - 1

NonNegativeInt64 = Annotated[int, Field(ge=0, le=INT64_MAX)]


class StrictModel(BaseModel):
    """A request body: JSON types are taken as declared (no `false` for a number, no `0` for a boolean)."""

    model_config = ConfigDict(strict=True)


class FieldError(BaseModel):
    """One field that failed validation."""

    field: str = Field(description="Where: `body.traces.0.info.trace_id`, `query.key`, ...")
    message: str
    type: str


class ErrorResponse(BaseModel):
    """Every error answer: a stable code, a message saying what was wrong and what to do."""

    error_code: str = Field(description="INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST, UNAUTHENTICATED, ...")
    message: str
    exception: str | None = Field(None, description="The tracekit exception a Python client raises for this.")
    fields: list[FieldError] | None = Field(None, description="For validation errors (422): each field at fault.")


ERROR_RESPONSES = {
    400: {"model": ErrorResponse, "description": "Bad input (a malformed filter, an invalid value)."},
    401: {"model": ErrorResponse, "description": "Missing or wrong credentials (when the server requires them)."},
    413: {"model": ErrorResponse, "description": "The request body is over the server's size limit."},
    422: {"model": ErrorResponse, "description": "The request does not have the documented shape."},
    503: {"model": ErrorResponse, "description": "The server's database is unreachable; retry later."},
}
