"""`Model`, the contents of a model directory's `MLmodel` YAML file, and `ModelInfo`, what `log_model` and
`get_model_info` return.

Reading an MLmodel file parses YAML safely (`yaml.safe_load`) and never imports or unpickles anything: looking at a
model is safe; loading it (`tracekit.pyfunc.load_model`) runs its code.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from tracekit.exceptions import TracekitException
from tracekit.models.signature import ModelSignature

if TYPE_CHECKING:
    from tracekit.models.schema_types import ParamSchema, Schema

MLMODEL_FILE = "MLmodel"

_FIELDS = ("artifact_path", "flavors", "model_uuid", "model_id", "run_id", "utc_time_created", "signature",
           "saved_input_example_info", "tracekit_version", "metadata")


def _tracekit_version() -> str:
    from tracekit import __version__

    return __version__


@dataclass
class ModelInfo:
    """What is known of a saved or logged model without loading it: its URI, flavors, signature, ids and times."""

    artifact_path: str | None
    flavors: dict[str, Any]
    model_uri: str
    model_uuid: str
    run_id: str | None
    saved_input_example_info: dict[str, Any] | None
    signature: ModelSignature | None
    utc_time_created: str
    tracekit_version: str | None
    model_id: str | None = None
    signature_dict: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    registered_model_version: int | None = None
    name: str | None = None
    params: dict[str, str] = field(default_factory=dict)


class Model:
    """A model directory's description: its flavors (how each tool loads it) and metadata.

    A flavor writes its files, then `add_flavor(name, **params)` and `save(path)`; `Model.load(path_or_uri)` reads
    it back. `Model.log(name, flavor_module, **kwargs)` logs a model through a flavor module's `save_model`.

    >>> model = Model(signature=signature).add_flavor("my_flavor", data="model.bin", version="1.2")
    >>> model.save("my_model")
    """

    def __init__(self, artifact_path: str | None = None, run_id: str | None = None,
                 utc_time_created: str | None = None, flavors: Mapping[str, Any] | None = None,
                 signature: ModelSignature | None = None, saved_input_example_info: dict[str, Any] | None = None,
                 model_uuid: str | None = None, model_id: str | None = None, metadata: dict[str, Any] | None = None,
                 tracekit_version: str | None = None, **kwargs: Any) -> None:
        self.artifact_path = artifact_path
        self.run_id = run_id
        self.utc_time_created = utc_time_created or datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S.%f")
        self.flavors: dict[str, Any] = dict(flavors or {})
        self.signature = signature
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid or uuid.uuid4().hex
        self.model_id = model_id
        self.metadata = metadata
        self.tracekit_version = tracekit_version or _tracekit_version()
        self.extra: dict[str, Any] = dict(kwargs)  # fields other tools wrote, kept on a round trip

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Model(flavors={sorted(self.flavors)}, model_id={self.model_id!r}, run_id={self.run_id!r})"

    def add_flavor(self, name: str, **params: Any) -> Model:
        """Add (or replace) a flavor: its name and the YAML-serializable attributes its loader reads."""
        self.flavors[name] = params
        return self

    def get_input_schema(self) -> Schema | None:
        """The input schema of the signature, if the model has one."""
        return self.signature.inputs if self.signature is not None else None

    def get_output_schema(self) -> Schema | None:
        """The output schema of the signature, if the model has one."""
        return self.signature.outputs if self.signature is not None else None

    def get_params_schema(self) -> ParamSchema | None:
        """The params schema of the signature, if the model has one."""
        return self.signature.params if self.signature is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The MLmodel contents as plain data (absent fields left out)."""
        data: dict[str, Any] = {}
        for name in _FIELDS:
            value = getattr(self, name)
            if name == "signature" and value is not None:
                value = value.to_dict()
            if value is not None:
                data[name] = value
        data.update(self.extra)
        return data

    def to_yaml(self) -> str:
        """The MLmodel file's text."""
        return yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=False)

    def to_json(self) -> str:
        """The MLmodel contents as JSON."""
        return json.dumps(self.to_dict())

    def save(self, path: str) -> None:
        """Write the MLmodel file into the directory `path`, or to `path` itself if it names a file called
        MLmodel."""
        target = path if os.path.basename(path) == MLMODEL_FILE else os.path.join(path, MLMODEL_FILE)
        with open(target, "w", encoding="utf-8") as file:
            file.write(self.to_yaml())

    @classmethod
    def from_dict(cls, model_dict: Mapping[str, Any]) -> Model:
        """A Model from the MLmodel contents (`to_dict`'s form)."""
        data = dict(model_dict)
        signature = data.pop("signature", None)
        if signature is not None:
            if not isinstance(signature, Mapping):
                raise TracekitException.invalid_parameter_value(f"'signature' must be a mapping, got {signature!r}.")
            data["signature"] = ModelSignature.from_dict(signature)
        flavors = data.get("flavors")
        if not isinstance(flavors, Mapping) or not all(isinstance(v, Mapping) for v in flavors.values()):
            raise TracekitException.invalid_parameter_value(
                f"'flavors' must be a mapping of flavor name to its attributes, got {flavors!r}.")
        data.setdefault("tracekit_version", data.pop("mlflow_version", None))
        if "time_created" in data and "utc_time_created" not in data:
            data["utc_time_created"] = str(data.pop("time_created"))
        return cls(**data)

    @classmethod
    def load(cls, path: str) -> Model:
        """The Model of a model directory, an MLmodel file or a model URI (only the MLmodel file is downloaded).
        TracekitException naming the file when it is missing or malformed."""
        from tracekit.models.model_uris import download_model_file

        return read_mlmodel_file(download_model_file(os.fspath(path), MLMODEL_FILE))

    def load_input_example(self, path: str) -> Any:
        """The input example saved in the local model directory `path`, or None."""
        from tracekit.models.input_example import load_input_example

        return load_input_example(path, self.saved_input_example_info)

    def get_model_info(self, model_uri: str | None = None) -> ModelInfo:
        """A `ModelInfo` of this model; `model_uri` defaults to `models:/<model_id>` (or the run URI)."""
        if model_uri is None:
            model_uri = (f"models:/{self.model_id}" if self.model_id else
                         f"runs:/{self.run_id}/{self.artifact_path}" if self.run_id else "")
        return ModelInfo(
            artifact_path=self.artifact_path, flavors=self.flavors, model_uri=model_uri, model_uuid=self.model_uuid,
            run_id=self.run_id, saved_input_example_info=self.saved_input_example_info, signature=self.signature,
            utc_time_created=self.utc_time_created, tracekit_version=self.tracekit_version, model_id=self.model_id,
            signature_dict=self.signature.to_dict() if self.signature is not None else None, metadata=self.metadata,
            name=self.artifact_path)

    @classmethod
    def log(cls, artifact_path: str, flavor: Any, registered_model_name: str | None = None,
            metadata: dict[str, Any] | None = None, run_id: str | None = None, **kwargs: Any) -> ModelInfo:
        """Log a model through `flavor` (a module with `save_model(path, mlflow_model=..., **kwargs)`) as a new
        logged model named `artifact_path`; see `tracekit.models.model_logging.log_model`."""
        from tracekit.models.model_logging import log_model

        return log_model(artifact_path, flavor, registered_model_name=registered_model_name, metadata=metadata,
                         run_id=run_id, **kwargs)


