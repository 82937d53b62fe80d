"""`tracekit.deployments`: put a model behind a deployment target and query it (MLflow's `mlflow.deployments`).

One target is built in, `local` (a `tracekit models serve` process managed by tracekit); others come from plugins in
the entry-point group `tracekit.deployments` (see `tracekit.deployments.targets`). The same operations are the
`tracekit deployments` command.

>>> from tracekit.deployments import get_deploy_client
>>> client = get_deploy_client("local")
>>> client.create_deployment("iris", "models:/iris@champion")
>>> client.predict("iris", {"dataframe_split": {"columns": ["a"], "data": [[1.0]]}})
{'predictions': [...]}
"""

from tracekit.deployments.deployment_client import BaseDeploymentClient
from tracekit.deployments.targets import get_deploy_client, installed_targets, run_local, target_help

__all__ = ["BaseDeploymentClient", "get_deploy_client", "installed_targets", "run_local", "target_help"]
