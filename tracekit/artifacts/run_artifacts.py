"""Files logged to a run: `log_artifact`, `log_artifacts`, `log_text`, `log_dict`, `get_artifact_uri`.

Each call logs to `run_id` if given, else to the active run, starting one when none is active (as `log_param`
does). Content made in memory (text, dicts, figures, images, tables) is written to a temporary file first and then
logged like any file, so every repository only ever copies files.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

from tracekit.artifacts.artifact_paths import join_artifact_path, normalize_artifact_path
from tracekit.artifacts.artifact_uris import append_to_uri_path
from tracekit.artifacts.local_files import existing_local_path
from tracekit.artifacts.repository import ArtifactRepository
from tracekit.artifacts.repository_registry import get_artifact_repository
from tracekit.exceptions import TracekitException

#: Extensions log_dict writes (and load_dict reads) as YAML; any other is JSON.
YAML_EXTENSIONS = (".yaml", ".yml")


def run_artifact_uri(run_id: str, tracking_uri: str | None = None) -> str:
    """The artifact root URI of run `run_id` (the active run's without a store call); TracekitException if the run
    has none."""
    from tracekit.tracking import state

    active = next((run for run in reversed(state.run_stack()) if run.info.run_id == run_id), None)
    if active is not None and active.info.artifact_uri and tracking_uri is None:
        return active.info.artifact_uri
    from tracekit.store.backend import get_backend

    artifact_uri = get_backend(tracking_uri).tracking.get_run(run_id).info.artifact_uri
    if not artifact_uri:
        raise TracekitException.invalid_state(
            f"The tracking store gave run {run_id} no artifact location, so its files cannot be found or logged; "
            f"a store plugin must set RunInfo.artifact_uri.")
    return artifact_uri


def run_artifact_repository(run_id: str, tracking_uri: str | None = None) -> ArtifactRepository:
    """The repository holding the files of run `run_id`."""
    return get_artifact_repository(run_artifact_uri(run_id, tracking_uri))


def _target_run_id(run_id: str | None) -> str:
    from tracekit.tracking.runs import target_run_id

    return target_run_id(run_id)


def log_artifact(local_path: str | os.PathLike[str], artifact_path: str | None = None,
                 run_id: str | None = None) -> None:
    """Log a local file (or a whole directory, under its own name) to the active run or `run_id`, into the folder
    `artifact_path` of the run's artifacts (the root when None).

    >>> with tracekit.start_run():
    ...     tracekit.log_artifact("features.txt", artifact_path="features")
    """
    path = existing_local_path(local_path)
    folder = normalize_artifact_path(artifact_path, allow_root=True)
    log_local_path(run_artifact_repository(_target_run_id(run_id)), path, folder)


def log_local_path(repository: ArtifactRepository, path: str, folder: str) -> None:
    """Log the file `path` into `folder` of `repository`, or the directory `path` as `folder/<its name>`."""
    if os.path.isdir(path):
        repository.log_artifacts(path, join_artifact_path(folder, os.path.basename(os.path.abspath(path))))
    else:
        repository.log_artifact(path, folder or None)


def log_artifacts(local_dir: str | os.PathLike[str], artifact_path: str | None = None,
                  run_id: str | None = None) -> None:
    """Log every file under the local directory `local_dir` to the active run or `run_id`, into the folder
    `artifact_path` (the root when None)."""
    path = existing_local_path(local_dir, "directory")
    folder = normalize_artifact_path(artifact_path, allow_root=True)
    run_artifact_repository(_target_run_id(run_id)).log_artifacts(path, folder or None)


def log_file_content(artifact_file: str, write: Callable[[str], None],
                     repository: Callable[[], ArtifactRepository]) -> None:
    """Log what `write(local_path)` writes as the artifact file `artifact_file` of `repository()`.

    The file is made in a temporary folder under the artifact's own name, logged, then removed; `repository` is
    called only once the content was made, so content that cannot be written starts no run.
    """
    relative = normalize_artifact_path(artifact_file)
    folder, _, name = relative.rpartition("/")
    with tempfile.TemporaryDirectory(prefix="tracekit-artifact-") as scratch:
        local_file = os.path.join(scratch, name)
        write(local_file)
        repository().log_artifact(local_file, folder or None)


def log_run_file_content(artifact_file: str, write: Callable[[str], None], run_id: str | None = None) -> None:
    """`log_file_content` into the active run or `run_id` (the fluent log_* calls)."""
    log_file_content(artifact_file, write, lambda: run_artifact_repository(_target_run_id(run_id)))


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    """Log `text` as the UTF-8 file `artifact_file` (a run-relative POSIX path such as "dir/file.txt").

    >>> tracekit.log_text("<h1>header</h1>", "index.html")
    """
    log_run_file_content(artifact_file, text_writer(text), run_id)


def text_writer(text: str) -> Callable[[str], None]:
    """A `log_file_content` writer of `text` as UTF-8; TracekitException if `text` is not a string."""
    if not isinstance(text, str):
        raise TracekitException.invalid_parameter_value(
            f"log_text() takes a string, got {type(text).__name__}; use log_dict() for dicts, log_artifact() for "
            f"files.")

    def write(local_file: str) -> None:
        with open(local_file, "w", encoding="utf-8") as out:
            out.write(text)

    return write


def log_dict(dictionary: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Log a JSON- or YAML-serializable object as `artifact_file`: YAML for the extensions .yaml and .yml, JSON
    (indented) for any other.

    >>> tracekit.log_dict({"k": "v"}, "dir/data.yml")
    """
    log_run_file_content(artifact_file, dict_writer(dictionary, artifact_file), run_id)


def dict_writer(dictionary: Any, artifact_file: str) -> Callable[[str], None]:
    """A `log_file_content` writer of `dictionary` as YAML or JSON by `artifact_file`'s extension; the content is
    made here, so an object that cannot be serialized raises TracekitException before anything is logged."""
    import yaml

    is_yaml = str(artifact_file).lower().endswith(YAML_EXTENSIONS)
    try:
        if is_yaml:
            content = yaml.safe_dump(dictionary, default_flow_style=False, sort_keys=False, allow_unicode=True)
        else:
            content = json.dumps(dictionary, indent=2, ensure_ascii=False)
    except (TypeError, ValueError, yaml.YAMLError) as error:
        raise TracekitException.invalid_parameter_value(
            f"Cannot log {type(dictionary).__name__} as {'YAML' if is_yaml else 'JSON'} to {artifact_file!r}: "
            f"{error}. Convert its values to strings, numbers, booleans, lists and dicts first.") from error
    return text_writer(content)


def get_artifact_uri(artifact_path: str | None = None) -> str:
    """The URI of `artifact_path` in the active run's artifacts (the run's artifact root when None), starting a run
    when none is active.

    >>> tracekit.get_artifact_uri("features/features.txt")
    '/home/me/tracekit-artifacts/0/<run_id>/artifacts/features/features.txt'
    """
    relative = normalize_artifact_path(artifact_path, allow_root=True)
    return append_to_uri_path(run_artifact_uri(_target_run_id(None)), relative)
