"""Shapes shared by every resource: the error answer and bounded integer types."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from tracekit.exceptions import TracekitException
from tracekit.store.sql.schema import (
    EXPERIMENT_ID_LENGTH,
    KEY_LENGTH,
    MODEL_ID_LENGTH,
    NAME_LENGTH,
    PARAM_VALUE_LENGTH,
    RUN_ID_LENGTH,
    TAG_VALUE_LENGTH,
)
from tracekit.validation import MAX_IDS_PER_REQUEST, check_max_results

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
MAX_SEARCH_RESULTS = 10_000
IDS_LIMIT_TEXT = f"At most {MAX_IDS_PER_REQUEST} ids (more: a 400 naming the limit)."

NonNegativeInt64 = Annotated[int, Field(ge=0, le=INT64_MAX)]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Key = Annotated[str, Field(min_length=1, max_length=KEY_LENGTH)]
TagValue = Annotated[str, Field(max_length=TAG_VALUE_LENGTH)]
ParamValue = Annotated[str, Field(max_length=PARAM_VALUE_LENGTH)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, pattern=r"\S")]
ExperimentIdText = Annotated[str, Field(min_length=1, max_length=EXPERIMENT_ID_LENGTH, pattern=r"^[^\x00]+$")]
RunIdText = Annotated[str, Field(min_length=1, max_length=RUN_ID_LENGTH)]
ModelIdText = Annotated[str, Field(min_length=1, max_length=MODEL_ID_LENGTH)]
ViewTypeName = Literal["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]
PageToken = Annotated[str | None, Field(description="`next_page_token` of the previous page of the same search")]


def _page_size(max_results: int) -> int:
    """The search bodies' `max_results`, checked as every store checks it."""
    try:
        check_max_results(max_results, at_most=MAX_SEARCH_RESULTS)
    except TracekitException as error:
        raise ValueError(error.message) from None  # pydantic reports a ValueError as this field's 422
    return max_results


PageSize = Annotated[int, AfterValidator(_page_size),
                     WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_SEARCH_RESULTS})]


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


class SetTagRequest(StrictModel):
    """One tag to add or replace."""

    key: Key
    value: TagValue


#: FastAPI's `responses=`: the statuses an endpoint documents beyond its success, each with its model and description.
Responses = dict[int | str, dict[str, Any]]

ERROR_RESPONSES: Responses = {
    400: {"model": ErrorResponse, "description": "Bad input (a malformed filter, an invalid value)."},
    401: {"model": ErrorResponse, "description": "Missing or wrong credentials (when the server requires them)."},
    413: {"model": ErrorResponse, "description": "The request body is over the server's size limit."},
    422: {"model": ErrorResponse, "description": "The request does not have the documented shape."},
    503: {"model": ErrorResponse, "description": "The server's database is unreachable; retry later."},
}
