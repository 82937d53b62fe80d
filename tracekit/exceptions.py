"""The exceptions tracekit raises: one root, `TracekitException`, and a few specific kinds."""

from __future__ import annotations


class TracekitException(Exception):
    """Base of every error tracekit raises on purpose; the message says what was wrong and what to do."""

    def __init__(self, message: str, error_code: str = "INTERNAL_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code


class InvalidFilterError(TracekitException):
    """A search filter, order-by clause or field spec that cannot be parsed or applied."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="INVALID_PARAMETER_VALUE")


class ResourceNotFoundError(TracekitException):
    """An experiment, run, model or trace id that the store does not know."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="RESOURCE_DOES_NOT_EXIST")


class TrackingServerUnavailableError(TracekitException):
    """The tracking server could not be reached or answered with a server error (5xx); worth trying again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="TEMPORARILY_UNAVAILABLE")


class TraceRejectedError(TracekitException):
    """The destination refused traces for good: sending them again would fail the same way (a value the database
    cannot store, a trace over the tracking server's body limit, a 4xx answer). The export queue then splits the
    batch to find the refused traces, stores the others, and moves the refused ones to the dead-letter file (see
    `tracekit spill list --dead`) instead of retrying them. Raise it from a custom `TraceExporter.export` for
    traces your destination will never take; raise anything else for failures worth retrying."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="INVALID_PARAMETER_VALUE")
