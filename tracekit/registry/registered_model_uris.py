"""Model URIs as the registry reads them.

Registry URIs name a version of a registered model:

    models:/<name>/<version>     version 3: models:/churn/3
    models:/<name>@<alias>       the version an alias points at: models:/churn@champion
    models:/<name>/latest        the highest version number
    models:/<name>/<stage>       the newest version in a stage: models:/churn/Production (any case)

`resolve_registry_model_uri(uri)` turns one into the version's source: `models:/<model_id>` (a logged model),
`runs:/<run_id>/<path>`, or a storage location, whatever it was registered from. A loader of `models:` URIs calls it
first when `is_registry_model_uri(uri)` says so, then loads what it returns:

    if is_registry_model_uri(uri):
        uri = resolve_registry_model_uri(uri)

Sources that `register_model` takes (`parse_model_source`): `models:/<model_id>`, `runs:/<run_id>/<path>`, a
registry URI (the version's source is registered again), or the path (or `file://` URI) of a model directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.registry.entities import ModelVersion, ModelVersionStage
from tracekit.registry.registry_checks import check_alias, check_model_name, check_stage, check_version
from tracekit.validation import invalid

MODELS_SCHEME = "models:"
RUNS_SCHEME = "runs:"
_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_REGISTRY_FORMS = ("models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or "
                   "models:/<name>/<stage>")


@dataclass(frozen=True)
class RegistryModelUri:
    """A parsed registry URI: the model's name and exactly one of version, alias, `latest` or stage."""

    name: str
    version: int | None = None
    alias: str | None = None
    latest: bool = False
    stage: str | None = None


def _models_path(uri: str) -> str | None:
    """The part of a `models:` URI after `models:/`, or None for another URI."""
    if not isinstance(uri, str) or not uri.lower().startswith(MODELS_SCHEME):
        return None
    return uri[len(MODELS_SCHEME):].lstrip("/")


def logged_model_id_of(uri: str) -> str | None:
    """The model id of `models:/<model_id>` (a logged model's URI), or None."""
    path = _models_path(uri)
    return path if path is not None and _LOGGED_MODEL_ID.fullmatch(path) else None


def is_registry_model_uri(uri: str) -> bool:
    """Whether `uri` is a `models:` URI naming a registered model's version (not `models:/<model_id>`)."""
    path = _models_path(uri)
    return path is not None and bool(path) and logged_model_id_of(uri) is None


def parse_registry_model_uri(uri: str) -> RegistryModelUri:
    """The parts of a registry URI; TracekitException saying which forms are valid otherwise."""
    path = _models_path(uri)
    if path is None or not path or logged_model_id_of(uri) is not None:
        raise invalid(f"{uri!r} is not a registered model URI: expected {_REGISTRY_FORMS}.")
    if "@" in path:
        name, _, alias = path.partition("@")
        return RegistryModelUri(check_model_name(unquote(name)), alias=check_alias(unquote(alias)))
    segments = path.split("/")
    if len(segments) != 2 or not all(segments):
        raise invalid(f"Invalid registered model URI {uri!r}: expected {_REGISTRY_FORMS} (a model's name alone does "
                      f"not say which version).")
    name, which = check_model_name(unquote(segments[0])), unquote(segments[1])
    if which.isdigit():
        return RegistryModelUri(name, version=check_version(which, name))
    if which.lower() == "latest":
        return RegistryModelUri(name, latest=True)
    try:
        return RegistryModelUri(name, stage=check_stage(which))
    except TracekitException:
        raise invalid(f"Invalid registered model URI {uri!r}: {which!r} is neither a version number, 'latest' nor a "
                      f"stage ({', '.join(ModelVersionStage.ALL)}). Expected {_REGISTRY_FORMS}.") from None


