"""The `tracekit` command line."""

from __future__ import annotations

import click

from tracekit.exceptions import TracekitException
from tracekit.server.settings import AUTH_MODES
from tracekit.tracking_uri import DEFAULT_TRACKING_URI, redact


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """tracekit: tracing for ML and LLM applications, stored in SQL.

    Run `tracekit COMMAND --help` for the options of one command.
    """


@main.group(short_help="Manage tracking databases (create, upgrade the schema).")
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
    from tracekit.store.migrate import head_revision, upgrade as run_upgrade
    from tracekit.store.uri import redact_uri

    try:
        with _stderr().status(f"Migrating {redact_uri(uri)} ..."):
            before, after = run_upgrade(uri)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    shown = redact_uri(uri)
    click.echo(f"Database {shown}: revision before upgrade: {before or '(none, new database)'}")
    if before == after:
        click.echo(f"Already at the newest revision {after}; nothing to do.")
    else:
        click.echo(f"Upgraded to revision {after} (newest known: {head_revision()}).")


# --- tracekit server -------------------------------------------------------------------------------------------------
@main.command(short_help="Run the tracking server (REST API and OTLP ingest).")
@click.option("--backend-store-uri", envvar="TRACEKIT_SERVER_BACKEND_STORE_URI", show_envvar=True,
              default=DEFAULT_TRACKING_URI, show_default=True, metavar="URI",
              help="Database the server stores traces in: sqlite:///path.db, postgresql://user@host:5432/db or "
                   "mysql://user@host:3306/db. Created and migrated on first use.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 accepts connections from other machines.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes serving requests (each with its own database connections).")
@click.option("--auth", "auth", type=click.Choice(AUTH_MODES), envvar="TRACEKIT_SERVER_AUTH", show_envvar=True,
              default="none", show_default=True,
              help="Credentials every request must carry (except /health and /version): none, HTTP Basic users, "
                   "or Bearer tokens.")
@click.option("--users-file", type=click.Path(dir_okay=False), envvar="TRACEKIT_SERVER_USERS_FILE",
              show_envvar=True, help="With --auth basic: file of username:password lines. Users can also be given "
                                     "in TRACEKIT_SERVER_USERS as comma-separated username:password pairs.")
@click.option("--tokens-file", type=click.Path(dir_okay=False), envvar="TRACEKIT_SERVER_TOKENS_FILE",
              show_envvar=True, help="With --auth bearer: file of accepted tokens, one a line. Tokens can also be "
                                     "given in TRACEKIT_SERVER_TOKENS, comma-separated.")
