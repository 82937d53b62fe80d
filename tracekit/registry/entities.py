"""`RegisteredModel` and `ModelVersion`: a named model, and its versions 1, 2, ... each pointing at a model source
(`models:/<model_id>`, `runs:/<run_id>/<path>` or a storage location), with statuses, stages, aliases and tags."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class ModelVersionStatus(str, enum.Enum):
    """Whether a version's files are registered: PENDING_REGISTRATION, then READY or FAILED_REGISTRATION."""

    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    READY = "READY"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"

    def __str__(self) -> str:
        return self.value


class ModelVersionStage:
    """The stages a version can be moved to (`transition_model_version_stage`); new versions are in NONE.
    Aliases (`@champion`) are the newer, more flexible way to mark versions for deployment."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"
    ALL = (NONE, STAGING, PRODUCTION, ARCHIVED)


@dataclass
class ModelVersion:
    """One version of a registered model. `version` counts up from 1 per name and is never reused; times are ms
    since the epoch; `source` is where the model's files are (`models:/<model_id>`, `runs:/<run_id>/<path>`, a
    path); `model_id` and `run_id` link the logged model and run it came from."""

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    source: str
    status: ModelVersionStatus = ModelVersionStatus.READY
    current_stage: str = ModelVersionStage.NONE
    run_id: str | None = None
    model_id: str | None = None
    run_link: str | None = None
    description: str | None = None
    user_id: str | None = None
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)

    @property
    def model_uri(self) -> str:
        """`models:/<name>/<version>`."""
        return f"models:/{self.name}/{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON (status as text)."""
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelVersion:
        """Inverse of `to_dict`."""
        return cls(name=data["name"], version=int(data["version"]),
                   creation_timestamp=int(data["creation_timestamp"]),
                   last_updated_timestamp=int(data["last_updated_timestamp"]), source=data["source"],
                   status=ModelVersionStatus(data.get("status", "READY")),
                   current_stage=data.get("current_stage") or ModelVersionStage.NONE, run_id=data.get("run_id"),
                   model_id=data.get("model_id"), run_link=data.get("run_link"),
                   description=data.get("description"), user_id=data.get("user_id"),
                   status_message=data.get("status_message"),
                   tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
                   aliases=[str(alias) for alias in data.get("aliases") or []])


@dataclass
class RegisteredModel:
    """A registered model: a unique name, its description and tags, `aliases` (alias -> version number) and
    `latest_versions` (the newest version in each stage that has one)."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    latest_versions: list[ModelVersion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        data = asdict(self)
        data["latest_versions"] = [version.to_dict() for version in self.latest_versions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegisteredModel:
        """Inverse of `to_dict`."""
        return cls(name=data["name"], creation_timestamp=int(data["creation_timestamp"]),
                   last_updated_timestamp=int(data["last_updated_timestamp"]), description=data.get("description"),
                   tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
                   aliases={str(k): int(v) for k, v in (data.get("aliases") or {}).items()},
                   latest_versions=[ModelVersion.from_dict(v) for v in data.get("latest_versions") or []])
