"""The built-in deployment target `local`: each deployment is a `tracekit models serve` process on this machine,
managed by tracekit. Create starts one on a free port of 127.0.0.1 (or the `port` of its config) and waits for
`/ping`; list and get report each deployment's name, model URI, pid, URL and status; predict posts to
`/invocations`; update restarts the server (same port) with the new model or config; delete stops it. Every request
is a trace linked to the model, tagged `tracekit.deploymentName` with the deployment's name, sent to the tracking URI
in effect when the deployment was created.

Statuses: `running` (the process is alive and answers /ping), `not responding` (alive, no answer), `stale` (the
recorded process is gone, or its pid now belongs to another process: it is reported, never signalled), `failed`
(the last update could not start the server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx

from tracekit.deployments import local_processes as processes
from tracekit.deployments import local_registry as registry
from tracekit.deployments.deployment_client import BaseDeploymentClient
from tracekit.exceptions import TracekitException

DEFAULT_HOST = "127.0.0.1"
DEFAULT_STARTUP_TIMEOUT_SECONDS = 120.0
# Building a virtual environment the first time installs every requirement: give it longer.
DEFAULT_VIRTUALENV_STARTUP_TIMEOUT_SECONDS = 1200.0
_CONFIG_KEYS = {
    "host": "the address the server listens on (default 127.0.0.1)",
    "port": "the port (default: a free one, kept across updates)",
    "workers": "worker processes, each with its own copy of the model (default 1)",
    "env_manager": "local (this Python environment, the default) or virtualenv (one built from the model's files)",
    "timeout": "seconds to wait for the server to answer /ping (default 120; 1200 with virtualenv)",
}
_FLAVORS = (None, "python_function")


def target_help() -> str:
    """What the `local` target does and the config keys (`-C key=value`) it takes."""
    keys = "\n".join(f"  {key}: {meaning}" for key, meaning in _CONFIG_KEYS.items())
    return (
        "Target 'local': each deployment is a `tracekit models serve` process on this machine, recorded under "
        "TRACEKIT_DEPLOYMENTS_ROOT (~/.tracekit/deployments) with its server log. Requests to it are traces linked to "
        "the model, tagged tracekit.deploymentName, sent to the tracking URI in effect at create/update.\n"
        f"Config keys (-C key=value):\n{keys}\n"
        "Target URI: 'local' (nothing follows the name). Flavor: python_function (the default).")


def _checked_config(config: dict[str, Any] | None) -> dict[str, Any]:
    config = dict(config or {})
    unknown = sorted(set(config) - set(_CONFIG_KEYS))
    if unknown:
        raise TracekitException.invalid_parameter_value(
            f"Unknown config key(s) {', '.join(unknown)} for the local deployment target; it takes "
            f"{', '.join(_CONFIG_KEYS)}.")
    checked: dict[str, Any] = {}
    for key in ("port", "workers"):
        if key in config:
            checked[key] = _int_value(key, config[key], 1, 65535 if key == "port" else 64)
    if "timeout" in config:
        try:
            checked["timeout"] = float(config["timeout"])
        except (TypeError, ValueError):
            checked["timeout"] = -1.0
        if not 0 < checked["timeout"] <= 86400:
            raise TracekitException.invalid_parameter_value(
                f"config timeout={config['timeout']!r} must be a number of seconds between 0 and 86400.")
    if "host" in config:
        checked["host"] = str(config["host"])
    if "env_manager" in config:
        from tracekit.models.batch_predict import check_env_manager

        check_env_manager(str(config["env_manager"]))
        checked["env_manager"] = str(config["env_manager"])
    return checked


def _int_value(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise TracekitException.invalid_parameter_value(
            f"config {key}={value!r} must be a whole number from {low} to {high}.")
    return number


def _check_flavor(flavor: str | None) -> None:
    if flavor not in _FLAVORS:
        raise TracekitException.invalid_parameter_value(
            f"The local deployment target serves the python_function flavor only, not {flavor!r}.")


def _server_environment(name: str) -> dict[str, str]:
    import tracekit

    env = {**os.environ, "TRACEKIT_TRACKING_URI": tracekit.get_tracking_uri(),
           "TRACEKIT_SERVING_DEPLOYMENT_NAME": name}
    registry_uri = tracekit.get_registry_uri()
    if registry_uri:
        env["TRACEKIT_REGISTRY_URI"] = registry_uri
    return env


def _launch(name: str, model_uri: str, config: dict[str, Any], port: int | None = None) -> dict[str, Any]:
    """Start the server of deployment `name` and wait until it answers; the fields it adds to the record."""
    host = config.get("host", DEFAULT_HOST)
    port = port or config.get("port") or processes.free_port(host)
    env_manager = config.get("env_manager", "local")
    timeout = config.get("timeout", DEFAULT_VIRTUALENV_STARTUP_TIMEOUT_SECONDS if env_manager == "virtualenv"
                         else DEFAULT_STARTUP_TIMEOUT_SECONDS)
    log = registry.log_path(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    process = processes.start_server(model_uri, host, port, config.get("workers", 1), env_manager, log,
                                     _server_environment(name))
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    processes.wait_ready(process, url, timeout, log)
    return {"pid": process.pid, "process_start_time": processes.process_start_time(process.pid), "host": host,
            "port": port, "url": url, "log_path": str(log), "started_at": time.time()}


def _described(record: dict[str, Any]) -> dict[str, Any]:
    """The public description of a record, with its status checked now."""
    pid = record.get("pid")
    if record.get("status") == "failed":
        status = "failed"
    elif not processes.is_running(pid, record.get("process_start_time")):
        status = "stale"
    elif processes.answers_ping(record["url"]):
        status = "running"
    else:
        status = "not responding"
    return {"name": record["name"], "model_uri": record["model_uri"], "flavor": record.get("flavor"),
            "config": record.get("config", {}), "pid": pid, "url": record.get("url"), "status": status,
            "log_path": record.get("log_path"), "tracking_uri": record.get("tracking_uri")}


class LocalDeploymentClient(BaseDeploymentClient):
    """Deployments as `tracekit models serve` processes on this machine (the `local` target).

    >>> client = get_deploy_client("local")
    >>> client.create_deployment("iris", "models:/iris@champion", config={"workers": 2})
    {'name': 'iris', 'url': 'http://127.0.0.1:40123', 'status': 'running', ...}
    """

    def create_deployment(self, name: str, model_uri: str, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Start a scoring server for `model_uri` named `name` and wait until it answers; its description."""
        import tracekit

        registry.check_name(name)
        _check_flavor(flavor)
        checked = _checked_config(config)
        with registry.transaction() as records:
            existing = records.get(name)
            if existing is not None:
                state = _described(existing)["status"]
                raise TracekitException.already_exists(
                    f"A local deployment named {name!r} already exists ({state}, serving {existing['model_uri']!r}); "
                    f"update it, or delete it first.")
            started = _launch(name, model_uri, checked)
            records[name] = {"name": name, "model_uri": model_uri, "flavor": flavor, "config": checked,
                             "tracking_uri": tracekit.get_tracking_uri(), **started}
            record = records[name]
        return _described(record)

    def update_deployment(self, name: str, model_uri: str | None = None, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Restart the server of `name` on its port with `model_uri` (default: the current model) and `config`
        merged into its config; its description. If the new server does not start, the deployment is `failed`."""
        import tracekit

        _check_flavor(flavor)
        failure: TracekitException | None = None
        with registry.transaction() as records:
            if name not in records:
                registry.read(name)  # raises, naming the deployments there are
            record = records[name]
            checked = {**record.get("config", {}), **_checked_config(config)}
            processes.stop(record.get("pid"), record.get("process_start_time"))
            new_uri = model_uri or record["model_uri"]
            record.update({"model_uri": new_uri, "flavor": flavor or record.get("flavor"), "config": checked,
                           "tracking_uri": tracekit.get_tracking_uri(), "pid": None, "status": "failed"})
            try:
                record.update(_launch(name, new_uri, checked, port=checked.get("port") or record.get("port")))
                record.pop("status")
            except TracekitException as error:
                failure = error  # the record stays, marked failed: get shows it, update or delete fixes it
        if failure is not None:
            raise TracekitException.invalid_state(
                f"The server of deployment {name!r} did not start with {new_uri!r}, so the deployment is marked failed "
                f"(update or delete it): {failure.message}") from failure
        return _described(record)

    def delete_deployment(self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None) -> None:
        """Stop the server of `name` (unless its process is already gone) and forget the deployment."""
        with registry.transaction() as records:
            if name not in records:
                registry.read(name)
            record = records.pop(name)
            processes.stop(record.get("pid"), record.get("process_start_time"))

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every local deployment with its status."""
        return [_described(record) for _, record in sorted(registry.read_all().items())]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """The deployment `name`: model URI, pid, URL, status, log path."""
        return _described(registry.read(name))

    def predict(self, deployment_name: str | None = None, inputs: Any = None,
                endpoint: str | None = None) -> dict[str, Any]:
        """POST `inputs` (a serving body dict or list, JSON text, or a DataFrame) to the deployment's
        /invocations; the answer (`{"predictions": ...}`). A 4xx/5xx answer raises with the server's message."""
        if deployment_name is None:
            raise TracekitException.invalid_parameter_value("Give the name of the deployment to predict with.")
        described = _described(registry.read(deployment_name))
        if described["status"] not in ("running", "not responding"):
            raise TracekitException.invalid_state(
                f"The local deployment {deployment_name!r} is {described['status']} (process {described['pid']}); "
                f"update it to restart its server, or delete it.")
        response = httpx.post(f"{described['url']}/invocations", content=_body(inputs),
                              headers={"Content-Type": "application/json"}, timeout=300)
        try:
            answer = response.json()
        except ValueError:
            answer = {"message": response.text}
        if response.status_code != 200:
            message = answer.get("message", response.text) if isinstance(answer, dict) else response.text
            raise TracekitException.invalid_parameter_value(
                f"The deployment {deployment_name!r} answered {response.status_code}: {message}")
        if not isinstance(answer, dict):
            answer = {"predictions": answer}
        return answer


def _body(inputs: Any) -> bytes:
    import pandas as pd

    if isinstance(inputs, pd.DataFrame):
        return json.dumps({"dataframe_split": json.loads(inputs.to_json(orient="split", index=False))}).encode()
    if isinstance(inputs, (dict, list)):
        return json.dumps(inputs).encode()
    if isinstance(inputs, str):
        return inputs.encode()
    if isinstance(inputs, bytes):
        return inputs
    raise TracekitException.invalid_parameter_value(
        f"inputs must be a serving body (dict or list), JSON text or a DataFrame, not {type(inputs).__name__}.")


def run_local(name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None) -> None:
    """Serve `model_uri` in the foreground as deployment `name` would be (same server, same config keys; port
    5001 unless configured), until interrupted; nothing is recorded."""
    registry.check_name(name)
    _check_flavor(flavor)
    checked = _checked_config(config)
    command = [sys.executable, "-m", "tracekit.cli", "models", "serve", "-m", model_uri,
               "--host", checked.get("host", DEFAULT_HOST), "--port", str(checked.get("port", 5001)),
               "--workers", str(checked.get("workers", 1)), "--env-manager", checked.get("env_manager", "local")]
    try:
        finished = subprocess.run(command, env=_server_environment(name), check=False)
    except KeyboardInterrupt:
        return  # Ctrl-C reached the server too (same process group): the normal way to stop it
    if finished.returncode not in (0, -2, 130):  # 130 / -SIGINT: interrupted
        raise TracekitException.invalid_state(f"The scoring server of {name!r} exited with code {finished.returncode}.")
