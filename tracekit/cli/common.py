"""What the `tracekit` commands share: the --tracking-uri option, the stores it names, the consoles."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import DEFAULT_TRACKING_URI

if TYPE_CHECKING:
    from rich.console import Console

    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore

F = TypeVar("F", bound=Callable[..., Any])

TRACKING_URI_OPTION = click.option(
    "--tracking-uri", envvar=list(config.TRACKING_URI.names), show_envvar=True, metavar="URI",
    help=f"Where traces are stored: a database URI or a tracking server (http://host:5000). Default "
         f"{DEFAULT_TRACKING_URI}.")


def resolve_uri(tracking_uri: str | None) -> str:
    """The URI given, else the current tracking URI."""
    from tracekit.tracking_uri import get_tracking_uri

    return tracking_uri or get_tracking_uri()


def store_description(uri: str) -> str:
    """How messages name the store of `uri`: the absolute path of a SQLite file, else the URI (password hidden)."""
    from tracekit.store.uri import sqlite_file_path
    from tracekit.tracking_uri import redact

    path = sqlite_file_path(uri)
    return f"the SQLite file {path}" if path is not None else redact(uri)


def existing_store_uri(tracking_uri: str | None) -> str:
    """The URI a read command reads (see `resolve_uri`); a click error when it names a SQLite file that does not
    exist, because opening it would create an empty database, and a typo'd URI would then read as "no traces"."""
    from pathlib import Path

    from tracekit.store.uri import sqlite_file_path
    from tracekit.tracking_uri import redact

    uri = resolve_uri(tracking_uri)
    path = sqlite_file_path(uri)
    if path is not None and not path.exists():
        raise click.ClickException(
            f"No tracking store at {path} (tracking URI {redact(uri)!r}): the file does not exist, so nothing was "
            f"stored there. Give the URI your program wrote to with --tracking-uri or TRACEKIT_TRACKING_URI; a "
            f"relative sqlite:/// path is relative to the working directory ({Path.cwd()}).")
    return uri


def trace_store(tracking_uri: str | None) -> TraceStore:
    """The trace store of `tracking_uri` (default: the current one) for a read command, read as the API reads it
    (`TraceReader`: what earlier processes spilled for it is replayed first); a click error saying what failed. A
    SQLite file that does not exist is an error, never created."""
    from tracekit.tracing.reader import TraceReader

    uri = existing_store_uri(tracking_uri)
    try:
        return TraceReader(uri).store
    except TracekitException as error:
        raise click.ClickException(error.message) from error


def tracking_store(tracking_uri: str | None) -> TrackingStore:
    """The tracking store of `tracking_uri` (default: the current one) for a read command; a click error saying
    what failed. A SQLite file that does not exist is an error, never created."""
    from tracekit.store.backend import get_backend

    uri = existing_store_uri(tracking_uri)
    try:
        return get_backend(uri).tracking
    except TracekitException as error:
        raise click.ClickException(error.message) from error


def stderr_console() -> Console:
    """A console on standard error, for progress."""
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> Console:
    """A console on standard output, for results."""
    import sys

    from rich.console import Console

    # Piped into a file or another program: do not squeeze the table into 80 columns.
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240)


def print_results(output: str, found: Sequence[Any], as_json: Callable[[Any], str], as_csv: Callable[[Any], str],
                  as_table: Callable[[Any], Any]) -> None:
    """Print search results in the `--output` format (json, csv, table), with the formatters of their kind."""
    if output == "json":
        click.echo(as_json(found))
    elif output == "csv":
        click.echo(as_csv(found), nl=False)
    else:
        stdout_console().print(as_table(found))


def clean_errors(command: F) -> F:
    """Decorate a command so that a TracekitException it raises is shown as a one-line error (exit code 1), never a
    stack trace."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TracekitException as error:
            raise click.ClickException(error.message) from error

    return wrapper  # type: ignore[return-value]
