"""Which `ArtifactRepository` serves an artifact URI, chosen by its scheme.

In this order: factories registered in this process with `register_artifact_repository(scheme, factory)`; plugins
(an entry point in the group `tracekit.artifact_repository` named for the scheme, a callable taking the URI and
returning an `ArtifactRepository`); the built-in repositories below. A plain path (no scheme) is a local path.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from tracekit.artifacts.artifact_uris import artifact_uri_scheme
from tracekit.artifacts.repository import ArtifactRepository
from tracekit.exceptions import TracekitException
from tracekit.store.uri import load_plugin_factory

ARTIFACT_REPOSITORY_PLUGIN_GROUP = "tracekit.artifact_repository"

ArtifactRepositoryFactory = Callable[[str], ArtifactRepository]

# Built-in repositories as "module:class", imported on first use so an unused store's client library (boto3) is
# never imported.
_BUILT_IN: dict[str, str] = {
    "file": "tracekit.artifacts.local_repository:LocalArtifactRepository",
    "s3": "tracekit.artifacts.s3_repository:S3ArtifactRepository",
    "tracekit-artifacts": "tracekit.artifacts.proxied_repository:ProxiedArtifactRepository",
}

_registered: dict[str, ArtifactRepositoryFactory] = {}


def register_artifact_repository(scheme: str, factory: ArtifactRepositoryFactory | None) -> None:
    """Serve artifact URIs with `scheme` by `factory(uri)` in this process (None: forget the registration)."""
    if factory is None:
        _registered.pop(scheme.lower(), None)
    else:
        _registered[scheme.lower()] = factory


def get_artifact_repository(artifact_uri: str) -> ArtifactRepository:
    """The repository for `artifact_uri` (a local path, `file:`, `s3://bucket/prefix`, `tracekit-artifacts:/...`,
    or a plugin's scheme); TracekitException naming the scheme if nothing serves it."""
    if not isinstance(artifact_uri, str) or not artifact_uri:
        raise TracekitException.invalid_parameter_value(f"Invalid artifact URI {artifact_uri!r}: expected a non-empty "
                                                        f"string such as a local path or 's3://bucket/prefix'.")
    scheme = artifact_uri_scheme(artifact_uri)
    factory = _registered.get(scheme) or load_plugin_factory(scheme, ARTIFACT_REPOSITORY_PLUGIN_GROUP)
    if factory is None and scheme in _BUILT_IN:
        module_name, _, class_name = _BUILT_IN[scheme].partition(":")
        factory = getattr(importlib.import_module(module_name), class_name)
    if factory is None:
        known = ", ".join(sorted({*_BUILT_IN, *_registered}))
        raise TracekitException.invalid_parameter_value(
            f"No artifact repository serves the scheme {scheme!r} of {artifact_uri!r}. Built in or registered: "
            f"{known}; other stores come from plugins in the entry-point group {ARTIFACT_REPOSITORY_PLUGIN_GROUP!r}.")
    repository = factory(artifact_uri)
    if not isinstance(repository, ArtifactRepository):
        raise TracekitException.invalid_parameter_value(
            f"The artifact repository factory for scheme {scheme!r} returned {type(repository).__name__}, not an "
            f"ArtifactRepository.")
    return repository