def registry_model_version(uri: str, registry_uri: str | None = None) -> ModelVersion:
    """The version a registry URI names, read from the registry at `registry_uri` (default: the current one);
    ResourceNotFoundError naming the model, version, alias or stage that does not exist."""
    from tracekit.registry.registry_uri import get_registry_uri
    from tracekit.store.backend import get_backend

    parsed = parse_registry_model_uri(uri)
    store = get_backend(registry_uri or get_registry_uri()).registry
    if parsed.version is not None:
        return store.get_model_version(parsed.name, parsed.version)
    if parsed.alias is not None:
        return store.get_model_version_by_alias(parsed.name, parsed.alias)
    stages = [parsed.stage] if parsed.stage is not None else None
    versions = store.get_latest_versions(parsed.name, stages)
    if not versions:
        where = f"in stage {parsed.stage!r}" if parsed.stage is not None else "at all"
        raise ResourceNotFoundError(f"{uri!r} names no version: registered model {parsed.name!r} has no version "
                                    f"{where}.")
    return max(versions, key=lambda version: version.version)


def resolve_registry_model_uri(uri: str, registry_uri: str | None = None) -> str:
    """The source a registry URI's version was registered from (`models:/<model_id>`, `runs:/<run_id>/<path>` or a
    storage location), for a model loader to load.

    >>> resolve_registry_model_uri("models:/churn@champion")
    'models:/m-3f0c...'
    """
    return registry_model_version(uri, registry_uri).source


@dataclass(frozen=True)
class ModelSource:
    """What a new version records: its source, and the run and logged model it came from when known."""

    source: str
    run_id: str | None = None
    model_id: str | None = None


def parse_model_source(model_uri: str, tracking_uri: str | None = None) -> ModelSource:
    """The source, run and logged model of `model_uri` as `register_model` records them, after checking that what
    it names exists (logged models and runs in the tracking store at `tracking_uri`, default the current one)."""
    from tracekit.store.backend import get_backend

    if not isinstance(model_uri, str) or not model_uri.strip():
        raise invalid(f"model_uri must be a non-empty string, got {model_uri!r}.")
    model_id = logged_model_id_of(model_uri)
    if model_id is not None:
        try:
            model = get_backend(tracking_uri).tracking.get_logged_model(model_id)
        except ResourceNotFoundError:
            raise ResourceNotFoundError(
                f"Cannot register {model_uri!r}: logged model {model_id!r} does not exist in the tracking store. "
                f"Pass the URI of a model logged there (LoggedModel.model_uri).") from None
        return ModelSource(f"{MODELS_SCHEME}/{model.model_id}", model.source_run_id, model.model_id)
    if is_registry_model_uri(model_uri):
        version = registry_model_version(model_uri)
        return ModelSource(version.source, version.run_id, version.model_id)
    if model_uri.lower().startswith(RUNS_SCHEME):
        return _run_source(model_uri, tracking_uri)
    local = _local_path(model_uri)
    if local is not None:
        if not local.exists():
            raise ResourceNotFoundError(f"Cannot register {model_uri!r}: no file or directory at {str(local)!r}.")
        return ModelSource(model_uri)
    raise invalid(f"Cannot register {model_uri!r}: expected models:/<model_id>, runs:/<run_id>/<artifact path>, "
                  f"{_REGISTRY_FORMS}, or the path of a saved model directory.")


def _run_source(model_uri: str, tracking_uri: str | None) -> ModelSource:
    from tracekit.store.backend import get_backend

    run_id, _, path = model_uri[len(RUNS_SCHEME):].lstrip("/").partition("/")
    path = path.strip("/")
    if not run_id or not path:
        raise invalid(f"Cannot register {model_uri!r}: expected runs:/<run_id>/<artifact path>, e.g. "
                      f"runs:/0123abcd.../model.")
    tracking = get_backend(tracking_uri).tracking
    try:
        run = tracking.get_run(run_id)
    except ResourceNotFoundError:
        raise ResourceNotFoundError(f"Cannot register {model_uri!r}: run {run_id!r} does not exist in the tracking "
                                    f"store.") from None
    # The logged model this run logged under that name (log_model(name=...)) becomes the version's model.
    models = tracking.search_logged_models([run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'")
    matches = [model.model_id for model in models if model.name == path]
    return ModelSource(model_uri, run_id, matches[0] if len(matches) == 1 else None)


def _local_path(model_uri: str) -> Path | None:
    """The filesystem path a source names (a plain path or a `file://` URI), or None for another URI."""
    parts = urlsplit(model_uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # a URI of another scheme (not a Windows drive letter)
        return None
    return Path(model_uri).expanduser()
