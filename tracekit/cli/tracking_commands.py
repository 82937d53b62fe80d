"""`tracekit experiments ...` and `tracekit runs ...`: search experiments and runs."""

from __future__ import annotations

import click

from tracekit.cli.common import TRACKING_URI_OPTION, print_results, stderr_console, tracking_store
from tracekit.exceptions import TracekitException

VIEW_TYPE_OPTION = click.option(
    "--view-type", type=click.Choice(["active_only", "deleted_only", "all"], case_sensitive=False),
    default="active_only", show_default=True, help="Active ones, deleted ones, or both.")
TRACKING_OUTPUT_OPTION = click.option(
    "--output", "-o", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="table: one line each; json: the REST API's objects; csv: one row each (runs: the columns of "
         "search_runs' DataFrame).")


@click.group(short_help="Search experiments.")
def experiments() -> None:
    """Search experiments in any tracking store: a database (SQLite, PostgreSQL, MySQL) or a tracking server
    (http://host:port)."""


@experiments.command("search", short_help="Search experiments with a filter.")
@TRACKING_URI_OPTION
@click.option("--filter", "filter_string", metavar="FILTER",
              help="Filter in search_experiments' grammar, e.g. \"name LIKE 'fraud%' AND tags.team = 'risk'\".")
@click.option("--order-by", multiple=True, metavar="CLAUSE",
              help="Sort clause, e.g. 'name ASC' (repeatable). Default: most recently updated first.")
@VIEW_TYPE_OPTION
@click.option("--max-results", default=100, show_default=True, type=click.IntRange(1), metavar="N",
              help="Most experiments to show.")
@TRACKING_OUTPUT_OPTION
def search_experiments(tracking_uri: str | None, filter_string: str | None, order_by: tuple[str, ...],
                       view_type: str, max_results: int, output: str) -> None:
    """Search experiments and print them.

    \b
    Examples:
      tracekit experiments search --filter "tags.team = 'risk'" --order-by "name ASC"
      tracekit experiments search --view-type all --output csv > experiments.csv
      tracekit experiments search --tracking-uri http://tracking:5000 --output json
    """
    from tracekit.cli.tracking_output import entities_json, experiments_csv, experiments_table
    from tracekit.entities import ViewType

    store = tracking_store(tracking_uri)
    try:
        with stderr_console().status("Searching experiments ..."):
            found = list(store.search_experiments(ViewType.parse(view_type), max_results, filter_string,
                                                  list(order_by) or None))
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    print_results(output, found, entities_json, experiments_csv, experiments_table)


@click.group(short_help="Search runs.")
def runs() -> None:
    """Search runs (params, metrics, tags) in any tracking store: a database (SQLite, PostgreSQL, MySQL) or a
    tracking server (http://host:port)."""


@runs.command("search", short_help="Search runs with a filter.")
@TRACKING_URI_OPTION
@click.option("--experiment-id", "-x", "experiment_ids", multiple=True, metavar="ID",
              help="Experiment to search (repeat for several). Default: the current experiment "
                   "(TRACEKIT_EXPERIMENT_NAME, TRACEKIT_EXPERIMENT_ID or 0).")
@click.option("--all-experiments", is_flag=True, help="Search every experiment.")
@click.option("--filter", "filter_string", metavar="FILTER",
              help="Filter in search_runs' grammar, e.g. \"metrics.accuracy > 0.9 AND params.model = 'rf'\" or "
                   "\"tags.mlflow.parentRunId = '<run id>'\".")
@click.option("--order-by", multiple=True, metavar="CLAUSE",
              help="Sort clause, e.g. 'metrics.accuracy DESC' (repeatable). Default: newest first.")
@VIEW_TYPE_OPTION
@click.option("--max-results", default=100, show_default=True, type=click.IntRange(1), metavar="N",
              help="Most runs to show.")
@TRACKING_OUTPUT_OPTION
def search_runs(tracking_uri: str | None, experiment_ids: tuple[str, ...], all_experiments: bool,
                filter_string: str | None, order_by: tuple[str, ...], view_type: str, max_results: int,
                output: str) -> None:
    """Search runs, newest first, and print them.

    \b
    Examples:
      tracekit runs search -x 1 --filter "metrics.accuracy > 0.9" --order-by "metrics.accuracy DESC"
      tracekit runs search --all-experiments --filter "status = 'FAILED'" --output csv > failed.csv
      tracekit runs search --tracking-uri http://tracking:5000 -x 3 --output json --max-results 10
    """
    from tracekit.cli.tracking_output import entities_json, runs_csv, runs_table
    from tracekit.entities import ViewType

    if experiment_ids and all_experiments:
        raise click.UsageError("Give --experiment-id or --all-experiments, not both.")
    store = tracking_store(tracking_uri)
    try:
        with stderr_console().status("Searching runs ..."):
            if all_experiments:
                scope: list[str] = []
            elif experiment_ids:
                scope = list(experiment_ids)
            else:
                from tracekit.tracking.state import current_experiment_id

                scope = [current_experiment_id()]
            found = list(store.search_runs(scope, filter_string, ViewType.parse(view_type), max_results,
                                           list(order_by) or None))
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    print_results(output, found, entities_json, runs_csv, runs_table)
