"""Which module serves a deployment target: the entry-point group `tracekit.deployments` maps a target name to a
module defining exactly one `BaseDeploymentClient` subclass, `run_local(name, model_uri, flavor=None,
config=None)` and `target_help()`. tracekit's own `local` target is an entry of the same group
(`tracekit.plugins.built_ins`), loaded and checked the same way; as in every group, an installed plugin with a
built-in's name replaces it, and two plugins claiming one name is an error naming both.

Plugins are read on first use (never at `import tracekit`) with `tracekit.plugins.loading`'s rules: a target that
fails to import is reported once with its distribution and the error, and never affects other targets.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

from tracekit.deployments.deployment_client import BaseDeploymentClient
from tracekit.exceptions import TracekitException
from tracekit.plugins.loading import group_entry_points, load_named

DEPLOYMENTS_GROUP = "tracekit.deployments"


def installed_targets() -> list[str]:
    """The names of the targets available here (built in and from plugins), sorted."""
    return sorted({entry_point.name.lower() for entry_point in group_entry_points(DEPLOYMENTS_GROUP)})


def parse_target_uri(target_uri: str) -> str:
    """The target name of `target_uri`: `local`, `local:/anything` and `local://anything` all name `local`."""
    if not isinstance(target_uri, str) or not target_uri.strip():
        raise TracekitException.invalid_parameter_value(
            f"Invalid deployment target {target_uri!r}: expected a target name such as 'local' (installed: "
            f"{', '.join(installed_targets())}).")
    return target_uri.strip().split(":", 1)[0].lower()


def _target_module(target: str) -> ModuleType:
    loaded = load_named(DEPLOYMENTS_GROUP, target)
    if loaded is None:
        raise TracekitException.invalid_parameter_value(
            f"No deployment target named {target!r} is installed. Installed: {', '.join(installed_targets())}; "
            f"other targets come from plugins in the entry-point group {DEPLOYMENTS_GROUP!r}.")
    if not isinstance(loaded, ModuleType):
        raise TracekitException.invalid_parameter_value(
            f"The deployment target plugin {target!r} must name a module (e.g. `my_plugin.deployment`), not "
            f"{type(loaded).__name__}.")
    return loaded


def _client_class(module: ModuleType, target: str) -> type[BaseDeploymentClient]:
    classes = {value for value in vars(module).values()
               if inspect.isclass(value) and issubclass(value, BaseDeploymentClient)
               and value is not BaseDeploymentClient and not inspect.isabstract(value)}
    missing = [name for name in ("run_local", "target_help") if not callable(getattr(module, name, None))]
    if len(classes) != 1 or missing:
        problems = [f"it defines {len(classes)} concrete BaseDeploymentClient subclasses, not exactly one "
                    f"({', '.join(sorted(c.__name__ for c in classes)) or 'none'})"] if len(classes) != 1 else []
        problems += [f"it has no {name}() function" for name in missing]
        abstract = [f"{value.__name__} leaves {', '.join(sorted(value.__abstractmethods__))} unimplemented"
                    for value in vars(module).values()
                    if inspect.isclass(value) and issubclass(value, BaseDeploymentClient) and inspect.isabstract(value)
                    and value is not BaseDeploymentClient]
        raise TracekitException.invalid_parameter_value(
            f"The deployment target {target!r} ({module.__name__}) does not implement the contract: "
            f"{'; '.join(problems + abstract)}.")
    return classes.pop()


def target_module(target_uri: str) -> tuple[str, ModuleType, type[BaseDeploymentClient]]:
    """(target name, its module, its client class) for `target_uri`, checked against the contract."""
    target = parse_target_uri(target_uri)
    module = _target_module(target)
    return target, module, _client_class(module, target)


def get_deploy_client(target_uri: str) -> BaseDeploymentClient:
    """A client of the deployment target `target_uri` names (`local`, or a plugin's target name optionally followed
    by `:/<target-specific part>`).

    >>> client = tracekit.deployments.get_deploy_client("local")
    >>> client.list_deployments()
    """
    _, _, client_class = target_module(target_uri)
    return client_class(target_uri)


def run_local(target: str, name: str, model_uri: str, flavor: str | None = None,
              config: dict[str, Any] | None = None) -> Any:
    """Run the model locally the way `target` would deploy it, for testing (the `local` target: a scoring server in
    the foreground until interrupted)."""
    _, module, _ = target_module(target)
    return module.run_local(name, model_uri, flavor=flavor, config=config)


def target_help(target: str) -> str:
    """The help text of `target`: what its target URI and config keys mean."""
    _, module, _ = target_module(target)
    return str(module.target_help())
