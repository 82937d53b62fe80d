"""`LoggedModel`: a model (trained here or living elsewhere) that metrics, params, tags and traces link to."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from tracekit.entities.lifecycle import LifecycleStage
from tracekit.entities.run import Metric

MODEL_ID_PREFIX = "m-"


class LoggedModelStatus(str, enum.Enum):
    """PENDING while a model is being prepared, then READY or FAILED (`finalize_logged_model`)."""

    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value


@dataclass
class LoggedModel:
    """One logged model. `model_id` is `m-` and 32 hex digits; times are ms since the epoch; `metrics` holds the
    latest value of each metric linked to the model (`log_metric(..., model_id=...)`)."""

    model_id: str
    experiment_id: str
    name: str
    status: LoggedModelStatus
    creation_timestamp: int
    last_updated_timestamp: int
    source_run_id: str | None = None
    model_type: str | None = None
    artifact_location: str | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)

    @property
    def model_uri(self) -> str:
        """`models:/<model_id>`."""
        return f"models:/{self.model_id}"

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON (status as text)."""
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoggedModel:
        """Inverse of `to_dict`."""
        return cls(model_id=data["model_id"], experiment_id=str(data["experiment_id"]), name=data["name"],
                   status=LoggedModelStatus(data["status"]), creation_timestamp=int(data["creation_timestamp"]),
                   last_updated_timestamp=int(data["last_updated_timestamp"]),
                   source_run_id=data.get("source_run_id"), model_type=data.get("model_type"),
                   artifact_location=data.get("artifact_location"),
                   lifecycle_stage=data.get("lifecycle_stage", LifecycleStage.ACTIVE),
                   tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
                   params={str(k): str(v) for k, v in (data.get("params") or {}).items()},
                   metrics=[Metric.from_dict(metric) for metric in data.get("metrics") or []])
