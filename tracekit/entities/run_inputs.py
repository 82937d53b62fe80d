"""What a run used: datasets (`Dataset`, each with `InputTag`s such as its context) and logged models, as stored
records (`DatasetInput`, `LoggedModelInput`, together `RunInputs`).

`Dataset` here is the stored record (strings, as the store keeps them); `tracekit.data.from_pandas` and
`tracekit.data.from_numpy` build the user-facing datasets that produce it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The input tag `log_input(context=...)` sets, under MLflow's name.
CONTEXT_TAG_KEY = "mlflow.data.context"


@dataclass(frozen=True)
class Dataset:
    """A dataset as stored: `name` and `digest` (a hash of its content) identify it within an experiment;
    `source_type` ("local", "http", "s3", "code", ...) and `source` (JSON, e.g. `{"uri": ...}`) say where it came
    from; `schema` is a `tracekit.types.Schema` as JSON and `profile` a JSON summary (rows, columns)."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None = None
    profile: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return {"name": self.name, "digest": self.digest, "source_type": self.source_type, "source": self.source,
                "schema": self.schema, "profile": self.profile}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dataset:
        """Inverse of `to_dict`."""
        return cls(name=str(data["name"]), digest=str(data["digest"]), source_type=str(data["source_type"]),
                   source=str(data["source"]), schema=data.get("schema"), profile=data.get("profile"))


@dataclass(frozen=True)
class InputTag:
    """A tag of one dataset input of a run (`mlflow.data.context`: "training", "testing", ...)."""

    key: str
    value: str


@dataclass(frozen=True)
class DatasetInput:
    """A dataset a run used, with the tags of that use."""

    dataset: Dataset
    tags: tuple[InputTag, ...] = ()

    @property
    def context(self) -> str | None:
        """The `mlflow.data.context` tag's value ("training", "testing", ...), or None."""
        return next((tag.value for tag in self.tags if tag.key == CONTEXT_TAG_KEY), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return {"dataset": self.dataset.to_dict(), "tags": [{"key": t.key, "value": t.value} for t in self.tags]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetInput:
        """Inverse of `to_dict`."""
        return cls(dataset=Dataset.from_dict(data["dataset"]),
                   tags=tuple(InputTag(str(t["key"]), str(t["value"])) for t in data.get("tags") or []))


@dataclass(frozen=True)
class LoggedModelInput:
    """A logged model a run used (fine-tuned from, evaluated, ...)."""

    model_id: str

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return {"model_id": self.model_id}


@dataclass
class RunInputs:
    """Everything a run used: its dataset inputs and its model inputs."""

    dataset_inputs: list[DatasetInput] = field(default_factory=list)
    model_inputs: list[LoggedModelInput] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return {"dataset_inputs": [i.to_dict() for i in self.dataset_inputs],
                "model_inputs": [i.to_dict() for i in self.model_inputs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RunInputs:
        """Inverse of `to_dict` (None: no inputs)."""
        data = data or {}
        return cls(dataset_inputs=[DatasetInput.from_dict(i) for i in data.get("dataset_inputs") or []],
                   model_inputs=[LoggedModelInput(str(i["model_id"])) for i in data.get("model_inputs") or []])
