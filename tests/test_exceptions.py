"""The exception tree: named constructors build a TracekitException carrying their code, the subclasses carry theirs,
and every code anything raises has an HTTP status in the one table."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import error_codes
from tracekit.exceptions import TracekitException


@pytest.mark.parametrize(("build", "code"), [
    (TracekitException.invalid_parameter_value, "INVALID_PARAMETER_VALUE"),
    (TracekitException.bad_request, "BAD_REQUEST"),
    (TracekitException.unauthenticated, "UNAUTHENTICATED"),
    (TracekitException.endpoint_not_found, "ENDPOINT_NOT_FOUND"),
    (TracekitException.already_exists, "RESOURCE_ALREADY_EXISTS"),
    (TracekitException.invalid_state, "INVALID_STATE"),
    (TracekitException.request_too_large, "REQUEST_TOO_LARGE"),
    (TracekitException.unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE"),
    (TracekitException.not_implemented, "NOT_IMPLEMENTED"),
    (TracekitException.temporarily_unavailable, "TEMPORARILY_UNAVAILABLE"),
    (TracekitException, "INTERNAL_ERROR"),
    (tracekit.InvalidFilterError, "INVALID_PARAMETER_VALUE"),
    (tracekit.ResourceNotFoundError, "RESOURCE_DOES_NOT_EXIST"),
    (tracekit.TrackingServerUnavailableError, "TEMPORARILY_UNAVAILABLE"),
])
def test_each_kind_of_error_carries_its_code(build, code):
    error = build("what went wrong")
    assert isinstance(error, tracekit.TracekitException)
    assert (error.error_code, error.message, str(error)) == (code, "what went wrong", "what went wrong")
    assert code in error_codes.HTTP_STATUS_BY_ERROR_CODE


def test_named_constructors_build_the_root_class_even_from_a_subclass():
    assert type(tracekit.ResourceNotFoundError.invalid_state("no")) is TracekitException


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "10"])
def test_a_bad_max_results_is_refused_with_the_one_message(bad):
    with pytest.raises(TracekitException, match=r"^max_results must be a positive integer or None \(no limit\), "
                                                 r"got ") as raised:
        tracekit.search_traces(max_results=bad)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
