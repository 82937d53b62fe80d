"""The error codes tracekit's exceptions carry, and the one table saying which HTTP status answers each.

The tracking server answers an exception with `HTTP_STATUS_BY_ERROR_CODE[error.error_code]`; the REST client
reads the code back from the answer and raises the exception a local store would have raised. Statuses the web
framework answers on its own (an unknown path, a wrong method) are named by `error_code_for_status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
BAD_REQUEST = "BAD_REQUEST"
UNAUTHENTICATED = "UNAUTHENTICATED"
PERMISSION_DENIED = "PERMISSION_DENIED"
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
INVALID_STATE = "INVALID_STATE"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
INTERNAL_ERROR = "INTERNAL_ERROR"
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"

HTTP_STATUS_BY_ERROR_CODE: Mapping[str, int] = MappingProxyType({
    INVALID_PARAMETER_VALUE: 400,
    BAD_REQUEST: 400,
    UNAUTHENTICATED: 401,
    PERMISSION_DENIED: 403,
    RESOURCE_DOES_NOT_EXIST: 404,
    ENDPOINT_NOT_FOUND: 404,
    METHOD_NOT_ALLOWED: 405,
    RESOURCE_ALREADY_EXISTS: 409,
    INVALID_STATE: 409,
    REQUEST_TOO_LARGE: 413,
    UNSUPPORTED_MEDIA_TYPE: 415,
    TOO_MANY_REQUESTS: 429,
    INTERNAL_ERROR: 500,
    NOT_IMPLEMENTED: 501,
    TEMPORARILY_UNAVAILABLE: 503,
})

# The code naming a bare HTTP status (one the framework answered, or a proxy's): the generic code of that status.
_GENERIC_CODES = (BAD_REQUEST, UNAUTHENTICATED, PERMISSION_DENIED, ENDPOINT_NOT_FOUND, METHOD_NOT_ALLOWED,
                  REQUEST_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, TOO_MANY_REQUESTS, INTERNAL_ERROR, NOT_IMPLEMENTED,
                  TEMPORARILY_UNAVAILABLE)
_ERROR_CODE_BY_STATUS = {HTTP_STATUS_BY_ERROR_CODE[code]: code for code in _GENERIC_CODES}


def http_status(error_code: str) -> int:
    """The HTTP status answering `error_code` (500 for a code the table does not know).

    >>> http_status("RESOURCE_DOES_NOT_EXIST")
    404
    """
    return HTTP_STATUS_BY_ERROR_CODE.get(error_code, 500)


def error_code_for_status(status: int) -> str:
    """The error code naming a bare HTTP error `status`: BAD_REQUEST for an unlisted 4xx, INTERNAL_ERROR for a 5xx.

    >>> error_code_for_status(405)
    'METHOD_NOT_ALLOWED'
    """
    return _ERROR_CODE_BY_STATUS.get(status, BAD_REQUEST if status < 500 else INTERNAL_ERROR)


# Answers meaning "not now" rather than "never": Request Timeout, Too Early, Too Many Requests.
RETRY_LATER_STATUSES = frozenset({408, 425, 429})


def is_transient(status: int) -> bool:
    """Whether an answer with this HTTP status is worth trying again later: a server error (except 501 Not
    Implemented, which no retry will change) or one of `RETRY_LATER_STATUSES`."""
    return status in RETRY_LATER_STATUSES or (status >= 500 and status != HTTP_STATUS_BY_ERROR_CODE[NOT_IMPLEMENTED])
