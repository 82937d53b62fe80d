"""The exceptions tracekit raises: one root, `TracekitException`, carrying an error code, and a few specific kinds.

    TracekitException                     error_code (HTTP status; the table is tracekit/error_codes.py)
      .invalid_parameter_value(message)     INVALID_PARAMETER_VALUE (400)
      .bad_request(message)                 BAD_REQUEST (400)
      .unauthenticated(message)             UNAUTHENTICATED (401)
      .permission_denied(message)           PERMISSION_DENIED (403)
      .endpoint_not_found(message)          ENDPOINT_NOT_FOUND (404)
      .already_exists(message)              RESOURCE_ALREADY_EXISTS (409)
      .invalid_state(message)               INVALID_STATE (409)
      .request_too_large(message)           REQUEST_TOO_LARGE (413)
      .unsupported_media_type(message)      UNSUPPORTED_MEDIA_TYPE (415)
      TracekitException(message)            INTERNAL_ERROR (500)
      .not_implemented(message)             NOT_IMPLEMENTED (501)
      .temporarily_unavailable(message)     TEMPORARILY_UNAVAILABLE (503)
    ├── InvalidFilterError                  INVALID_PARAMETER_VALUE (400)
    ├── ResourceNotFoundError               RESOURCE_DOES_NOT_EXIST (404)
    ├── TrackingServerUnavailableError      TEMPORARILY_UNAVAILABLE (503), or the 5xx code the server answered
    ├── TraceRejectedError                  INVALID_PARAMETER_VALUE: a destination refused traces for good (export)
    └── ModelValidationFailedException      INVALID_STATE: evaluation results missed their validation thresholds

The named constructors build a plain `TracekitException` with their code; the subclasses are the errors callers
catch on their own. `is_transient_error` says which failures can heal (worth retrying: the store did not answer,
a 5xx, a locked database) and which are permanent (a wrong setting, refused credentials, an unknown resource).
The tracking server names a subclass in its error answer (`"exception"`), and the REST client raises that subclass
again (`SUBCLASSES_BY_NAME`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tracekit import error_codes


class TracekitException(Exception):
    """Base of every error tracekit raises on purpose; the message says what was wrong and what to do.

    >>> raise TracekitException.invalid_parameter_value("max_results must be a positive integer, got 0.")
    """

    def __init__(self, message: str, error_code: str = error_codes.INTERNAL_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code

    @staticmethod
    def invalid_parameter_value(message: str) -> TracekitException:
        """Bad input from the caller: a value out of range, of the wrong type, or malformed."""
        return TracekitException(message, error_codes.INVALID_PARAMETER_VALUE)

    @staticmethod
    def bad_request(message: str) -> TracekitException:
        """A request that cannot be read at all (a malformed header or body encoding)."""
        return TracekitException(message, error_codes.BAD_REQUEST)

    @staticmethod
    def unauthenticated(message: str) -> TracekitException:
        """Missing or wrong credentials."""
        return TracekitException(message, error_codes.UNAUTHENTICATED)

    @staticmethod
    def permission_denied(message: str) -> TracekitException:
        """Credentials that were accepted but do not allow the request."""
        return TracekitException(message, error_codes.PERMISSION_DENIED)

    @staticmethod
    def endpoint_not_found(message: str) -> TracekitException:
        """A path the tracking server does not serve."""
        return TracekitException(message, error_codes.ENDPOINT_NOT_FOUND)

    @staticmethod
    def already_exists(message: str) -> TracekitException:
        """A name or id that is already taken."""
        return TracekitException(message, error_codes.RESOURCE_ALREADY_EXISTS)

    @staticmethod
    def invalid_state(message: str) -> TracekitException:
        """A valid request that the current state forbids (a run already active, a deleted experiment, an
        unmigrated database)."""
        return TracekitException(message, error_codes.INVALID_STATE)

    @staticmethod
    def request_too_large(message: str) -> TracekitException:
        """A request body over the server's size limit."""
        return TracekitException(message, error_codes.REQUEST_TOO_LARGE)

    @staticmethod
    def unsupported_media_type(message: str) -> TracekitException:
        """A request body in a content type the endpoint does not read."""
        return TracekitException(message, error_codes.UNSUPPORTED_MEDIA_TYPE)

    @staticmethod
    def not_implemented(message: str) -> TracekitException:
        """Something this backend cannot do (a store kind it does not hold)."""
        return TracekitException(message, error_codes.NOT_IMPLEMENTED)

    @staticmethod
    def temporarily_unavailable(message: str) -> TracekitException:
        """A store that cannot be reached right now; worth trying again later."""
        return TracekitException(message, error_codes.TEMPORARILY_UNAVAILABLE)


