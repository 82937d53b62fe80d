"""Alembic environment for the trace store; run through `tracekit.store.sql.migrate`, not the alembic command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tracekit.store.sql.migrate import include_object
from tracekit.store.sql.schema import metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them; later migrations need batch mode there.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object(connection.dialect.name),
    )


def run_migrations_online() -> None:
    """Migrate through the connection `tracekit.store.sql.migrate` passes, or one opened from `sqlalchemy.url`."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url", ""))
    try:
        with engine.connect() as own_connection:
            _configure(own_connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("tracekit migrations run online only: use `tracekit db upgrade <uri>`.")
run_migrations_online()
