"""A deployment target `file-plugin`: each deployment is a JSON file in the folder the target URI names
(`file-plugin:/data/deployments`), and predicting loads the deployed model in this process. No server: it shows a
target's contract (one `BaseDeploymentClient` subclass, `run_local` and `target_help`) with the least machinery.

    tracekit deployments create -t file-plugin:/data/deployments --name iris -m models:/iris@champion
    tracekit deployments predict -t file-plugin:/data/deployments --name iris -I rows.json
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.plugins import BaseDeploymentClient

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def target_help() -> str:
    """What the `file-plugin` target does."""
    return ("Target 'file-plugin:/<folder>': each deployment is <folder>/<name>.json recording its model URI and "
            "config; predict loads the model in the calling process (and keeps the last answer in "
            "<folder>/<name>.answer). Any -C key=value is recorded as given.")


def run_local(name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None) -> None:
    """Check that the model loads, as a deployment of it would need."""
    import tracekit

    tracekit.pyfunc.load_model(model_uri)
    print(f"The model of {name!r} ({model_uri}) loads; a file-plugin deployment of it would work.")


class FileDeploymentClient(BaseDeploymentClient):
    """Deployments recorded as JSON files in the folder of the target URI `file-plugin:/<folder>`."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        _, _, folder = target_uri.partition(":")
        if not folder:
            raise TracekitException.invalid_parameter_value(
                f"The file-plugin target needs a folder: file-plugin:/<folder>, not {target_uri!r}.")
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not isinstance(name, str) or not _NAME.match(name):
            raise TracekitException.invalid_parameter_value(f"Invalid deployment name {name!r}.")
        return self.folder / f"{name}.json"

    def _read(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        if not path.is_file():
            raise ResourceNotFoundError(f"No file-plugin deployment named {name!r} in {self.folder}.")
        deployment: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return deployment

    def _write(self, deployment: dict[str, Any]) -> dict[str, Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path(deployment["name"]).write_text(json.dumps(deployment), encoding="utf-8")
        return deployment

    def create_deployment(self, name: str, model_uri: str, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Record the deployment `name` of `model_uri`."""
        if self._path(name).exists():
            raise TracekitException.already_exists(f"The file-plugin deployment {name!r} already exists.")
        return self._write({"name": name, "model_uri": model_uri, "flavor": flavor, "config": config or {}})

    def update_deployment(self, name: str, model_uri: str | None = None, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Point `name` at another model and/or merge `config` into its config."""
        deployment = self._read(name)
        deployment["model_uri"] = model_uri or deployment["model_uri"]
        deployment["flavor"] = flavor or deployment["flavor"]
        deployment["config"] = {**deployment["config"], **(config or {})}
        return self._write(deployment)

    def delete_deployment(self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None) -> None:
        """Forget `name`."""
        self._read(name)
        self._path(name).unlink()

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every deployment in the folder."""
        if not self.folder.is_dir():
            return []
        return [self._read(path.stem) for path in sorted(self.folder.glob("*.json"))]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """The deployment `name`."""
        return self._read(name)

    def predict(self, deployment_name: str | None = None, inputs: Any = None,
                endpoint: str | None = None) -> dict[str, Any]:
        """The deployed model's predictions for `inputs` (a serving body or a DataFrame), computed here; the answer is
        also kept in `<folder>/<name>.answer` (the last one only)."""
        import tracekit

        model_uri = self._read(str(deployment_name))["model_uri"]
        answer_path = self.folder / f"{deployment_name}.answer"
        return tracekit.models.predict(model_uri, inputs, output_path=str(answer_path))
