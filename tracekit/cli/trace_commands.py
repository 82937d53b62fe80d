"""`tracekit traces ...`: search and inspect stored traces."""

from __future__ import annotations

import click

from tracekit.cli.common import (
    TRACKING_URI_OPTION,
    print_results,
    resolve_uri,
    stderr_console,
    stdout_console,
    store_description,
    trace_store,
)
from tracekit.exceptions import TracekitException


@click.group(short_help="Search and inspect stored traces.")
def traces() -> None:
    """Search and inspect traces in any tracking store: a database (SQLite, PostgreSQL, MySQL) or a tracking
    server (http://host:port)."""


SEARCH_PAGE = 500


@traces.command("search", short_help="Search traces with a filter.")
@TRACKING_URI_OPTION
@click.option("--experiment-name", "-x", "experiment_names", multiple=True, metavar="NAME_OR_ID",
              help="Experiment to search, by name or id (repeat for several). Default: the current experiment "
                   "(TRACEKIT_EXPERIMENT_NAME, TRACEKIT_EXPERIMENT_ID, else Default); with --run-id or --model-id, "
                   "every experiment.")
@click.option("--experiment-id", "experiment_ids", multiple=True, metavar="ID",
              help="Experiment to search, by id (repeatable).")
@click.option("--all-experiments", is_flag=True, help="Search every experiment.")
@click.option("--filter", "filter_string", metavar="FILTER",
              help="Filter in search_traces' grammar, e.g. \"tags.env = 'prod' AND execution_time_ms > 500\" or "
                   "\"span.type = 'LLM'\".")
@click.option("--order-by", multiple=True, metavar="CLAUSE",
              help="Sort clause, e.g. 'execution_time_ms DESC' (repeatable). Default: newest first.")
@click.option("--max-results", default=100, show_default=True, type=click.IntRange(1), metavar="N",
              help="Most traces to show.")
@click.option("--run-id", help="Only traces linked to this run (in every experiment unless -x narrows it).")
@click.option("--model-id", help="Only traces linked to this logged model (in every experiment unless -x narrows "
                                 "it).")
@click.option("--output", "-o", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: one line per trace; json: full traces with spans; csv: one row per trace with tags and "
                   "metadata as JSON.")
def search(tracking_uri: str | None, experiment_names: tuple[str, ...], experiment_ids: tuple[str, ...],
           all_experiments: bool, filter_string: str | None, order_by: tuple[str, ...], max_results: int,
           run_id: str | None, model_id: str | None, output: str) -> None:
    """Search traces, newest first, and print them. Which experiments: those given with -x or --experiment-id,
    every one with --all-experiments (or with --run-id / --model-id alone, as search_traces does), else the current
    one.

    \b
    Examples:
      tracekit traces search --filter "status = 'ERROR'" --max-results 20
      tracekit traces search -x chatbot -x 2 --filter "tags.user = 'alice'" --output csv > alice.csv
      tracekit traces search --run-id 0f3c... --output json
      tracekit traces search --tracking-uri http://tracking:5000 --all-experiments --max-results 5
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tracekit.cli.output import traces_csv, traces_json, traces_table
    from tracekit.tracing.reader import trace_scope

    if all_experiments and (experiment_names or experiment_ids):
        raise click.UsageError("Give -x/--experiment-name or --experiment-id, or --all-experiments, not both.")
    store = trace_store(tracking_uri)
    uri = resolve_uri(tracking_uri)
    chosen = _resolve_experiments(uri, experiment_names, experiment_ids)
    experiments = [] if all_experiments else trace_scope(chosen, run_id, model_id)
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
    if not found:
        click.echo(_nothing_found(uri, experiments, filter_string, run_id, model_id), err=True)
        if output == "table":
            return
    print_results(output, found, traces_json, traces_csv, traces_table)


def _resolve_experiments(uri: str, names_or_ids: tuple[str, ...], ids: tuple[str, ...]) -> list[str]:
    """The ids of the experiments named on the command line (-x takes a name or an id); a usage error naming any
    that the store does not hold, and where to see the ones it does."""
    if not names_or_ids and not ids:
        return []
    from tracekit.exceptions import ResourceNotFoundError
    from tracekit.store.backend import get_backend

    backend = get_backend(uri)
    if not backend.has_tracking:  # a trace-only plugin store: ids as given
        return [*names_or_ids, *ids]
    store = backend.tracking
    resolved = []
    for value, by_name in [(value, True) for value in names_or_ids] + [(value, False) for value in ids]:
        experiment = store.get_experiment_by_name(value) if by_name else None
        if experiment is None:
            try:
                experiment = store.get_experiment(value)
            except ResourceNotFoundError:
                experiment = None
        if experiment is None:
            option = "-x/--experiment-name" if by_name else "--experiment-id"
            what = "named or with id" if by_name else "with id"
            raise click.UsageError(
                f"No experiment {what} {value!r} in {store_description(uri)}. See the experiments there with "
                f"`tracekit experiments search` (same --tracking-uri), or search every one with "
                f"--all-experiments. (option {option})")
        resolved.append(experiment.experiment_id)
    return resolved


def _nothing_found(uri: str, experiments: list[str], filter_string: str | None, run_id: str | None,
                   model_id: str | None) -> str:
    """Where an empty search looked: which experiments (by name where known), which store, which filter."""
    names = {}
    try:
        from tracekit.store.backend import get_backend

        backend = get_backend(uri)
        if backend.has_tracking:
            names = {experiment_id: backend.tracking.get_experiment(experiment_id).name
                     for experiment_id in experiments}
    except TracekitException:
        pass  # the ids alone, then
    scope = ("every experiment" if not experiments else
             ", ".join(f"experiment {names[e]!r} (id {e})" if e in names else f"experiment id {e}"
                       for e in experiments))
    linked = "".join(f" linked to {kind} {value}" for kind, value in (("run", run_id), ("model", model_id))
                     if value)
    matching = f" matching {filter_string!r}" if filter_string else ""
    hint = "" if not experiments else " Other experiments: -x NAME_OR_ID or --all-experiments."
    return f"No traces{linked}{matching} in {scope} of {store_description(uri)}.{hint}"


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
        raise click.ClickException(f"Trace {trace_id!r} not found in {store_description(resolve_uri(tracking_uri))}.")
    if output == "json":
        click.echo(trace.to_json(pretty=True))
    else:
        print_trace(stdout_console(), trace)
