"""`tracekit server`: run the tracking server."""

from __future__ import annotations

import click

from tracekit.exceptions import TracekitException
from tracekit.server.settings import AUTH_MODES
from tracekit.tracking_uri import DEFAULT_TRACKING_URI, redact


@click.command(short_help="Run the tracking server (REST API and OTLP ingest).")
@click.option("--backend-store-uri", envvar="TRACEKIT_SERVER_BACKEND_STORE_URI", show_envvar=True,
              default=DEFAULT_TRACKING_URI, show_default=True, metavar="URI",
              help="Database the server stores traces in: sqlite:///path.db, postgresql://user@host:5432/db or "
                   "mysql://user@host:3306/db (created and migrated on first use), or a plugin store's URI "
                   "(entry-point group tracekit.tracking_store).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 accepts connections from other machines.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes serving requests (each with its own database connections).")
@click.option("--auth", "auth", type=click.Choice(AUTH_MODES), envvar="TRACEKIT_SERVER_AUTH", show_envvar=True,
              default="none", show_default=True,
              help="Credentials every request must carry (except /health and /version): none, HTTP Basic users, "
                   "or Bearer tokens.")
@click.option("--users-file", type=click.Path(dir_okay=False), envvar="TRACEKIT_SERVER_USERS_FILE",
              show_envvar=True, help="With --auth basic: file of username:password lines. Users can also be given "
                                     "in TRACEKIT_SERVER_USERS as comma-separated username:password pairs.")
@click.option("--tokens-file", type=click.Path(dir_okay=False), envvar="TRACEKIT_SERVER_TOKENS_FILE",
              show_envvar=True, help="With --auth bearer: file of accepted tokens, one a line. Tokens can also be "
                                     "given in TRACEKIT_SERVER_TOKENS, comma-separated.")
@click.option("--max-body-bytes", type=click.IntRange(1024), envvar="TRACEKIT_SERVER_MAX_BODY_BYTES",
              show_envvar=True, default=67_108_864, show_default=True,
              help="Largest request body accepted; larger ones get HTTP 413.")
@click.option("--artifacts-destination", envvar="TRACEKIT_SERVER_ARTIFACTS_DESTINATION", show_envvar=True,
              default="./tracekit-artifacts", show_default=True, metavar="URI",
              help="Where the server keeps the artifacts it serves: a local folder (made absolute) or an "
                   "s3://bucket/prefix URI. Clients see them as tracekit-artifacts:/ URIs.")
@click.option("--serve-artifacts/--no-serve-artifacts", envvar="TRACEKIT_SERVER_SERVE_ARTIFACTS", show_envvar=True,
              default=True, show_default=True,
              help="Proxy artifact uploads and downloads through the server (/api/v1/artifacts/...). With "
                   "--no-serve-artifacts clients read and write the artifact locations themselves.")
@click.option("--artifacts-only", is_flag=True, envvar="TRACEKIT_SERVER_ARTIFACTS_ONLY", show_envvar=True,
              help="Serve the artifact routes only (no backend store is opened); pair it with a tracking server "
                   "started with --no-serve-artifacts.")
@click.option("--default-artifact-root", envvar="TRACEKIT_SERVER_DEFAULT_ARTIFACT_ROOT", show_envvar=True,
              metavar="URI", help="Artifact root of experiments created without a location. Default: "
                                  "tracekit-artifacts:/ when serving artifacts, else the backend store's default.")
@click.option("--max-artifact-bytes", type=click.IntRange(1), envvar="TRACEKIT_SERVER_MAX_ARTIFACT_BYTES",
              show_envvar=True, default=1_099_511_627_776, show_default=True,
              help="Largest artifact file accepted in one upload (streamed to disk, never held in memory).")
@click.option("--trace-retention-days", type=click.FloatRange(0), envvar="TRACEKIT_SERVER_TRACE_RETENTION_DAYS",
              show_envvar=True, default=0, show_default=True,
              help="Delete traces older than this many days, checked hourly in the background (in batches of about "
                   "100 ms); 0 keeps traces forever.")
