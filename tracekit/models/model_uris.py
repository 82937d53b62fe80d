"""Where a model URI points and how its files get here: `models:/<model_id>` (a logged model's artifact
location), `runs:/<run_id>/<path>` (the run's logged model of that name, else the run's artifacts), a local path or
`file:` URI (used in place), or any artifact URI (`s3://...`, a plugin's scheme).

Registry URIs (`models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/latest`, stage URIs) resolve
to the source their version was registered from, then as above.
"""

from __future__ import annotations

import os
import tempfile

from tracekit.artifacts.artifact_uris import artifact_uri_scheme, resolve_artifact_uri
from tracekit.exceptions import ResourceNotFoundError, TracekitException


def local_path_of(model_uri: str) -> str | None:
    """The local filesystem path a plain path or `file:` URI names; None for any other URI."""
    from tracekit.artifacts.local_repository import local_path_of_uri

    return local_path_of_uri(model_uri) if artifact_uri_scheme(model_uri) == "file" else None


def _check_uri(model_uri: object) -> str:
    if not isinstance(model_uri, (str, os.PathLike)) or not str(model_uri):
        raise TracekitException.invalid_parameter_value(
            f"Invalid model URI {model_uri!r}: give 'models:/<model_id>', 'runs:/<run_id>/<path>', a local path or an "
            f"artifact URI.")
    return os.fspath(model_uri)


def _resolve_runs_uri(model_uri: str) -> str:
    """A run's logged model named `<path>` (MLflow 3 keeps a logged model's files under the model), else the run's
    artifact `<path>`."""
    rest = model_uri[len("runs:"):].lstrip("/")
    run_id, _, path = rest.partition("/")
    if run_id and path and "/" not in path:
        from tracekit.store.backend import get_backend

        run = get_backend().tracking.get_run(run_id)
        escaped = path.replace("\\", "\\\\").replace("'", "\\'")
        found = get_backend().tracking.search_logged_models(
            [run.info.experiment_id], f"source_run_id = '{run_id}' AND name = '{escaped}'", 1,
            [{"field_name": "creation_time", "ascending": False}])
        if found and found[0].artifact_location:
            return found[0].artifact_location
    return resolve_artifact_uri(model_uri)


def model_artifact_uri(model_uri: str) -> str:
    """The artifact URI (or local path) of the model directory `model_uri` names."""
    uri = _check_uri(model_uri)
    local = local_path_of(uri)
    if local is not None:
        return local
    if artifact_uri_scheme(uri) == "models":
        from tracekit.registry.registered_model_uris import is_registry_model_uri, resolve_registry_model_uri

        if is_registry_model_uri(uri):
            return model_artifact_uri(resolve_registry_model_uri(uri))
    if artifact_uri_scheme(uri) == "runs":
        return _resolve_runs_uri(uri)
    return resolve_artifact_uri(uri)  # models:/ (registered by tracekit.tracking.logged_models) and plugins' schemes


def download_model(model_uri: str, dst_path: str | None = None) -> str:
    """A local directory holding the model's files: a local model in place, anything else downloaded (under
    `dst_path`, else a new temporary directory). TracekitException naming the URI when nothing is there."""
    location = model_artifact_uri(model_uri)
    local = local_path_of(location)
    if local is not None:
        if not os.path.isdir(local):
            raise TracekitException.invalid_parameter_value(
                f"No model at {model_uri!r}: {local!r} " + ("is a file, not a model directory." if os.path.exists(local)
                                                            else "does not exist."))
        return local
    from tracekit.artifacts import get_artifact_repository

    repository = get_artifact_repository(location)
    if not repository.list_artifacts():
        raise ResourceNotFoundError(f"No model at {model_uri!r}: its location {location!r} holds no files.")
    destination = dst_path if dst_path is not None else tempfile.mkdtemp(prefix="tracekit-model-")
    return repository.download_artifacts("", destination)


def download_model_file(model_uri: str, file_name: str) -> str:
    """The local path of one file of the model (the MLmodel file, say), downloading only that file."""
    location = model_artifact_uri(model_uri)
    local = local_path_of(location)
    if local is not None:
        if os.path.isfile(local):  # a path to the MLmodel file itself
            return local
        if not os.path.isdir(local):
            raise TracekitException.invalid_parameter_value(f"No model at {model_uri!r}: {local!r} does not exist.")
        return os.path.join(local, file_name)
    from tracekit.artifacts import get_artifact_repository

    repository = get_artifact_repository(location)
    names = {info.path.rsplit("/", 1)[-1] for info in repository.list_artifacts()}
    if not names:
        raise ResourceNotFoundError(f"No model at {model_uri!r}: its location {location!r} holds no files.")
    if file_name not in names:
        raise TracekitException.invalid_parameter_value(
            f"The model at {model_uri!r} has no {file_name} file (it holds {sorted(names)}).")
    return repository.download_artifacts(file_name, tempfile.mkdtemp(prefix="tracekit-model-"))
