"""The `tracekit` command line: one module per command group, joined here."""

from __future__ import annotations

import click

from tracekit.cli.artifact_commands import artifacts
from tracekit.cli.db_commands import db
from tracekit.cli.deployment_commands import deployments
from tracekit.cli.gc_command import gc
from tracekit.cli.model_commands import models
from tracekit.cli.server_command import server
from tracekit.cli.spill_commands import spill
from tracekit.cli.trace_commands import traces
from tracekit.cli.tracking_commands import experiments, runs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tracekit", prog_name="tracekit", message="%(prog)s %(version)s")
def main() -> None:
    """tracekit: tracing for ML and LLM applications, stored in SQL.

    Run `tracekit COMMAND --help` for the options of one command.
    """


for _command in (db, server, spill, traces, experiments, runs, artifacts, models, deployments, gc):
    main.add_command(_command)

__all__ = ["main"]
