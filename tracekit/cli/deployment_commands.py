"""`tracekit deployments ...`: deploy a model to a target (the built-in `local` one or a plugin's) and query it."""

from __future__ import annotations

import json
from typing import Any

import click

from tracekit.cli.common import clean_errors
from tracekit.exceptions import TracekitException

TARGET_OPTION = click.option(
    "-t", "--target", required=True, metavar="TARGET",
    help="The deployment target: 'local' (built in) or a plugin's name, optionally followed by ':/<details>'. "
         "`tracekit deployments help -t <target>` describes it.")
NAME_OPTION = click.option("--name", required=True, help="The deployment's name.")
ENDPOINT_OPTION = click.option("--endpoint", default=None, help="The endpoint, for targets that group deployments.")
FLAVOR_OPTION = click.option("-f", "--flavor", default=None, help="Which flavor of the model to deploy.")
CONFIG_OPTION = click.option(
    "-C", "--config", "config", multiple=True, metavar="KEY=VALUE",
    help="A target-specific setting (repeatable); see `tracekit deployments help -t <target>`.")


def _config(pairs: tuple[str, ...]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE.", param_hint="'-C' / '--config'")
        config[key.strip()] = value
    return config


def _client(target: str) -> Any:
    from tracekit.deployments import get_deploy_client

    return get_deploy_client(target)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


@click.group(short_help="Deploy models to targets (local, or plugins') and query them.")
def deployments() -> None:
    """Deploy a model to a target and manage its deployments. The built-in target `local` runs each deployment as
    a `tracekit models serve` process on this machine; other targets come from plugins (entry-point group
    `tracekit.deployments`)."""


@deployments.command(short_help="Deploy a model.")
@TARGET_OPTION
@NAME_OPTION
@click.option("-m", "--model-uri", required=True, metavar="URI", help="The model to deploy.")
@FLAVOR_OPTION
@CONFIG_OPTION
@ENDPOINT_OPTION
@clean_errors
def create(target: str, name: str, model_uri: str, flavor: str | None, config: tuple[str, ...],
           endpoint: str | None) -> None:
    """Deploy the model at MODEL_URI to TARGET as NAME and print the deployment."""
    _echo_json(_client(target).create_deployment(name, model_uri, flavor=flavor, config=_config(config),
                                                 endpoint=endpoint))


@deployments.command(short_help="Deploy another model or config to a deployment.")
@TARGET_OPTION
@NAME_OPTION
@click.option("-m", "--model-uri", default=None, metavar="URI", help="The new model (default: the current one).")
@FLAVOR_OPTION
@CONFIG_OPTION
@ENDPOINT_OPTION
@clean_errors
def update(target: str, name: str, model_uri: str | None, flavor: str | None, config: tuple[str, ...],
           endpoint: str | None) -> None:
    """Update the deployment NAME (a new model version, a changed config) and print it."""
    _echo_json(_client(target).update_deployment(name, model_uri=model_uri, flavor=flavor, config=_config(config),
                                                 endpoint=endpoint))


@deployments.command(short_help="Delete a deployment.")
@TARGET_OPTION
@NAME_OPTION
@CONFIG_OPTION
@ENDPOINT_OPTION
@clean_errors
def delete(target: str, name: str, config: tuple[str, ...], endpoint: str | None) -> None:
    """Delete the deployment NAME."""
    _client(target).delete_deployment(name, config=_config(config), endpoint=endpoint)
    click.echo(f"Deleted deployment {name!r}.")


@deployments.command("list", short_help="List the deployments of a target.")
@TARGET_OPTION
@ENDPOINT_OPTION
@clean_errors
def list_command(target: str, endpoint: str | None) -> None:
    """Print every deployment of TARGET (a JSON list)."""
    _echo_json(_client(target).list_deployments(endpoint=endpoint))


@deployments.command(short_help="Describe a deployment.")
@TARGET_OPTION
@NAME_OPTION
@ENDPOINT_OPTION
@clean_errors
def get(target: str, name: str, endpoint: str | None) -> None:
    """Print the deployment NAME (JSON)."""
    _echo_json(_client(target).get_deployment(name, endpoint=endpoint))


@deployments.command(short_help="Score a file with a deployment.")
@TARGET_OPTION
@NAME_OPTION
@click.option("-I", "--input-path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The input: a JSON serving body ({\"dataframe_split\": ...}, ...) or a .csv table with a header "
                   "row.")
@click.option("-O", "--output-path", default=None, help="Where to write the answer (default: stdout).")
@ENDPOINT_OPTION
@clean_errors
def predict(target: str, name: str, input_path: str, output_path: str | None, endpoint: str | None) -> None:
    """Send INPUT_PATH to the deployment NAME and write its answer as JSON."""
    inputs: Any
    if input_path.lower().endswith(".csv"):
        import pandas as pd

        inputs = pd.read_csv(input_path)
    else:
        with open(input_path, encoding="utf-8") as file:
            try:
                inputs = json.load(file)
            except ValueError as error:
                raise TracekitException.invalid_parameter_value(
                    f"{input_path} is not JSON ({error}); give a JSON serving body or a .csv file.") from None
    answer = _client(target).predict(deployment_name=name, inputs=inputs, endpoint=endpoint)
    text = json.dumps(answer, default=str)
    if output_path is None:
        click.echo(text)
    else:
        with open(output_path, "w", encoding="utf-8") as file:
            file.write(text)


@deployments.command("run-local", short_help="Run a model locally the way a target would deploy it.")
@TARGET_OPTION
@NAME_OPTION
@click.option("-m", "--model-uri", required=True, metavar="URI", help="The model to run.")
@FLAVOR_OPTION
@CONFIG_OPTION
@clean_errors
def run_local(target: str, name: str, model_uri: str, flavor: str | None, config: tuple[str, ...]) -> None:
    """Run the model at MODEL_URI locally as TARGET would deploy it, for testing (blocks until interrupted for
    `local`)."""
    from tracekit.deployments import run_local as run

    run(target, name, model_uri, flavor=flavor, config=_config(config))


@deployments.command("help", short_help="Describe a target: its URI and config keys.")
@TARGET_OPTION
@clean_errors
def help_command(target: str) -> None:
    """Print the help of TARGET."""
    from tracekit.deployments import target_help

    click.echo(target_help(target))
