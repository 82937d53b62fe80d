"""`tracekit spill ...`: what the spill folder holds: traces waiting for their destination, and dead letters."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from tracekit.cli.common import TRACKING_URI_OPTION, resolve_uri
from tracekit.tracking_uri import redact


@click.group(short_help="Traces kept on local disk: waiting to be replayed, or refused for good.")
def spill() -> None:
    """The spill folder (TRACEKIT_SPILL_DIR, default ~/.tracekit/spill) keeps traces a destination could not take
    yet, one sub-folder per destination, until they are replayed; traces a destination refused for good are kept in
    its dead-letter file with the reason."""


def _destination_folders(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        marker = folder / "DESTINATION"
        name = marker.read_text(encoding="utf-8").strip() if marker.is_file() else folder.name
        found.append((name, folder))
    return found


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _spill_files(folder: Path) -> list[Path]:
    """The files of traces waiting to be replayed in one destination's folder."""
    return sorted(path for path in folder.iterdir() if path.is_file() and path.name != "DESTINATION")


def _dead_letter_files(folder: Path) -> list[Path]:
    from tracekit.tracing.dead_letters import DEAD_FOLDER

    return sorted((folder / DEAD_FOLDER).glob("*.jsonl"))


@spill.command("list", short_help="List spilled traces, or with --dead the refused ones and why.")
@click.option("--dead", is_flag=True, help="List the dead letters (traces refused for good) with their reasons.")
@click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: one line per file (or per dead letter); json: one object per line.")
def list_spilled(dead: bool, output: str) -> None:
    """List what the spill folder holds: per destination, the files of traces waiting to be replayed and how many
    traces each holds; with --dead, every trace the destination refused for good, when, and why.

    \b
    Examples:
      tracekit spill list
      tracekit spill list --dead
      TRACEKIT_SPILL_DIR=/var/spool/tracekit tracekit spill list --dead -o json
    """
    from tracekit.tracing.dead_letters import read_dead_letters
    from tracekit.tracing.spill import default_spill_root

    root = default_spill_root()
    rows = []
    for destination, folder in _destination_folders(root):
        if dead:
            for record in read_dead_letters(folder):
                rows.append({"destination": destination, "trace_id": record.get("trace_id"),
                             "rejected_at": record.get("rejected_at"), "reason": record.get("reason"),
                             "file": record.get("file")})
        else:
            for path in _spill_files(folder):
                rows.append({"destination": destination, "file": str(path), "traces": _count_lines(path)})
    if output == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=True))
        return
    if not rows:
        click.echo(f"No {'dead letters' if dead else 'spilled traces'} in {root}.")
        return
    for row in rows:
        if dead:
            when = datetime.datetime.fromtimestamp(int(row["rejected_at"] or 0) / 1000).isoformat(timespec="seconds")
            click.echo(f"{row['destination']}  {row['trace_id'] or '-'}  {when}  {row['reason']}")
        else:
            click.echo(f"{row['destination']}  {row['file']}  {row['traces']} trace(s)")


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


@spill.command("purge", short_help="Delete spilled traces, or with --dead the dead letters, for good.")
@click.option("--dead", is_flag=True, help="Delete the dead letters (traces refused for good) instead of the traces "
                                           "waiting to be replayed.")
@click.option("--destination", metavar="NAME",
              help="Only this destination, as `tracekit spill list` names it (a tracking URI, password hidden). "
                   "Default: every destination.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def purge(dead: bool, destination: str | None, yes: bool) -> None:
    """Delete what the spill folder keeps, after showing how much and asking: the traces waiting to be replayed,
    or with --dead the dead letters. The traces are gone for good: replay them first (`tracekit spill replay`) if
    the store should have them. Files a running process is still writing or replaying are left alone.

    \b
    Examples:
      tracekit spill purge --dead
      tracekit spill purge --destination sqlite:///old.db --yes
    """
    from tracekit.tracing.spill import default_spill_root, files_in_use

    root = default_spill_root()
    folders = _destination_folders(root)
    if destination is not None:
        known = [name for name, _ in folders]
        folders = [(name, folder) for name, folder in folders if name == destination]
        if not folders:
            raise click.BadParameter(
                f"No destination {destination!r} in {root}. Destinations there: "
                f"{', '.join(repr(name) for name in known) or 'none'} (see `tracekit spill list`).",
                param_hint="--destination")
    what = "dead letter(s)" if dead else "spilled trace(s)"
    doomed: list[Path] = []
    busy = 0
    for _, folder in folders:
        files = _dead_letter_files(folder) if dead else _spill_files(folder)
        in_use = set() if dead else files_in_use(folder)
        busy += sum(1 for path in files if path in in_use)
        doomed.extend(path for path in files if path not in in_use)
    held = sum(_count_lines(path) for path in doomed)
    busy_note = f" ({busy} file(s) in use by a running process are kept)" if busy else ""
    if not doomed:
        click.echo(f"No {what} to purge in {root}{busy_note}.")
        return
    question = f"Delete {held} {what} in {len(doomed)} file(s) under {root} for good{busy_note}?"
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("Nothing deleted (answer y, or pass --yes, to delete).")
    for path in doomed:
        path.unlink(missing_ok=True)
    click.echo(f"Deleted {held} {what} in {len(doomed)} file(s) under {root}{busy_note}.")
