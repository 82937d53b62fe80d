"""`BaseDeploymentClient`: the contract of a deployment target (the built-in `local` one, or a plugin's in the
entry-point group `tracekit.deployments`). `get_deploy_client(target_uri)` returns an instance to the user, so a
target's docstrings are user documentation."""

from __future__ import annotations

import abc
from typing import Any


class BaseDeploymentClient(abc.ABC):
    """Create, update, delete, list, describe and query the deployments of one target.

    `target_uri` is the URI the client was asked for: the target's name (`local`), optionally followed by `:/` and
    whatever the target reads from it (a region, a workspace). Deployments are dicts with at least a `name` key.

    >>> client = tracekit.deployments.get_deploy_client("local")
    >>> client.create_deployment("iris", "models:/iris@champion")
    >>> client.predict("iris", {"dataframe_split": {"columns": ["a"], "data": [[1.0]]}})
    """

    def __init__(self, target_uri: str) -> None:
        self.target_uri = target_uri

    @abc.abstractmethod
    def create_deployment(self, name: str, model_uri: str, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Deploy the model at `model_uri` as `name` (`flavor`: which of the model's flavors to serve; `config`:
        target-specific settings); the new deployment's description. An existing name is an error."""

    @abc.abstractmethod
    def update_deployment(self, name: str, model_uri: str | None = None, flavor: str | None = None,
                          config: dict[str, Any] | None = None, endpoint: str | None = None) -> dict[str, Any]:
        """Point the deployment `name` at another model and/or change its config; its new description."""

    @abc.abstractmethod
    def delete_deployment(self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None) -> None:
        """Stop and forget the deployment `name`."""

    @abc.abstractmethod
    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every deployment of this target, each a dict with at least `name`."""

    @abc.abstractmethod
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """The description of the deployment `name` (an error when there is none)."""

    @abc.abstractmethod
    def predict(self, deployment_name: str | None = None, inputs: Any = None,
                endpoint: str | None = None) -> dict[str, Any]:
        """The deployment's answer to `inputs` (a serving body dict or a pandas DataFrame), e.g.
        `{"predictions": [...]}`."""
