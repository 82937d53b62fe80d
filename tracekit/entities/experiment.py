"""`Experiment`: a named group of runs, logged models and traces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tracekit.entities.lifecycle import LifecycleStage

#: The experiment every store creates and never deletes; traces and runs go there when no other one is chosen.
DEFAULT_EXPERIMENT_ID = "0"


@dataclass
class Experiment:
    """One experiment. Times are milliseconds since the epoch; a deleted experiment keeps its data and name."""

    experiment_id: str
    name: str
    artifact_location: str | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: dict[str, str] = field(default_factory=dict)
    creation_time: int | None = None
    last_update_time: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        """Inverse of `to_dict`."""
        return cls(experiment_id=str(data["experiment_id"]), name=data["name"],
                   artifact_location=data.get("artifact_location"),
                   lifecycle_stage=data.get("lifecycle_stage", LifecycleStage.ACTIVE),
                   tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
                   creation_time=data.get("creation_time"), last_update_time=data.get("last_update_time"))
