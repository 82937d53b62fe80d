"""`tracekit traces ...`: search and inspect stored traces."""

from __future__ import annotations

import click

from tracekit.cli.common import (
    TRACKING_URI_OPTION,
    print_results,
    resolve_uri,
    stderr_console,
    stdout_console,
    trace_store,
)
from tracekit.exceptions import TracekitException
from tracekit.tracking_uri import redact


@click.group(short_help="Search and inspect stored traces.")
def traces() -> None:
    """Search and inspect traces in any tracking store: a database (SQLite, PostgreSQL, MySQL) or a tracking
    server (http://host:port)."""


SEARCH_PAGE = 500


@traces.command("search", short_help="Search traces with a filter.")
@TRACKING_URI_OPTION
@click.option("--experiment-id", "-x", "experiment_ids", multiple=True, metavar="ID",
              help="Experiment to search (repeat for several). Default: the current experiment (TRACEKIT_EXPERIMENT_ID "
                   "or 0).")
@click.option("--filter", "filter_string", metavar="FILTER",
              help="Filter in search_traces' grammar, e.g. \"tags.env = 'prod' AND execution_time_ms > 500\" or "
                   "\"span.type = 'LLM'\".")
@click.option("--order-by", multiple=True, metavar="CLAUSE",
              help="Sort clause, e.g. 'execution_time_ms DESC' (repeatable). Default: newest first.")
@click.option("--max-results", default=100, show_default=True, type=click.IntRange(1), metavar="N",
              help="Most traces to show.")
@click.option("--run-id", help="Only traces linked to this run.")
@click.option("--model-id", help="Only traces linked to this logged model.")
@click.option("--output", "-o", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: one line per trace; json: full traces with spans; csv: one row per trace with tags and "
                   "metadata as JSON.")
def search(tracking_uri: str | None, experiment_ids: tuple[str, ...], filter_string: str | None,
           order_by: tuple[str, ...], max_results: int, run_id: str | None, model_id: str | None,
           output: str) -> None:
    """Search traces, newest first, and print them.

    \b
    Examples:
      tracekit traces search --filter "status = 'ERROR'" --max-results 20
      tracekit traces search -x 1 -x 2 --filter "tags.user = 'alice'" --output csv > alice.csv
      tracekit traces search --tracking-uri http://tracking:5000 --output json --max-results 5
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tracekit.cli.output import traces_csv, traces_json, traces_table
    from tracekit.tracing import trace_defaults

    store = trace_store(tracking_uri)
    experiments = list(experiment_ids) or [trace_defaults.current_experiment_id()]
    found: list = []
    token = None
    columns = (TextColumn("Fetching traces"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=stderr_console(), transient=True) as progress:
            task = progress.add_task("search", total=max_results)
            while len(found) < max_results:
                page = store.search_traces(experiments, filter_string=filter_string,
                                           max_results=min(SEARCH_PAGE, max_results - len(found)),
                                           order_by=list(order_by) or None, page_token=token, run_id=run_id,
                                           model_id=model_id)
                found.extend(page)
                progress.update(task, completed=len(found))
                token = page.token
                if not token:
                    break
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    print_results(output, found, traces_json, traces_csv, traces_table)


@traces.command("get", short_help="Show one trace as a span tree.")
@TRACKING_URI_OPTION
@click.argument("trace_id")
@click.option("--output", "-o", type=click.Choice(["tree", "json"]), default="tree", show_default=True,
              help="tree: the spans as a tree with type, duration and status; json: the whole trace.")
def get(tracking_uri: str | None, trace_id: str, output: str) -> None:
    """Show the trace TRACE_ID (tr-<32 hex digits>): its spans as a tree with durations, then its tags and
    metadata.

    \b
    Example:
      tracekit traces get tr-5f0c4d2e1b7a49c8a3e2d1f0b9c8a7e6
    """
    from tracekit.cli.output import print_trace

    store = trace_store(tracking_uri)
    try:
        with stderr_console().status(f"Fetching {trace_id} ..."):
            trace = store.get_trace(trace_id)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    if trace is None:
        raise click.ClickException(f"Trace {trace_id!r} not found in {redact(resolve_uri(tracking_uri))}.")
    if output == "json":
        click.echo(trace.to_json(pretty=True))
    else:
        print_trace(stdout_console(), trace)
