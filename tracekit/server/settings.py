"""`ServerSettings`: how one tracking server runs. The command line writes them to TRACEKIT_SERVER_* variables so
that every uvicorn worker process builds the same app from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import DEFAULT_TRACKING_URI

AUTH_MODES = ("none", "basic", "bearer")


@dataclass(frozen=True)
class ServerSettings:
    """Backend database, authentication and limits of a tracking server.

    `auth` is "none", "basic" (users from `users_file` and TRACEKIT_SERVER_USERS) or "bearer" (tokens from
    `tokens_file` and TRACEKIT_SERVER_TOKENS). Credentials themselves are never stored here, only where they come
    from, so settings can be logged and passed to worker processes safely.
    """

    backend_store_uri: str = DEFAULT_TRACKING_URI
    auth: str = "none"
    users_file: str | None = None
    tokens_file: str | None = None
    max_body_bytes: int = config.SERVER_MAX_BODY_BYTES.default

    def __post_init__(self) -> None:
        if self.auth not in AUTH_MODES:
            raise TracekitException.invalid_parameter_value(
                f"Unknown server auth mode {self.auth!r}: use one of {', '.join(AUTH_MODES)}.")
        if self.max_body_bytes < 1024:
            raise TracekitException.invalid_parameter_value(
                f"The server's body size limit must be at least 1024 bytes, got "
                f"{self.max_body_bytes}.")

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """Settings from the TRACEKIT_SERVER_* variables (defaults where unset)."""
        return cls(
            backend_store_uri=config.SERVER_BACKEND_STORE_URI.get() or DEFAULT_TRACKING_URI,
            auth=config.SERVER_AUTH.get().lower(),
            users_file=config.SERVER_USERS_FILE.get() or None,
            tokens_file=config.SERVER_TOKENS_FILE.get() or None,
            max_body_bytes=config.SERVER_MAX_BODY_BYTES.get(),
        )

    def export_to_environment(self) -> None:
        """Write these settings to os.environ, for worker processes started after this call."""
        os.environ[config.SERVER_BACKEND_STORE_URI.name] = self.backend_store_uri
        os.environ[config.SERVER_AUTH.name] = self.auth
        os.environ[config.SERVER_USERS_FILE.name] = self.users_file or ""
        os.environ[config.SERVER_TOKENS_FILE.name] = self.tokens_file or ""
        os.environ[config.SERVER_MAX_BODY_BYTES.name] = str(self.max_body_bytes)
