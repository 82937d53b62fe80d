"""Artifact URIs: joining paths onto them, and resolving the URIs that name an artifact indirectly (`runs:/...`, and
schemes other parts register, such as `models:/...`) into the URI of the place that holds it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from tracekit.artifacts.artifact_paths import join_artifact_path
from tracekit.exceptions import TracekitException

# A scheme is at least two characters, so a Windows drive letter ("C:\\...") reads as a local path.
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")


def artifact_uri_scheme(artifact_uri: str) -> str:
    """The scheme of `artifact_uri` in lower case; "file" for a plain local path."""
    match = _SCHEME_RE.match(artifact_uri)
    return match.group(1).lower() if match else "file"


def has_uri_scheme(location: str) -> bool:
    """Whether `location` is a URI (`s3://...`, `file:...`) rather than a plain local path."""
    return _SCHEME_RE.match(location) is not None


def append_to_uri_path(uri: str, *paths: str | None) -> str:
    """`uri` with the checked relative `paths` appended to its path (None and empty parts skipped).

    >>> append_to_uri_path("s3://bucket/root", "1", "abc/artifacts")
    's3://bucket/root/1/abc/artifacts'
    >>> append_to_uri_path("tracekit-artifacts:/", "1")
    'tracekit-artifacts:/1'
    """
    suffix = join_artifact_path(*paths)
    if not suffix:
        return uri
    return f"{uri.rstrip('/')}/{suffix}"


def split_artifact_uri(artifact_uri: str) -> tuple[str, str]:
    """(URI of the folder holding it, name) of the file or folder `artifact_uri` names; TracekitException for a URI
    that names no file or folder (a bare bucket, `/`).

    >>> split_artifact_uri("s3://bucket/runs/1/model.pkl")
    ('s3://bucket/runs/1', 'model.pkl')
    """
    if not has_uri_scheme(artifact_uri):
        path = os.path.abspath(os.path.expanduser(artifact_uri))
        parent, name = os.path.split(path)
    else:
        parts = urlsplit(artifact_uri)
        folder, _, name = parts.path.rstrip("/").rpartition("/")
        parent = urlunsplit(parts._replace(path=folder or "/"))
    if not name:
        raise TracekitException.invalid_parameter_value(
            f"Invalid artifact URI {artifact_uri!r}: it names no file or folder; give the URI of an artifact, such "
            f"as runs:/<run_id>/model or s3://bucket/path/file.txt.")
    return parent, name


# --- resolving indirect URIs ------------------------------------------------------------------------------------------
UriResolver = Callable[[str], str]

_MAX_RESOLUTION_STEPS = 8


def _resolve_runs_uri(uri: str) -> str:
    """`runs:/<run_id>/<path>` as the run's artifact URI with `path` appended (through the current tracking URI)."""
    parts = urlsplit(uri)
    if parts.netloc or not parts.path.startswith("/"):
        raise TracekitException.invalid_parameter_value(
            f"Invalid runs URI {uri!r}: write it as runs:/<run_id>/<path relative to the run's artifacts>, with one "
            f"slash after 'runs:'.")
    run_id, _, path = parts.path.lstrip("/").partition("/")
    if not run_id:
        raise TracekitException.invalid_parameter_value(
            f"Invalid runs URI {uri!r}: no run id; write it as runs:/<run_id>/<path>.")
    relative = join_artifact_path(path)
    from tracekit.artifacts.run_artifacts import run_artifact_uri  # it builds on this module

    return append_to_uri_path(run_artifact_uri(run_id), relative)


_resolvers: dict[str, UriResolver] = {"runs": _resolve_runs_uri}


def register_uri_resolver(scheme: str, resolver: UriResolver | None) -> None:
    """Resolve artifact URIs with `scheme` by `resolver(uri)` into a URI an artifact repository serves (which may
    itself need resolving, e.g. `models:/...` into `runs:/...`); None forgets the registration.

    >>> register_uri_resolver("models", lambda uri: get_logged_model(uri[len("models:/"):]).artifact_location)
    """
    if resolver is None:
        _resolvers.pop(scheme.lower(), None)
    else:
        _resolvers[scheme.lower()] = resolver


def resolve_artifact_uri(uri: str) -> str:
    """The URI of the place holding what `uri` names: `runs:/<run_id>/<path>` becomes the run's artifact URI with
    `path` appended, a registered scheme goes through its resolver; any other URI or path is returned unchanged.

    >>> resolve_artifact_uri("runs:/0a1b.../model")
    '/home/me/tracekit-artifacts/0/0a1b.../artifacts/model'
    """
    if not isinstance(uri, str) or not uri:
        raise TracekitException.invalid_parameter_value(
            f"Invalid artifact URI {uri!r}: expected a non-empty string such as runs:/<run_id>/path or a local path.")
    resolved = uri
    for _ in range(_MAX_RESOLUTION_STEPS):
        resolver = _resolvers.get(artifact_uri_scheme(resolved))
        if resolver is None:
            return resolved
        resolved = resolver(resolved)
    raise TracekitException.invalid_parameter_value(
        f"The artifact URI {uri!r} did not resolve to a storage URI in {_MAX_RESOLUTION_STEPS} steps (last: "
        f"{resolved!r}); the registered URI resolvers point at each other.")