@click.option("--max-body-bytes", type=click.IntRange(1024), envvar="TRACEKIT_SERVER_MAX_BODY_BYTES",
              show_envvar=True, default=67_108_864, show_default=True,
              help="Largest request body accepted; larger ones get HTTP 413.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True, help="Server log verbosity.")
def server(backend_store_uri: str, host: str, port: int, workers: int, auth: str, users_file: str | None,
           tokens_file: str | None, max_body_bytes: int, log_level: str) -> None:
    """Run the tracking server: many processes and machines send traces to one database through it.

    \b
    Endpoints:
      GET  /                             the trace explorer (web UI)
      GET  /health, /version             liveness (no credentials needed)
      /api/v1/traces/...                 upload, get, search, count, tag and delete traces
      /api/v1/experiments/...            create, get, search, tag and delete experiments
      /api/v1/runs/...                   create, update, log metrics/params/tags, search runs
      /api/v1/logged-models/...          create, finalize, tag, search logged models
      POST /v1/traces                    OTLP/HTTP ingest (protobuf or JSON) from any OpenTelemetry SDK;
                                         header x-tracekit-experiment-id picks the experiment
      GET  /docs, /openapi.json          the API, documented

    Clients: tracekit.set_tracking_uri("http://HOST:PORT"), or TRACEKIT_TRACKING_URI; with --auth they send
    TRACEKIT_TRACKING_USERNAME and TRACEKIT_TRACKING_PASSWORD, or TRACEKIT_TRACKING_TOKEN.

    \b
    Example:
      tracekit server --backend-store-uri postgresql://tracekit@db:5432/tracekit --host 0.0.0.0 --workers 4
    """
    from tracekit.server.run import serve
    from tracekit.server.settings import ServerSettings

    try:
        settings = ServerSettings(backend_store_uri=backend_store_uri, auth=auth, users_file=users_file,
                                  tokens_file=tokens_file, max_body_bytes=max_body_bytes)
        serve(settings, host=host, port=port, workers=workers, log_level=log_level)
    except TracekitException as error:
        raise click.ClickException(error.message) from error


# --- tracekit traces ... ----------------------------------------------------------------------------------------------
TRACKING_URI_OPTION = click.option(
    "--tracking-uri", envvar="TRACEKIT_TRACKING_URI", show_envvar=True, metavar="URI",
    help=f"Where traces are stored: a database URI or a tracking server (http://host:5000). Default "
         f"{DEFAULT_TRACKING_URI}.")


@main.group(short_help="Search and inspect stored traces.")
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

    from tracekit.cli_output import traces_csv, traces_json, traces_table
    from tracekit.tracing import trace_defaults

    store = _store(tracking_uri)
    experiments = list(experiment_ids) or [trace_defaults.current_experiment_id()]
    found: list = []
    token = None
    columns = (TextColumn("Fetching traces"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=_stderr(), transient=True) as progress:
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
    _print(output, found, traces_json, traces_csv, traces_table)


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
    from tracekit.cli_output import print_trace

    store = _store(tracking_uri)
    try:
        with _stderr().status(f"Fetching {trace_id} ..."):
            trace = store.get_trace(trace_id)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    if trace is None:
        raise click.ClickException(f"Trace {trace_id!r} not found in {redact(_uri(tracking_uri))}.")
    if output == "json":
        click.echo(trace.to_json(pretty=True))
    else:
        print_trace(_stdout(), trace)


# --- tracekit experiments / runs ... -------------------------------------------------------------------------------
VIEW_TYPE_OPTION = click.option(
    "--view-type", type=click.Choice(["active_only", "deleted_only", "all"], case_sensitive=False),
    default="active_only", show_default=True, help="Active ones, deleted ones, or both.")
TRACKING_OUTPUT_OPTION = click.option(
    "--output", "-o", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="table: one line each; json: the REST API's objects; csv: one row each (runs: the columns of "
         "search_runs' DataFrame).")


@main.group(short_help="Search experiments.")
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
    from tracekit.cli_tracking_output import entities_json, experiments_csv, experiments_table
    from tracekit.entities import ViewType

    store = _tracking_store(tracking_uri)
    try:
        with _stderr().status("Searching experiments ..."):
            found = list(store.search_experiments(ViewType.parse(view_type), max_results, filter_string,
                                                  list(order_by) or None))
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    _print(output, found, entities_json, experiments_csv, experiments_table)


@main.group(short_help="Search runs.")
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
                   "\"tags.tracekit.parentRunId = '<run id>'\".")
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
    from tracekit.cli_tracking_output import entities_json, runs_csv, runs_table
    from tracekit.entities import ViewType

    if experiment_ids and all_experiments:
        raise click.UsageError("Give --experiment-id or --all-experiments, not both.")
    store = _tracking_store(tracking_uri)
    try:
        with _stderr().status("Searching runs ..."):
            if all_experiments:
                scope: list[str] = []
            elif experiment_ids:
                scope = list(experiment_ids)
            else:
                from tracekit.tracking.context import current_experiment_id

                scope = [current_experiment_id()]
            found = list(store.search_runs(scope, filter_string, ViewType.parse(view_type), max_results,
                                           list(order_by) or None))
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    _print(output, found, entities_json, runs_csv, runs_table)


def _print(output: str, found: list, as_json, as_csv, as_table) -> None:  # noqa: ANN001 - formatters
    """Print search results in the `--output` format, with the formatters of their kind."""
    if output == "json":
        click.echo(as_json(found))
    elif output == "csv":
        click.echo(as_csv(found), nl=False)
    else:
        _stdout().print(as_table(found))


def _tracking_store(tracking_uri: str | None):
    from tracekit.tracking.registry import get_tracking_store

    try:
        return get_tracking_store(_uri(tracking_uri))
    except TracekitException as error:
        raise click.ClickException(error.message) from error


def _uri(tracking_uri: str | None) -> str:
    from tracekit.tracking_uri import get_tracking_uri

    return tracking_uri or get_tracking_uri()


def _store(tracking_uri: str | None):
    from tracekit.store.registry import get_store

    try:
        return get_store(_uri(tracking_uri))
    except TracekitException as error:
        raise click.ClickException(error.message) from error


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def _stdout():
    import sys

    from rich.console import Console

    # Piped into a file or another program: do not squeeze the table into 80 columns.
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240)


if __name__ == "__main__":  # pragma: no cover
    main()
