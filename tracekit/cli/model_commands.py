"""`tracekit models ...`: serve a model behind a REST endpoint, or score a file with it."""

from __future__ import annotations

import os

import click

from tracekit.exceptions import TracekitException

MODEL_URI_OPTION = click.option(
    "-m", "--model-uri", required=True, metavar="URI",
    help="The model: models:/<model_id>, models:/<name>@<alias>, runs:/<run_id>/<name>, or a local path.")
ENV_MANAGER_OPTION = click.option(
    "--env-manager", default="local", show_default=True,
    type=click.Choice(["local", "virtualenv"]),
    help="Where the model runs: 'local' (this Python environment) or 'virtualenv' (a virtual environment built from "
         "the model's python_env.yaml and requirements.txt, cached under TRACEKIT_ENV_ROOT, ~/.tracekit/envs).")


@click.group(short_help="Serve a model over REST, or score a file with it.")
def models() -> None:
    """Put a logged model to work: `serve` answers POST /invocations (every request a trace linked to the model),
    `predict` scores a JSON or CSV file."""


@models.command(short_help="Serve a model at /invocations.")
@MODEL_URI_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("-p", "--port", default=5001, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("-w", "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes, each with its own copy of the model.")
@ENV_MANAGER_OPTION
def serve(model_uri: str, host: str, port: int, workers: int, env_manager: str) -> None:
    """Serve the model at MODEL_URI: POST /invocations takes JSON (dataframe_split, dataframe_records, instances
    or inputs, optional params) or CSV and answers {"predictions": ...}; GET /ping, /health and /version.
    Traces go to the tracking URI (TRACEKIT_TRACKING_URI)."""
    if env_manager == "virtualenv":
        _serve_in_virtualenv(model_uri, host, port, workers)
        return
    from tracekit.cli.server_command import _require_server_extra

    _require_server_extra("tracekit models serve")
    import uvicorn

    from tracekit.models.pyfunc_model import load_model

    try:
        load_model(model_uri)  # refuse a model that cannot load before binding the port
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    os.environ["TRACEKIT_SERVING_MODEL_URI"] = model_uri
    uvicorn.run("tracekit.models.scoring_server:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="info")


def _serve_in_virtualenv(model_uri: str, host: str, port: int, workers: int) -> None:
    """Replace this process by `tracekit models serve` run with the Python of the model's virtual environment (the
    process id stays the same, so whoever started the server can still stop it)."""
    import sys

    from tracekit.models.virtualenv_manager import model_virtualenv_python

    try:
        python = str(model_virtualenv_python(model_uri))
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Serving from the virtual environment of {python}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(python, [python, "-m", "tracekit.cli", "models", "serve", "-m", model_uri, "--host", host,
                      "--port", str(port), "--workers", str(workers), "--env-manager", "local"])


@models.command(short_help="Score a JSON or CSV file with a model.")
@MODEL_URI_OPTION
@click.option("-i", "--input-path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The input: a serving body (JSON) or a CSV table with a header row.")
@click.option("-t", "--content-type", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="The input file's format.")
@click.option("-o", "--output-path", default=None, help="Where to write the predictions (default: stdout).")
@ENV_MANAGER_OPTION
def predict(model_uri: str, input_path: str, content_type: str, output_path: str | None, env_manager: str) -> None:
    """Score INPUT_PATH with the model and write {"predictions": ...} as JSON."""
    from tracekit.models.batch_predict import predict as predict_file

    try:
        predict_file(model_uri, input_path=input_path, content_type=content_type, output_path=output_path,
                     env_manager=env_manager)
    except TracekitException as error:
        raise click.ClickException(error.message) from error


@models.command("generate-dockerfile", short_help="Write a Dockerfile serving a model.")
@MODEL_URI_OPTION
@click.option("-d", "--output-directory", default="tracekit-dockerfile", show_default=True,
              help="Where the Dockerfile and the model's files (model_dir/) are written.")
@ENV_MANAGER_OPTION
def generate_dockerfile(model_uri: str, output_directory: str, env_manager: str) -> None:
    """Write a Dockerfile (and copy the model beside it) for an image serving the model on port 8080; build it with
    `docker build OUTPUT_DIRECTORY`."""
    from tracekit.models.dockerfile import generate_dockerfile as write_dockerfile

    try:
        path = write_dockerfile(model_uri, output_directory)
    except TracekitException as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Wrote {os.path.abspath(path)}")
