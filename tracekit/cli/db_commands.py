"""`tracekit db ...`: manage tracking databases."""

from __future__ import annotations

import click

from tracekit.cli.common import stderr_console
from tracekit.exceptions import TracekitException


@click.group(short_help="Manage tracking databases (create, upgrade the schema).")
def db() -> None:
    """Manage the database of a tracking store (SQLite, PostgreSQL, MySQL/MariaDB)."""


@db.command(short_help="Migrate a tracking database to the newest schema.")
@click.argument("uri")
def upgrade(uri: str) -> None:
    """Migrate the tracking database at URI to the schema this tracekit needs.

    URI is a tracking URI, e.g. sqlite:///tracekit.db, postgresql://user@host:5432/db or
    mysql://user@host:3306/db. A database without tracekit tables gets them created; one already up to date is
    left alone. Back up a production database first: migrations change tables in place.

    SQLite files and new databases are migrated automatically when tracekit first uses them; an existing
    PostgreSQL or MySQL database at an older revision is only migrated by this command.
    """
    from tracekit.store.sql.migrate import head_revision
    from tracekit.store.sql.migrate import upgrade as run_upgrade
    from tracekit.store.uri import redact_uri

    try:
        with stderr_console().status(f"Migrating {redact_uri(uri)} ..."):
            before, after = run_upgrade(uri)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    shown = redact_uri(uri)
    click.echo(f"Database {shown}: revision before upgrade: {before or '(none, new database)'}")
    if before == after:
        click.echo(f"Already at the newest revision {after}; nothing to do.")
    else:
        click.echo(f"Upgraded to revision {after} (newest known: {head_revision()}).")
