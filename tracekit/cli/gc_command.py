"""`tracekit gc`: expire old traces and purge deleted runs and experiments for good."""

from __future__ import annotations

import click

from tracekit.cli.common import TRACKING_URI_OPTION, existing_store_uri, store_description
from tracekit.exceptions import TracekitException


def _split_ids(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


@click.command(short_help="Delete old traces and purge deleted runs and experiments for good.")
@TRACKING_URI_OPTION
@click.option("--backend-store-uri", "backend_store_uri", metavar="URI", default=None,
              help="The database to clean (MLflow's name for it); same as --tracking-uri.")
@click.option("--older-than", metavar="DURATION", default=None,
              help="Only what is older than this: traces started, runs and experiments deleted, more than DURATION "
                   "ago (e.g. 30d, 1d2h, 90m). Without it no trace is deleted and every deleted run is purged.")
@click.option("--experiment-ids", metavar="IDS", default=None,
              help="Comma-separated experiment ids: expire only their traces, purge only their deleted runs, and "
                   "purge these experiments if they are deleted.")
@click.option("--run-ids", metavar="IDS", default=None,
              help="Comma-separated ids of deleted runs to purge (each must be in the deleted stage).")
@click.option("--traces/--no-traces", "with_traces", default=True, show_default=True,
              help="Whether to delete traces older than --older-than.")
@click.option("--runs/--no-runs", "with_runs", default=True, show_default=True,
              help="Whether to purge deleted runs and experiments.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting traces.")
def gc(tracking_uri: str | None, backend_store_uri: str | None, older_than: str | None,
       experiment_ids: str | None, run_ids: str | None, with_traces: bool, with_runs: bool, dry_run: bool,
       yes: bool) -> None:
    """Garbage-collect a tracking store: delete traces that started more than --older-than ago (with their spans,
    tags, metadata and assessments), and purge runs and experiments in the deleted stage (with their metrics,
    params, tags, logged models and artifact folders). Deletions run in small transactions (about 100 ms each),
    so programs writing to the same database carry on meanwhile.

    \b
    Examples:
      tracekit gc                                  # purge every deleted run and experiment
      tracekit gc --older-than 30d --yes           # and delete traces older than 30 days
      tracekit gc --older-than 7d --experiment-ids 3 --dry-run
      tracekit gc --run-ids 8f2e...,91ab... --no-traces
    """
    from tracekit.store.backend import get_backend
    from tracekit.tracking.garbage_collection import collect_garbage, parse_duration

    uri = existing_store_uri(backend_store_uri or tracking_uri)
    try:
        older_than_ms = parse_duration(older_than) if older_than is not None else None
        backend = get_backend(uri)
        deletes_traces = with_traces and older_than_ms is not None
        if deletes_traces and not dry_run and not yes:
            counted = collect_garbage(backend, older_than_ms=older_than_ms, experiment_ids=_split_ids(experiment_ids),
                                      run_ids=_split_ids(run_ids), traces=True, runs=False, dry_run=True)
            click.confirm(f"Delete {counted.traces_deleted} traces older than {older_than} from "
                          f"{store_description(uri)}?", abort=True)
        report = collect_garbage(backend, older_than_ms=older_than_ms, experiment_ids=_split_ids(experiment_ids),
                                 run_ids=_split_ids(run_ids), traces=with_traces, runs=with_runs, dry_run=dry_run)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {report.traces_deleted} traces; {'would purge' if dry_run else 'purged'} "
               f"{report.runs_purged} runs and {report.experiments_purged} experiments in {store_description(uri)}.")
    if not dry_run and (report.traces_deleted or report.runs_purged):
        click.echo(f"Longest write transaction: {report.longest_hold_ms:.0f} ms.")
    for failure in report.artifact_failures:
        click.echo(f"Artifacts not deleted: {failure}", err=True)
