"""`tracekit spill ...`: the traces kept in the spill folder until their store answers."""

from __future__ import annotations

import click

from tracekit.cli.common import TRACKING_URI_OPTION, resolve_uri
from tracekit.tracking_uri import redact


@click.group(short_help="Traces kept on disk until their store answers.")
def spill() -> None:
    """Traces that could not be delivered yet wait in the spill folder (TRACEKIT_SPILL_DIR, default
    ~/.tracekit/spill), one sub-folder per tracking URI."""


@spill.command("replay", short_help="Deliver spilled traces to their store now.")
@TRACKING_URI_OPTION
def replay(tracking_uri: str | None) -> None:
    """Deliver every trace spilled for the tracking URI (by any process) to its store now. Each trace is stored
    once, even if a replay runs elsewhere at the same time.

    \b
    Example:
      tracekit spill replay --tracking-uri postgresql://tracekit@db:5432/tracekit
    """
    from tracekit.tracing.spill_replay import replay_spill

    uri = resolve_uri(tracking_uri)
    outcome = replay_spill(uri)
    click.echo(f"Replayed {outcome.delivered} trace(s) into {redact(uri)}.")
    if outcome.left:
        raise click.ClickException(
            f"Some spilled traces could not be delivered to {redact(uri)} (see the warning above); they stay in "
            f"{outcome.folder} for the next attempt.")
