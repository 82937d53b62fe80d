"""tracekit's own plugins: the built-in stores, artifact repositories, deployment target, default
evaluator and run context providers,
declared in the form an installed distribution declares its entry points (`name = "module:attr"` per group) and found
by the same lookup (`tracekit.plugins.loading.group_entry_points`), so a built-in scheme and a plugin's go through
one door.

This table is the one place that says which scheme tracekit serves itself. An installed distribution declaring an
entry point of the same name in the same group replaces the built-in one. Nothing here is imported until a lookup
loads it, so `import tracekit` stays cheap.
"""

from __future__ import annotations

BUILT_IN_DISTRIBUTION = "tracekit (built in)"

_SQL_STORE = "tracekit.store.sql.store:SqlStore"
_REST_STORE = "tracekit.store.rest.remote_store:RestStore"

# Tracking-URI schemes: a driver (`postgresql+psycopg2://`) is not part of the scheme, so every driver variant of a
# database is served by its entry here.
_STORE_SCHEMES: dict[str, str] = {
    "sqlite": _SQL_STORE,
    "postgresql": _SQL_STORE,
    "postgres": _SQL_STORE,
    "mysql": _SQL_STORE,
    "mariadb": _SQL_STORE,
    "http": _REST_STORE,
    "https": _REST_STORE,
}

# group -> entry-point name -> "module:attr"
BUILT_IN_ENTRY_POINTS: dict[str, dict[str, str]] = {
    "tracekit.tracking_store": _STORE_SCHEMES,
    # The same class as the tracking store of the scheme: one instance (one database, one HTTP client) serves both.
    "tracekit.model_registry_store": _STORE_SCHEMES,
    "tracekit.artifact_repository": {
        "file": "tracekit.artifacts.local_repository:LocalArtifactRepository",
        "s3": "tracekit.artifacts.s3_repository:S3ArtifactRepository",
        "tracekit-artifacts": "tracekit.artifacts.proxied_repository:ProxiedArtifactRepository",
    },
    "tracekit.model_evaluator": {
        "default": "tracekit.models.evaluation.default_evaluator:DefaultEvaluator",
    },
    # Deployment targets: a module with one BaseDeploymentClient subclass, run_local and target_help.
    "tracekit.deployments": {
        "local": "tracekit.deployments.local_target",
    },
    "tracekit.run_context_provider": {
        "tracekit-user": "tracekit.plugins.run_context:UserRunContext",
        "tracekit-source": "tracekit.plugins.run_context:SourceRunContext",
        "tracekit-git": "tracekit.plugins.run_context:GitRunContext",
    },
}
