"""One error vocabulary: every error code the server answers with comes back from the REST client as the exception
a local store raises, with the same class and code, through a real server on 127.0.0.1; the HTTP status of each
answer is the one table's (tracekit/error_codes.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from server_helpers import ThreadedServer

from tracekit import error_codes
from tracekit.exceptions import (
    InvalidFilterError,
    ResourceNotFoundError,
    TracekitException,
    TrackingServerUnavailableError,
)
from tracekit.server.errors import install_error_handlers
from tracekit.store.rest.client import TrackingServerClient

RAISED: dict[str, TracekitException] = {
    **{f"code-{code}": TracekitException(f"failed with {code}", code)
       for code in error_codes.HTTP_STATUS_BY_ERROR_CODE},
    "invalid-filter": InvalidFilterError("bad filter"),
    "not-found": ResourceNotFoundError("no such run"),
    "unavailable": TrackingServerUnavailableError("try later"),
}
# Server failures come back as TrackingServerUnavailableError (callers retry it) carrying the server's code.
RETRIED_CODES = {error_codes.INTERNAL_ERROR, error_codes.TOO_MANY_REQUESTS, error_codes.TEMPORARILY_UNAVAILABLE}


@pytest.fixture(scope="module")
def client() -> Iterator[TrackingServerClient]:
    """A REST client of a real server whose `/raise/<name>` raises `RAISED[name]`."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        raise RAISED[name]

    server = ThreadedServer(app).start()
    client = TrackingServerClient(server.url)
    yield client
    client.close()
    server.stop()


def _answer(client: TrackingServerClient, name: str) -> TracekitException:
    with pytest.raises(TracekitException) as raised:
        client.request("GET", f"/raise/{name}")
    return raised.value


@pytest.mark.parametrize("name", sorted(RAISED))
def test_every_error_code_round_trips_from_server_to_client(client, name):
    sent = RAISED[name]
    received = _answer(client, name)
    assert received.error_code == sent.error_code
    if sent.error_code in RETRIED_CODES:
        assert type(received) is TrackingServerUnavailableError
    else:
        assert type(received) is type(sent)
        assert sent.message in received.message


@pytest.mark.parametrize("code", sorted(error_codes.HTTP_STATUS_BY_ERROR_CODE))
def test_the_server_answers_each_code_with_the_tables_status(client, code):
    answer = client.http.get(f"/raise/code-{code}")
    assert answer.status_code == error_codes.http_status(code)
    assert answer.json()["error_code"] == code


def test_a_subclass_is_named_in_the_answer_so_the_client_can_raise_it_again(client):
    assert client.http.get("/raise/not-found").json() == {
        "error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no such run", "exception": "ResourceNotFoundError"}
    assert "exception" not in client.http.get("/raise/code-INVALID_STATE").json()


@pytest.mark.parametrize(("method", "path", "code"), [
    ("GET", "/no/such/path", "ENDPOINT_NOT_FOUND"),
    ("DELETE", "/raise/not-found", "METHOD_NOT_ALLOWED"),
])
def test_errors_the_framework_answers_come_back_with_the_code_of_their_status(client, method, path, code):
    with pytest.raises(TracekitException) as raised:
        client.request(method, path)
    assert type(raised.value) is TracekitException and raised.value.error_code == code