class InvalidFilterError(TracekitException):
    """A search filter, order-by clause or field spec that cannot be parsed or applied."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_codes.INVALID_PARAMETER_VALUE)


class ResourceNotFoundError(TracekitException):
    """An experiment, run, model or trace id that the store does not know."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_codes.RESOURCE_DOES_NOT_EXIST)


class TrackingServerUnavailableError(TracekitException):
    """The tracking server could not be reached or answered with a server error (5xx); worth trying again later.

    `error_code` is TEMPORARILY_UNAVAILABLE, or the code of the server's own answer (INTERNAL_ERROR for a 500).
    """

    def __init__(self, message: str, error_code: str = error_codes.TEMPORARILY_UNAVAILABLE) -> None:
        super().__init__(message, error_code)


class TraceRejectedError(TracekitException):
    """The destination refused traces for good: sending them again would fail the same way (a value the database
    cannot store, a trace over the tracking server's body limit, a 4xx answer). The export queue then splits the
    batch to find the refused traces, stores the others, and moves the refused ones to the dead-letter file (see
    `tracekit spill list --dead`) instead of retrying them. Raise it from a custom `TraceExporter.export` for
    traces your destination will never take; raise anything else for failures worth retrying."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_codes.INVALID_PARAMETER_VALUE)


class ModelValidationFailedException(TracekitException):
    """`validate_evaluation_results` found metrics that miss their `MetricThreshold`s; `failures` lists one line per
    failed check (the message lists them all)."""

    def __init__(self, message: str, failures: list[str] | None = None) -> None:
        super().__init__(message, error_codes.INVALID_STATE)
        self.failures = list(failures or [])


SUBCLASSES_BY_NAME: Mapping[str, type[TracekitException]] = MappingProxyType({
    kind.__name__: kind for kind in (InvalidFilterError, ResourceNotFoundError, TrackingServerUnavailableError)})


def is_transient_error(error: BaseException) -> bool:
    """Whether `error` may go away by itself, so that trying again later is worth it: a `TracekitException` whose
    code answers with a transient HTTP status (a 5xx but 501, 408, 425, 429), or any exception that is not a
    `TracekitException` (a custom exporter's own error: by the exporter contract, "try again later"). A
    `TracekitException` with any other code (a bad tracking URI, a missing driver, HTTP 401/403/404, a refused
    trace) is permanent: retrying would fail the same way until the user changes something.

    >>> is_transient_error(TracekitException.temporarily_unavailable("connection refused"))
    True
    >>> is_transient_error(TracekitException.unauthenticated("HTTP 401"))
    False
    """
    if not isinstance(error, TracekitException) or isinstance(error, TrackingServerUnavailableError):
        return True
    return error_codes.is_transient(error_codes.http_status(error.error_code))


def failure_reason(error: BaseException, limit: int = 300) -> str:
    """What went wrong, safe for a log line: the database driver's own message rather than SQLAlchemy's text, which
    appends the statement and its parameters (user data); only the first line, at most `limit` characters.

    >>> failure_reason(error)
    'OperationalError: database is locked'
    """
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    if isinstance(cause, TracekitException):
        return first_line[:limit]
    return f"{type(cause).__name__}: {first_line[:limit]}"

