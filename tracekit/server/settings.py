"""`ServerSettings`: how one tracking server runs. The command line writes them to TRACEKIT_SERVER_* variables so
that every uvicorn worker process builds the same app from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import DEFAULT_TRACKING_URI

AUTH_MODES = ("none", "basic", "bearer")
DEFAULT_ARTIFACTS_DESTINATION = "./tracekit-artifacts"
#: The artifact root clients see when the server proxies artifacts: `tracekit-artifacts:/<path>` is
#: `<artifacts destination>/<path>` on the server.
PROXIED_ARTIFACT_ROOT = "tracekit-artifacts:/"


def absolute_destination(destination: str) -> str:
    """`destination` with a local folder made absolute (so every worker and a later `cd` agree); URIs
    (`s3://...`, `file:...`) unchanged."""
    from tracekit.artifacts.repository_registry import artifact_uri_scheme

    if artifact_uri_scheme(destination) != "file" or destination.lower().startswith("file:"):
        return destination
    return os.path.abspath(os.path.expanduser(destination))


@dataclass(frozen=True)
class ServerSettings:
    """Backend database, authentication and limits of a tracking server.

    `auth` is "none", "basic" (users from `users_file` and TRACEKIT_SERVER_USERS) or "bearer" (tokens from
    `tokens_file` and TRACEKIT_SERVER_TOKENS). Credentials themselves are never stored here, only where they come
    from, so settings can be logged and passed to worker processes safely.

    Artifacts: with `serve_artifacts` (the default) the server proxies `tracekit-artifacts:/<path>` to
    `<artifacts_destination>/<path>` (a local folder, made absolute, or an s3:// URI), taking uploads up to
    `max_artifact_bytes`; experiments created through it without a location get `default_artifact_root` (default
    `tracekit-artifacts:/`). `artifacts_only` serves the artifact routes alone, with no backend store.

    `app_name`: a server app plugin (entry-point group `tracekit.app`) that wraps or extends the built-in app.
    """

    backend_store_uri: str = DEFAULT_TRACKING_URI
    auth: str = "none"
    users_file: str | None = None
    tokens_file: str | None = None
    max_body_bytes: int = config.SERVER_MAX_BODY_BYTES.default
    artifacts_destination: str = DEFAULT_ARTIFACTS_DESTINATION
    serve_artifacts: bool = True
    artifacts_only: bool = False
    default_artifact_root: str | None = None
    max_artifact_bytes: int = config.SERVER_MAX_ARTIFACT_BYTES.default
    trace_retention_days: float = 0.0
    app_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "artifacts_destination", absolute_destination(self.artifacts_destination))
        if self.artifacts_only and not self.serve_artifacts:
            raise TracekitException.invalid_parameter_value(
                "--artifacts-only and --no-serve-artifacts exclude each other: an artifacts-only server that serves "
                "no artifacts would serve nothing.")
        if self.max_artifact_bytes < 1:
            raise TracekitException.invalid_parameter_value(
                f"The server's artifact upload limit must be at least 1 byte, got {self.max_artifact_bytes}.")
        if self.trace_retention_days < 0:
            raise TracekitException.invalid_parameter_value(
                f"The server's trace retention must be 0 (keep forever) or a positive number of days, got "
                f"{self.trace_retention_days}.")
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
            artifacts_destination=config.SERVER_ARTIFACTS_DESTINATION.get() or DEFAULT_ARTIFACTS_DESTINATION,
            serve_artifacts=config.SERVER_SERVE_ARTIFACTS.get(),
            artifacts_only=config.SERVER_ARTIFACTS_ONLY.get(),
            default_artifact_root=config.SERVER_DEFAULT_ARTIFACT_ROOT.get() or None,
            max_artifact_bytes=config.SERVER_MAX_ARTIFACT_BYTES.get(),
            trace_retention_days=config.SERVER_TRACE_RETENTION_DAYS.get(),
            app_name=config.SERVER_APP_NAME.get() or None,
        )

    @property
    def backend_artifact_root(self) -> str | None:
        """The artifact root of experiments created through this server without a location: the one given, else
        `tracekit-artifacts:/` when serving artifacts, else None (the backend store's own default)."""
        if self.default_artifact_root:
            return self.default_artifact_root
        return PROXIED_ARTIFACT_ROOT if self.serve_artifacts else None

    def export_to_environment(self) -> None:
        """Write these settings to os.environ, for worker processes started after this call."""
        os.environ[config.SERVER_BACKEND_STORE_URI.name] = self.backend_store_uri
        os.environ[config.SERVER_AUTH.name] = self.auth
        os.environ[config.SERVER_USERS_FILE.name] = self.users_file or ""
        os.environ[config.SERVER_TOKENS_FILE.name] = self.tokens_file or ""
        os.environ[config.SERVER_MAX_BODY_BYTES.name] = str(self.max_body_bytes)
        os.environ[config.SERVER_ARTIFACTS_DESTINATION.name] = self.artifacts_destination
        os.environ[config.SERVER_SERVE_ARTIFACTS.name] = "true" if self.serve_artifacts else "false"
        os.environ[config.SERVER_ARTIFACTS_ONLY.name] = "true" if self.artifacts_only else "false"
        os.environ[config.SERVER_DEFAULT_ARTIFACT_ROOT.name] = self.default_artifact_root or ""
        os.environ[config.SERVER_MAX_ARTIFACT_BYTES.name] = str(self.max_artifact_bytes)
        os.environ[config.SERVER_TRACE_RETENTION_DAYS.name] = str(self.trace_retention_days)
        os.environ[config.SERVER_APP_NAME.name] = self.app_name or ""
