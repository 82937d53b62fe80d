"""`tracekit artifacts ...`: list, download and log the files of runs (as MLflow's `mlflow artifacts`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click

from tracekit.cli.common import TRACKING_URI_OPTION
from tracekit.exceptions import TracekitException

RUN_ID_OPTION = click.option("--run-id", "-r", metavar="RUN_ID", help="The run whose artifacts to use.")
ARTIFACT_PATH_OPTION = click.option(
    "--artifact-path", "-a", metavar="PATH", help="A path relative to the run's artifact root (default: the root).")


@contextmanager
def _on(tracking_uri: str | None) -> Iterator[None]:
    """Use `tracking_uri` (if given) in this command's process, so that runs:/ URIs resolve through it; turn
    tracekit's errors into click errors."""
    from tracekit.tracking_uri import set_tracking_uri

    if tracking_uri:
        set_tracking_uri(tracking_uri)
    try:
        yield
    except TracekitException as error:
        raise click.ClickException(error.message) from error


@click.group(short_help="List, download and log run artifacts.")
def artifacts() -> None:
    """List, download and log the files of runs, wherever they are stored (a local folder, S3, a tracking
    server)."""


@artifacts.command("list", short_help="List a run's artifacts.")
@RUN_ID_OPTION
@ARTIFACT_PATH_OPTION
@click.option("--artifact-uri", "-u", metavar="URI", help="An artifact URI instead of a run (runs:/<run_id>/path, "
              "s3://bucket/path, a local path).")
@TRACKING_URI_OPTION
@click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: one line each; json: a list of {path, is_dir, file_size}.")
def list_artifacts(run_id: str | None, artifact_path: str | None, artifact_uri: str | None,
                   tracking_uri: str | None, output: str) -> None:
    """List the files and folders directly under an artifact path of a run, or under an artifact URI.

    \b
    Examples:
      tracekit artifacts list --run-id 0a1b... --artifact-path model
      tracekit artifacts list --artifact-uri runs:/0a1b.../model --output json
    """
    from tracekit.artifacts import list_artifacts as list_files

    with _on(tracking_uri):
        found = list_files(artifact_uri, run_id, artifact_path)
    if output == "json":
        click.echo(json.dumps([{"path": info.path, "is_dir": info.is_dir, "file_size": info.file_size}
                               for info in found], indent=2))
        return
    for info in found:
        click.echo(f"{info.path}/" if info.is_dir else f"{info.path}\t{info.file_size}")


@artifacts.command("download", short_help="Download artifacts to a local folder.")
@RUN_ID_OPTION
@ARTIFACT_PATH_OPTION
@click.option("--artifact-uri", "-u", metavar="URI", help="An artifact URI instead of a run.")
@click.option("--dst-path", "-d", metavar="DIR", help="Where to put them (created if missing; default: a new "
              "temporary folder).")
@TRACKING_URI_OPTION
def download_artifacts(run_id: str | None, artifact_path: str | None, artifact_uri: str | None,
                       dst_path: str | None, tracking_uri: str | None) -> None:
    """Download a file or folder of a run (all of its artifacts without --artifact-path) or an artifact URI, and
    print its local path.

    \b
    Examples:
      tracekit artifacts download --run-id 0a1b... --artifact-path model --dst-path ./downloads
      tracekit artifacts download --artifact-uri s3://bucket/models/1/model.pkl
    """
    from tracekit.artifacts import download_artifacts as download

    with _on(tracking_uri):
        click.echo(download(artifact_uri, run_id, artifact_path, dst_path))


LOG_RUN_ID_OPTION = click.option("--run-id", "-r", required=True, metavar="RUN_ID", help="The run to log to.")
LOG_ARTIFACT_PATH_OPTION = click.option("--artifact-path", "-a", metavar="PATH",
                                        help="The folder of the run's artifacts to log into (default: the root).")


def _logged(local_path: str, run_id: str, artifact_path: str | None) -> None:
    click.echo(f"Logged {local_path} to run {run_id}" + (f" under {artifact_path}." if artifact_path else "."))


@artifacts.command("log-artifact", short_help="Log a local file to a run.")
@click.option("--local-file", "-l", required=True, metavar="FILE", help="The local file to log.")
@LOG_RUN_ID_OPTION
@LOG_ARTIFACT_PATH_OPTION
@TRACKING_URI_OPTION
def log_artifact(local_file: str, run_id: str, artifact_path: str | None, tracking_uri: str | None) -> None:
    """Log a local file (or a directory, under its own name) to a run.

    \b
    Example:
      tracekit artifacts log-artifact --local-file model.pkl --run-id 0a1b... --artifact-path model
    """
    from tracekit.artifacts.run_artifacts import log_artifact as log

    with _on(tracking_uri):
        log(local_file, artifact_path, run_id)
    _logged(local_file, run_id, artifact_path)


@artifacts.command("log-artifacts", short_help="Log a local directory's contents to a run.")
@click.option("--local-dir", "-l", required=True, metavar="DIR", help="The local directory to log.")
@LOG_RUN_ID_OPTION
@LOG_ARTIFACT_PATH_OPTION
@TRACKING_URI_OPTION
def log_artifacts(local_dir: str, run_id: str, artifact_path: str | None, tracking_uri: str | None) -> None:
    """Log every file under a local directory to a run.

    \b
    Example:
      tracekit artifacts log-artifacts --local-dir outputs/ --run-id 0a1b... --artifact-path outputs
    """
    from tracekit.artifacts.run_artifacts import log_artifacts as log

    with _on(tracking_uri):
        log(local_dir, artifact_path, run_id)
    _logged(local_dir, run_id, artifact_path)
