"""`TrackingServerClient`: HTTP requests to a tracekit tracking server, shared by every REST-backed store of one
tracking URI (traces now; experiments, runs and models later).

One `httpx.Client` per process (connections are kept alive and reused; a forked child opens its own), timeouts from
TRACEKIT_HTTP_REQUEST_TIMEOUT, credentials from TRACEKIT_TRACKING_USERNAME/PASSWORD (HTTP Basic, preferred) or
TRACEKIT_TRACKING_TOKEN (Bearer), or from the URI itself (`http://user:password@host:5000`), unless
TRACEKIT_TRACKING_AUTH names a request auth provider plugin; request header provider plugins add their headers to
every request. Errors become tracekit exceptions: a connection failure or a 5xx answer (but 501) raises
`TrackingServerUnavailableError` (the export queue retries and then spills); any other answer raises the exception a
local store would have raised: the subclass the server named, or a `TracekitException` with the server's error code
and message (the codes and their statuses are tracekit/error_codes.py's table).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import orjson

from tracekit import config
from tracekit.error_codes import TEMPORARILY_UNAVAILABLE, error_code_for_status, is_transient
from tracekit.exceptions import SUBCLASSES_BY_NAME, TracekitException, TrackingServerUnavailableError
from tracekit.plugins.request_auth import auth_from_environment
from tracekit.plugins.request_headers import resolve_request_headers
from tracekit.store.uri import redact_uri

logger = logging.getLogger(__name__)

# 4xx answers about the client or the server rather than the request's content: every later request would get them
# too, so they do not single out a trace (see `refuses_for_good`).
_NOT_ABOUT_THE_CONTENT = frozenset({401, 403, 404, 405})


def refuses_for_good(error: BaseException) -> bool:
    """Whether the server refused a request for its content (a 4xx answer such as 400, 413 or 422): sending the
    same content again would be refused again."""
    status = getattr(error, "http_status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in _NOT_ABOUT_THE_CONTENT \
        and not is_transient(status)


def _user_agent() -> str:
    from tracekit import __version__

    return f"tracekit/{__version__}"


def _auth_from(uri_username: str | None, uri_password: str | None) -> httpx.Auth | None:
    if config.TRACKING_AUTH.get():
        return auth_from_environment()
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


def server_base_url(uri: str) -> str:
    """The base URL requests go to for the tracking server URI `uri` (credentials, query and trailing slash
    removed); INVALID_PARAMETER_VALUE, naming what is wrong, for a malformed one.

    >>> server_base_url("http://alice:pw@tracking:5000/prefix/")
    'http://tracking:5000/prefix'
    """
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking server URI {redact_uri(uri)!r}: expected http(s)://host[:port][/path].")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    try:
        port = parts.port
    except ValueError:
        raise TracekitException.invalid_parameter_value(
            f"Malformed tracking server URI {redact_uri(uri)!r}: the port is not a number between 0 and "
            f"65535.") from None
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


class TrackingServerClient:
    """Requests to the tracking server at `uri` (`http(s)://host:port[/prefix]`), JSON in and out.

    >>> client = TrackingServerClient("http://127.0.0.1:5000")
    >>> client.request("GET", "/health")
    {'status': 'OK', ...}
    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.base_url = server_base_url(uri)
        parts = urlsplit(uri)
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
        response = self.send(method, path, content=content, params=params, headers=headers)
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise TrackingServerUnavailableError(
                f"The tracking server {self.base_url} answered {method} {path} with something that is not JSON "
                f"(is {self.base_url} a tracekit tracking server?).") from None

    def send(self, method: str, path: str, *, content: bytes | Iterable[bytes] | None = None,
             params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             stream: bool = False) -> httpx.Response:
        """Send one request whose body is `content` as it is (bytes, or chunks of bytes sent as they are produced);
        the answer (with `stream`, its body not read yet: close it), or a tracekit exception for an error answer.
        Request header provider plugins' headers go on every request; `headers` win over them."""
        headers = {**resolve_request_headers(), **(headers or {})}
        try:
            request = self.http.build_request(method, path, content=content, params=params, headers=headers)
            response = self.http.send(request, stream=stream)
        except httpx.TransportError as error:
            raise TrackingServerUnavailableError(
                f"Cannot reach the tracking server {self.base_url} ({method} {path}): "
                f"{type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            if stream:
                try:
                    response.read()
                finally:
                    response.close()
            raise self._error(method, path, response)
        return response

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
        error.http_status = status  # type: ignore[attr-defined]  # read by stores that tell lasting refusals apart
        return error

    def _error_for(self, status: int, body: dict[str, Any], message: str, where: str) -> TracekitException:
        if is_transient(status):
            return TrackingServerUnavailableError(f"The tracking server failed ({where}, HTTP {status}): {message}",
                                                  str(body.get("error_code") or TEMPORARILY_UNAVAILABLE))
        if status == 401:
            return TracekitException.unauthenticated(
                f"The tracking server refused the request ({where}, HTTP 401): {message.rstrip('.')}. Set "
                "TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD, or TRACEKIT_TRACKING_TOKEN, to "
                "credentials the server accepts.")
        if status == 403:
            return TracekitException.permission_denied(
                f"The tracking server (or a proxy in front of it) forbids the request ({where}, HTTP 403): "
                f"{message.rstrip('.')}. Use credentials (TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD, "
                f"or TRACEKIT_TRACKING_TOKEN) that are allowed this request, or check the tracking URI "
                f"{redact_uri(self.uri)!r}.")
        named = SUBCLASSES_BY_NAME.get(str(body.get("exception")))
        if named is not None:
            return named(message)
        if status == 404 and not body:
            return TracekitException.endpoint_not_found(
                f"{where} does not exist (HTTP 404): is {self.base_url} a tracekit tracking "
                "server of a matching version?")
        return TracekitException(f"{message} ({where}, HTTP {status})",
                                 str(body.get("error_code") or error_code_for_status(status)))

    def close(self) -> None:
        """Close pooled connections (they are reopened if the client is used again)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None and self._pid == os.getpid():
            client.close()
