"""The base classes a tracekit plugin implements, importable from one place; each is loaded on first access, so
`import tracekit` (or `import tracekit.plugins`) costs nothing.

Plugins are entry points of installed distributions: store groups (`tracekit.tracking_store`,
`tracekit.model_registry_store`, `tracekit.artifact_repository`) are named for the URI scheme they serve; provider
groups (`tracekit.run_context_provider`, `tracekit.request_header_provider`, `tracekit.request_auth_provider`) list
classes; `tracekit.trace_exporter` names exporter factories, `tracekit.deployments` deployment-target modules,
`tracekit.model_evaluator` `ModelEvaluator` classes for `tracekit.models.evaluate(evaluators=[...])` and
`tracekit.app` server apps. tracekit's own stores, repositories and run context providers are entries of the same
groups (`tracekit.plugins.built_ins`). The README's "Plugins" section gives each contract; `tracekit.plugins.testing`
holds contract checks a plugin's own tests call.

>>> from tracekit.plugins import RunContextProvider
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracekit.artifacts.repository import ArtifactRepository
    from tracekit.deployments.deployment_client import BaseDeploymentClient
    from tracekit.models.evaluation.evaluator import ModelEvaluator
    from tracekit.plugins.request_auth import RequestAuthProvider
    from tracekit.plugins.request_headers import RequestHeaderProvider
    from tracekit.plugins.run_context import RunContextProvider
    from tracekit.registry.registry_store import ModelRegistryStore
    from tracekit.store.backend import Backend
    from tracekit.store.trace_store import TraceStore
    from tracekit.store.tracking_store import TrackingStore
    from tracekit.tracing.exporter import TraceExporter

# public name -> module defining it
_BASE_CLASSES = {
    "ArtifactRepository": "tracekit.artifacts.repository",
    "Backend": "tracekit.store.backend",
    "BaseDeploymentClient": "tracekit.deployments.deployment_client",
    "ModelEvaluator": "tracekit.models.evaluation.evaluator",
    "ModelRegistryStore": "tracekit.registry.registry_store",
    "RequestAuthProvider": "tracekit.plugins.request_auth",
    "RequestHeaderProvider": "tracekit.plugins.request_headers",
    "RunContextProvider": "tracekit.plugins.run_context",
    "TraceExporter": "tracekit.tracing.exporter",
    "TraceStore": "tracekit.store.trace_store",
    "TrackingStore": "tracekit.store.tracking_store",
}

__all__ = ["ArtifactRepository", "Backend", "BaseDeploymentClient", "ModelEvaluator", "ModelRegistryStore",
           "RequestAuthProvider", "RequestHeaderProvider", "RunContextProvider", "TraceExporter", "TraceStore",
           "TrackingStore"]


def __getattr__(name: str) -> Any:
    module = _BASE_CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module 'tracekit.plugins' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