@click.option("--app-name", envvar="TRACEKIT_SERVER_APP_NAME", show_envvar=True, metavar="NAME",
              help="Serve the app of the server app plugin NAME (entry-point group tracekit.app), which wraps or "
                   "extends the built-in app (custom auth, more routes). Default: the built-in app.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True, help="Server log verbosity.")
def server(backend_store_uri: str, host: str, port: int, workers: int, auth: str, users_file: str | None,
           tokens_file: str | None, max_body_bytes: int, artifacts_destination: str, serve_artifacts: bool,
           artifacts_only: bool, default_artifact_root: str | None, max_artifact_bytes: int,
           trace_retention_days: float, app_name: str | None, log_level: str) -> None:
    """Run the tracking server: many processes and machines send traces to one database through it.

    \b
    Endpoints:
      GET  /                             the trace explorer (web UI)
      GET  /health, /version             liveness (no credentials needed)
      /api/v1/traces/...                 upload, get, search, count, tag and delete traces
      /api/v1/experiments/...            create, get, search, tag and delete experiments
      /api/v1/runs/...                   create, update, log metrics/params/tags, search runs
      /api/v1/logged-models/...          create, finalize, tag, search logged models
      /api/v1/artifacts/files/PATH       upload (PUT), download (GET), delete artifact files
      /api/v1/artifacts/list?path=DIR    list an artifact folder
      POST /v1/traces                    OTLP/HTTP ingest (protobuf or JSON) from any OpenTelemetry SDK;
                                         header x-tracekit-experiment-id picks the experiment
      GET  /openapi.json                 the API, documented (no /docs page)

    Clients: tracekit.set_tracking_uri("http://HOST:PORT"), or TRACEKIT_TRACKING_URI; with --auth they send
    TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD, or TRACEKIT_TRACKING_TOKEN.

    \b
    Example:
      tracekit server --backend-store-uri postgresql://tracekit@db:5432/tracekit --host 0.0.0.0 --workers 4
    """
    _require_server_extra()
    from tracekit.server.launch import serve
    from tracekit.server.settings import ServerSettings
    from tracekit.store.backend import check_tracking_uri
    from tracekit.store.uri import sqlite_file_path

    try:
        check_tracking_uri(backend_store_uri)
        settings = ServerSettings(backend_store_uri=backend_store_uri, auth=auth, users_file=users_file,
                                  tokens_file=tokens_file, max_body_bytes=max_body_bytes,
                                  artifacts_destination=artifacts_destination, serve_artifacts=serve_artifacts,
                                  artifacts_only=artifacts_only, default_artifact_root=default_artifact_root,
                                  max_artifact_bytes=max_artifact_bytes,
                                  trace_retention_days=trace_retention_days, app_name=app_name or None)
        sqlite_file = sqlite_file_path(backend_store_uri)
        where = f"the SQLite file {sqlite_file}" if sqlite_file is not None else redact(backend_store_uri)
        click.echo(f"tracekit server: storing in {where}; listening on http://{host}:{port}", err=True)
        serve(settings, host=host, port=port, workers=workers, log_level=log_level)
    except TracekitException as error:
        raise click.ClickException(error.message) from error


# The modules the `server` extra installs (pyproject.toml), by the distribution that provides each.
_SERVER_MODULES = {"fastapi": "fastapi", "uvicorn": "uvicorn"}


def _require_server_extra(command: str = "tracekit server") -> None:
    """A click error naming `command` and the extra to install when a package of the `server` extra is missing."""
    import importlib.util

    missing = []
    for module, distribution in _SERVER_MODULES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(distribution)
    if missing:
        raise click.ClickException(
            f"`{command}` needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not "
            f"installed. Install the server extra: pip install 'tracekit[server]' (from a source checkout: "
            f"pip install -e '.[server]').")
