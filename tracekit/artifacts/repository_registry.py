"""Which `ArtifactRepository` serves an artifact URI, chosen by its scheme.

In this order: factories registered in this process with `register_artifact_repository(scheme, factory)`; then the
entry point named for the scheme in the group `tracekit.artifact_repository` (a class or callable taking the URI
and returning an `ArtifactRepository`), where tracekit's own repositories (`file`, `s3`, `tracekit-artifacts`) are
entries too (`tracekit.plugins.built_ins`), imported on first use so an unused store's client library (boto3) is
never imported. A plain path (no scheme) is a local path.
"""

from __future__ import annotations

from collections.abc import Callable

from tracekit.artifacts.artifact_uris import artifact_uri_scheme
from tracekit.artifacts.repository import ArtifactRepository
from tracekit.exceptions import TracekitException

ARTIFACT_REPOSITORY_PLUGIN_GROUP = "tracekit.artifact_repository"

ArtifactRepositoryFactory = Callable[[str], ArtifactRepository]

_registered: dict[str, ArtifactRepositoryFactory] = {}


def register_artifact_repository(scheme: str, factory: ArtifactRepositoryFactory | None) -> None:
    """Serve artifact URIs with `scheme` by `factory(uri)` in this process (None: forget the registration)."""
    if factory is None:
        _registered.pop(scheme.lower(), None)
    else:
        _registered[scheme.lower()] = factory


def get_artifact_repository(artifact_uri: str) -> ArtifactRepository:
    """The repository for `artifact_uri` (a local path, `file:`, `s3://bucket/prefix`, `tracekit-artifacts:/...`,
    or a plugin's scheme); TracekitException naming the scheme, and those that are served, if nothing serves it."""
    if not isinstance(artifact_uri, str) or not artifact_uri:
        raise TracekitException.invalid_parameter_value(f"Invalid artifact URI {artifact_uri!r}: expected a non-empty "
                                                        f"string such as a local path or 's3://bucket/prefix'.")
    from tracekit.plugins.loading import installed_names, load_named  # late: importlib.metadata is not free

    scheme = artifact_uri_scheme(artifact_uri)
    factory = _registered.get(scheme) or load_named(ARTIFACT_REPOSITORY_PLUGIN_GROUP, scheme,
                                                    contracts=(ArtifactRepository,))
    if factory is None:
        known = ", ".join(sorted({*installed_names(ARTIFACT_REPOSITORY_PLUGIN_GROUP), *_registered}))
        raise TracekitException.invalid_parameter_value(
            f"No artifact repository serves the scheme {scheme!r} of {artifact_uri!r}. Installed (built in, plugins "
            f"and registered): {known}; other stores come from plugins in the entry-point group "
            f"{ARTIFACT_REPOSITORY_PLUGIN_GROUP!r}.")
    repository = factory(artifact_uri)
    if not isinstance(repository, ArtifactRepository):
        raise TracekitException.invalid_parameter_value(
            f"The artifact repository factory for scheme {scheme!r} returned {type(repository).__name__}, not an "
            f"ArtifactRepository.")
    return repository
