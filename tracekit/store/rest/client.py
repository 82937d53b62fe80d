"""`TrackingServerClient`: HTTP requests to a tracekit tracking server, shared by every REST-backed store of one
tracking URI (traces now; experiments, runs and models later).

One `httpx.Client` per process (connections are kept alive and reused; a forked child opens its own), timeouts from
TRACEKIT_HTTP_REQUEST_TIMEOUT, credentials from TRACEKIT_TRACKING_USERNAME/PASSWORD (HTTP Basic, preferred) or
TRACEKIT_TRACKING_TOKEN (Bearer), or from the URI itself (`http://user:password@host:5000`). Errors become
tracekit exceptions: a connection failure or a 5xx answer raises `TrackingServerUnavailableError` (the export queue
retries and then spills), a 4xx answer raises the exception the server named, with the server's message.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import orjson

from tracekit import config
from tracekit.exceptions import (
    InvalidFilterError,
    ResourceNotFoundError,
    TracekitException,
    TrackingServerUnavailableError,
)
from tracekit.store.uri import redact_uri

logger = logging.getLogger(__name__)

# Answers meaning "not now" rather than "never": the request may succeed later, like after a 5xx.
RETRY_LATER_STATUSES = frozenset({408, 425, 429})
# 4xx answers about the client or the server rather than the request's content: every later request would get them
# too, so they do not single out a trace (see `refuses_for_good`).
_NOT_ABOUT_THE_CONTENT = frozenset({401, 403, 404, 405})


def refuses_for_good(error: BaseException) -> bool:
    """Whether the server refused a request for its content (a 4xx answer such as 400, 413 or 422): sending the
    same content again would be refused again."""
    status = getattr(error, "http_status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in _NOT_ABOUT_THE_CONTENT \
        and status not in RETRY_LATER_STATUSES


_EXCEPTIONS_BY_NAME: dict[str, type[TracekitException]] = {
    "InvalidFilterError": InvalidFilterError,
    "ResourceNotFoundError": ResourceNotFoundError,
}


def _user_agent() -> str:
    from tracekit import __version__

    return f"tracekit/{__version__}"


def _auth_from(uri_username: str | None, uri_password: str | None) -> httpx.Auth | None:
    username, password = config.TRACKING_USERNAME.get(), config.TRACKING_PASSWORD.get()
    if username and password:
        return httpx.BasicAuth(username, password)
    if uri_username is not None:
        return httpx.BasicAuth(unquote(uri_username), unquote(uri_password or ""))
    token = config.TRACKING_TOKEN.get()
    if token:
        return _BearerAuth(token)
    if username or password:
        logger.warning("Only one of TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD is set; set both to "
                       "use HTTP Basic authentication. Sending requests without it.")
    return None


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request):  # noqa: ANN201 - httpx's generator protocol
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:  # never show the token
        return "_BearerAuth(***)"


class TrackingServerClient:
    """Requests to the tracking server at `uri` (`http(s)://host:port[/prefix]`), JSON in and out.

    >>> client = TrackingServerClient("http://127.0.0.1:5000")
    >>> client.request("GET", "/health")
    {'status': 'OK', ...}
    """

    def __init__(self, uri: str) -> None:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TracekitException(f"Malformed tracking server URI {redact_uri(uri)!r}: expected "
                                    "http(s)://host[:port][/path].", error_code="INVALID_PARAMETER_VALUE")
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        try:
            port = parts.port
        except ValueError:
            raise TracekitException(f"Malformed tracking server URI {redact_uri(uri)!r}: the port is not a number.",
                                    error_code="INVALID_PARAMETER_VALUE") from None
        if port is not None:
            netloc += f":{port}"
        self.uri = uri
        self.base_url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        self._auth = _auth_from(parts.username, parts.password)
        self._timeout = httpx.Timeout(config.HTTP_REQUEST_TIMEOUT.get())
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._pid = 0

    def __repr__(self) -> str:
        return f"TrackingServerClient({self.base_url!r})"

    @property
    def http(self) -> httpx.Client:
        """This process's pooled `httpx.Client`."""
        client = self._client
        if client is not None and self._pid == os.getpid():
            return client
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client = httpx.Client(base_url=self.base_url, auth=self._auth, timeout=self._timeout,
                                            headers={"User-Agent": _user_agent()})
                self._pid = os.getpid()
            return self._client

    def request(self, method: str, path: str, *, json: Any = None, content: bytes | None = None,
                params: dict[str, Any] | None = None) -> Any:
        """Send one request; the decoded JSON answer, or a tracekit exception (see the module docstring)."""
        headers = {}
        if json is not None:
            content = orjson.dumps(json)
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, path, content=content, params=params, headers=headers)
        except httpx.TransportError as error:
            raise TrackingServerUnavailableError(
                f"Cannot reach the tracking server {self.base_url} ({method} {path}): "
                f"{type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            raise self._error(method, path, response)
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise TrackingServerUnavailableError(
                f"The tracking server {self.base_url} answered {method} {path} with something that is not JSON "
                f"(is {self.base_url} a tracekit tracking server?).") from None

    def _error(self, method: str, path: str, response: httpx.Response) -> TracekitException:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        message = str(body.get("message") or response.reason_phrase or "no message")
        where = f"{method} {path} on {self.base_url}"
        status = response.status_code
        error = self._error_for(status, body, message, where)
        error.http_status = status  # type: ignore[attr-defined] - read by stores that tell lasting refusals apart
        return error

    def _error_for(self, status: int, body: dict[str, Any], message: str, where: str) -> TracekitException:
        if status >= 500 or status in RETRY_LATER_STATUSES:
            return TrackingServerUnavailableError(f"The tracking server failed ({where}, HTTP {status}): {message}")
        if status == 401:
            return TracekitException(
                f"The tracking server refused the request ({where}, HTTP 401): {message}. Set "
                "TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD, or TRACEKIT_TRACKING_TOKEN.",
                error_code="UNAUTHENTICATED")
        exception_type = _EXCEPTIONS_BY_NAME.get(str(body.get("exception")))
        if exception_type is not None:
            return exception_type(message)
        if status == 404 and not body:
            return TracekitException(f"{where} does not exist (HTTP 404): is {self.base_url} a tracekit tracking "
                                     "server of a matching version?", error_code="ENDPOINT_NOT_FOUND")
        return TracekitException(f"{message} ({where}, HTTP {status})",
                                 error_code=str(body.get("error_code") or "INVALID_PARAMETER_VALUE"))

    def close(self) -> None:
        """Close pooled connections (they are reopened if the client is used again)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None and self._pid == os.getpid():
            client.close()