def read_mlmodel_file(path: str) -> Model:
    """Parse the MLmodel file at `path` (safe YAML only); TracekitException naming the file if it is missing or
    malformed."""
    try:
        with open(path, encoding="utf-8") as file:
            contents = yaml.safe_load(file)
    except FileNotFoundError:
        raise TracekitException.invalid_parameter_value(
            f"Not a model directory: {path!r} does not exist. A model directory holds an MLmodel file written by "
            f"save_model or log_model.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TracekitException.invalid_parameter_value(f"Malformed MLmodel file {path!r}: {error}") from None
    if not isinstance(contents, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"Malformed MLmodel file {path!r}: expected a YAML mapping with 'flavors', got {type(contents).__name__}.")
    unknown_types = [key for key in contents if not isinstance(key, str)]
    if unknown_types:
        raise TracekitException.invalid_parameter_value(f"Malformed MLmodel file {path!r}: non-text keys "
                                                        f"{unknown_types}.")
    try:
        return Model.from_dict(contents)
    except TracekitException as error:
        raise TracekitException.invalid_parameter_value(f"Malformed MLmodel file {path!r}: {error.message}") from None
    except (TypeError, ValueError, KeyError) as error:
        raise TracekitException.invalid_parameter_value(f"Malformed MLmodel file {path!r}: {error}") from None


def path_in_model_dir(model_dir: str, relative: str) -> str:
    """The existing file or folder `relative` (as an MLmodel file names it) under `model_dir`; TracekitException
    if it would lie outside the model directory (`..`, an absolute path, a symlink out) or does not exist."""
    root = os.path.realpath(model_dir)
    path = os.path.realpath(os.path.join(root, str(relative)))
    if os.path.commonpath([root, path]) != root:
        raise TracekitException.invalid_parameter_value(
            f"The MLmodel file in {model_dir!r} names {relative!r}, which is outside the model directory.")
    if not os.path.exists(path):
        raise TracekitException.invalid_parameter_value(
            f"The model in {model_dir!r} is missing {relative!r}, which its MLmodel file names.")
    return path
