"""What the `tracekit` commands share: the --tracking-uri option, the stores it names, the consoles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import DEFAULT_TRACKING_URI

if TYPE_CHECKING:
    from rich.console import Console

    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore

TRACKING_URI_OPTION = click.option(
    "--tracking-uri", envvar=list(config.TRACKING_URI.names), show_envvar=True, metavar="URI",
    help=f"Where traces are stored: a database URI or a tracking server (http://host:5000). Default "
         f"{DEFAULT_TRACKING_URI}.")


def resolve_uri(tracking_uri: str | None) -> str:
    """The URI given, else the current tracking URI."""
    from tracekit.tracking_uri import get_tracking_uri

    return tracking_uri or get_tracking_uri()


def trace_store(tracking_uri: str | None) -> TraceStore:
    """The trace store of `tracking_uri` (default: the current one), read as the API reads it (`TraceReader`:
    what earlier processes spilled for it is replayed first); a click error saying what failed."""
    from tracekit.tracing.reader import TraceReader

    try:
        return TraceReader(resolve_uri(tracking_uri)).store
    except TracekitException as error:
        raise click.ClickException(error.message) from error


def tracking_store(tracking_uri: str | None) -> TrackingStore:
    """The tracking store of `tracking_uri` (default: the current one); a click error saying what failed."""
    from tracekit.store.backend import get_backend

    try:
        return get_backend(resolve_uri(tracking_uri)).tracking
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
