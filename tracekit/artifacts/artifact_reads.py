"""Reading artifacts by URI or by run: `list_artifacts`, `download_artifacts`, `load_text`, `load_dict`.

Every URI goes through `resolve_artifact_uri` first, so `runs:/<run_id>/<path>` (and `models:/...` once registered)
work wherever a URI is taken.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from tracekit.artifacts.artifact_paths import normalize_artifact_path
from tracekit.artifacts.artifact_uris import resolve_artifact_uri, split_artifact_uri
from tracekit.artifacts.repository import FileInfo
from tracekit.artifacts.repository_registry import get_artifact_repository
from tracekit.artifacts.run_artifacts import YAML_EXTENSIONS, run_artifact_repository
from tracekit.exceptions import TracekitException


def _uri_or_run(function: str, artifact_uri: str | None, run_id: str | None, artifact_path: str | None) -> None:
    if artifact_uri is not None and (run_id is not None or artifact_path is not None):
        raise TracekitException.invalid_parameter_value(
            f"{function}() takes either artifact_uri, or run_id with an optional artifact_path, not both.")
    if artifact_uri is None and run_id is None:
        raise TracekitException.invalid_parameter_value(
            f"{function}() needs artifact_uri (such as runs:/<run_id>/path or s3://bucket/path) or run_id.")
    if artifact_uri is None and artifact_path is not None:
        normalize_artifact_path(artifact_path, allow_root=True)


def list_artifacts(artifact_uri: str | None = None, run_id: str | None = None,
                   artifact_path: str | None = None) -> list[FileInfo]:
    """The files and folders directly under `artifact_uri`, or under `artifact_path` of run `run_id`'s artifacts
    (its root when None), sorted by path; paths are relative to the URI or to the run's artifact root.

    >>> tracekit.artifacts.list_artifacts(run_id=run.info.run_id, artifact_path="model")
    [FileInfo(path='model/MLmodel', is_dir=False, file_size=312), ...]
    """
    _uri_or_run("list_artifacts", artifact_uri, run_id, artifact_path)
    if artifact_uri is not None:
        return get_artifact_repository(resolve_artifact_uri(artifact_uri)).list_artifacts()
    return run_artifact_repository(str(run_id)).list_artifacts(artifact_path)


def download_artifacts(artifact_uri: str | None = None, run_id: str | None = None, artifact_path: str | None = None,
                       dst_path: str | None = None) -> str:
    """Download the file or folder `artifact_uri` names, or `artifact_path` of run `run_id` (all its artifacts when
    None), into `dst_path` (created if missing; a new temporary folder when None); return its local path.

    >>> local = tracekit.artifacts.download_artifacts("runs:/<run_id>/model", dst_path="downloads")
    """
    _uri_or_run("download_artifacts", artifact_uri, run_id, artifact_path)
    if artifact_uri is not None:
        parent, name = split_artifact_uri(resolve_artifact_uri(artifact_uri))
        return get_artifact_repository(parent).download_artifacts(name, dst_path)
    return run_artifact_repository(str(run_id)).download_artifacts(artifact_path or "", dst_path)


def load_text(artifact_uri: str) -> str:
    """The content of the text file `artifact_uri` names (UTF-8).

    >>> tracekit.artifacts.load_text("runs:/<run_id>/notes/summary.txt")
    """
    with tempfile.TemporaryDirectory(prefix="tracekit-load-") as scratch:
        local = download_artifacts(artifact_uri, dst_path=scratch)
        if not os.path.isfile(local):
            raise TracekitException.invalid_parameter_value(
                f"The artifact {artifact_uri!r} is a folder; load_text() reads a file.")
        try:
            with open(local, encoding="utf-8") as reader:
                return reader.read()
        except UnicodeDecodeError as error:
            raise TracekitException.invalid_parameter_value(
                f"The artifact {artifact_uri!r} is not UTF-8 text ({error}); use download_artifacts() to get the "
                f"file itself.") from error


def load_dict(artifact_uri: str) -> Any:
    """The object stored in the JSON (or, by the extension .yaml/.yml, YAML) file `artifact_uri` names, as
    `log_dict` writes it.

    >>> tracekit.artifacts.load_dict("runs:/<run_id>/config.yaml")
    {'k': 'v'}
    """
    import yaml

    text = load_text(artifact_uri)
    is_yaml = artifact_uri.lower().endswith(YAML_EXTENSIONS)
    try:
        return yaml.safe_load(text) if is_yaml else json.loads(text)
    except (ValueError, yaml.YAMLError) as error:
        raise TracekitException.invalid_parameter_value(
            f"The artifact {artifact_uri!r} is not valid {'YAML' if is_yaml else 'JSON'}: {error}.") from error
