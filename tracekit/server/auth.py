"""Authentication, off by default: HTTP Basic against a list of users, or Bearer tokens.

It runs as ASGI middleware in front of every route (those added later too), before the request body is read: a
request without valid credentials gets 401 and reaches no endpoint. `/health` and `/version` stay open so load
balancers can probe. Credentials are compared in constant time and never logged; a rejection is logged with the
method, path, client address and the reason (missing, malformed or wrong credentials) only.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from tracekit import config
from tracekit.error_codes import TOO_MANY_REQUESTS, UNAUTHENTICATED
from tracekit.exceptions import TracekitException
from tracekit.server.errors import error_response
from tracekit.server.login_limit import FailedLoginLimit
from tracekit.server.settings import ServerSettings

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health", "/version"})
_DUMMY = b"tracekit-no-such-user-password"


def _lines(path: str, what: str) -> list[str]:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise TracekitException.invalid_parameter_value(
            f"Cannot read the {what} file {path!r}: {error.strerror or error}.") from error
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def load_users(settings: ServerSettings) -> dict[str, bytes]:
    """User name -> password, from the users file and TRACEKIT_SERVER_USERS (which wins on equal names)."""
    entries = _lines(settings.users_file, "users") if settings.users_file else []
    entries += [item.strip() for item in config.SERVER_USERS.get().split(",") if item.strip()]
    users: dict[str, bytes] = {}
    for number, entry in enumerate(entries, 1):
        name, separator, password = entry.partition(":")
        if not separator or not name or not password:
            # Say which entry, never what it holds: it may be a password.
            raise TracekitException.invalid_parameter_value(
                f"User entry #{number} is not of the form username:password (check "
                f"{settings.users_file or ''} and TRACEKIT_SERVER_USERS).")
        users[name] = password.encode("utf-8")
    return users


def load_tokens(settings: ServerSettings) -> list[bytes]:
    """Accepted bearer tokens, from the tokens file and TRACEKIT_SERVER_TOKENS."""
    tokens = _lines(settings.tokens_file, "tokens") if settings.tokens_file else []
    tokens += [item.strip() for item in config.SERVER_TOKENS.get().split(",") if item.strip()]
    return [token.encode("utf-8") for token in tokens]


class Authenticator:
    """Checks an Authorization header against the configured users or tokens."""

    def __init__(self, settings: ServerSettings) -> None:
        self.mode = settings.auth
        self._users: dict[str, bytes] = {}
        self._tokens: list[bytes] = []
        if self.mode == "basic":
            self._users = load_users(settings)
            if not self._users:
                raise TracekitException.invalid_parameter_value(
                    "--auth basic needs users: pass --users-file (username:password lines) or "
                    "set TRACEKIT_SERVER_USERS.")
        elif self.mode == "bearer":
            self._tokens = load_tokens(settings)
            if not self._tokens:
                raise TracekitException.invalid_parameter_value(
                    "--auth bearer needs tokens: pass --tokens-file or set TRACEKIT_SERVER_TOKENS.")

    @property
    def challenge(self) -> str:
        """The WWW-Authenticate header of a 401 answer."""
        return 'Basic realm="tracekit"' if self.mode == "basic" else 'Bearer realm="tracekit"'

    def check(self, header: bytes | None) -> tuple[str | None, str]:
        """(user name or "token", "") when `header` holds valid credentials, else (None, why not)."""
        if not header:
            return None, "no credentials"
        scheme, _, value = header.decode("latin-1").partition(" ")
        value = value.strip()
        if self.mode == "basic":
            if scheme.lower() != "basic":
                return None, f"expected Basic credentials, got the {scheme[:16]!r} scheme"
            try:
                name, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None, "malformed Basic credentials"
            expected = self._users.get(name)
            matches = hmac.compare_digest(password.encode("utf-8"), expected if expected is not None else _DUMMY)
            return (name, "") if matches and expected is not None else (None, "wrong user name or password")
        if scheme.lower() != "bearer":
            return None, f"expected a Bearer token, got the {scheme[:16]!r} scheme"
        given = value.encode("utf-8")
        matched = False
        for token in self._tokens:  # no early exit: time does not tell which token nearly matched
            matched |= hmac.compare_digest(given, token)
        return ("token", "") if matched else (None, "wrong token")


class AuthMiddleware:
    """Lets a request through only with valid credentials (when auth is on); records the user in
    `request.state.user` for endpoints that want it. `is_open(method, path)` names further requests served to
    anyone (the trace explorer's page under bearer auth: it holds no data and asks for the token itself)."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator,
                 is_open: Callable[[str, str], bool] | None = None) -> None:
        self.app = app
        self.authenticator = authenticator
        self.is_open = is_open
        self.failed_logins = FailedLoginLimit()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or self.authenticator.mode == "none" or scope["path"] in OPEN_PATHS
                or (self.is_open is not None and self.is_open(scope["method"], scope["path"]))):
            await self.app(scope, receive, send)
            return
        address = str((scope.get("client") or ("?", 0))[0])
        wait = self.failed_logins.retry_after(address)
        if wait:
            response = error_response(TOO_MANY_REQUESTS, f"Too many failed logins from this address; try again in "
                                      f"{wait} s.", headers={"Retry-After": str(wait)})
            await response(scope, receive, send)
            return
        header = dict(scope.get("headers") or ()).get(b"authorization")
        user, reason = self.authenticator.check(header)
        if user is None:
            self.failed_logins.failed(address)
            # The path is the client's text: escaped, so that a %0a in it cannot start a forged log line.
            logger.warning("Rejected %s %s from %s: %s.", scope["method"], ascii(scope["path"])[1:-1][:200],
                           address, reason)
            response = error_response(UNAUTHENTICATED, f"Authentication required: {reason}.",
                                      headers={"WWW-Authenticate": self.authenticator.challenge})
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
