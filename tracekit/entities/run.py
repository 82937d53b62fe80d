"""`Run` (info + data), its statuses, and the values logged to it (`Metric`, `Param`, `RunTag`)."""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from tracekit.entities.lifecycle import LifecycleStage
from tracekit.entities.run_inputs import RunInputs


class RunStatus(str, enum.Enum):
    """Status of a run: RUNNING until it ends as FINISHED, FAILED or KILLED (SCHEDULED: created, not started)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    def __str__(self) -> str:
        return self.value

    @property
    def is_terminated(self) -> bool:
        """Whether the run has ended."""
        return self in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)


@dataclass(frozen=True)
class Metric:
    """One logged point of a metric: value at a step (default 0) and a time (ms since the epoch); `model_id`,
    `dataset_name` and `dataset_digest` say which logged model and which dataset it measured, if any."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: str | None = None
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON (a NaN value goes out as null through tracekit's JSON encoder)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metric:
        """Inverse of `to_dict`; a null value is NaN."""
        return cls(key=data["key"], value=metric_value_from_json(data.get("value")), timestamp=int(data["timestamp"]),
                   step=int(data.get("step") or 0), run_id=data.get("run_id"), model_id=data.get("model_id"),
                   dataset_name=data.get("dataset_name"), dataset_digest=data.get("dataset_digest"))


def metric_value_from_json(value: Any) -> float:
    """A metric value read from JSON, where NaN travels as null (JSON has no NaN)."""
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class Param:
    """A parameter of a run or logged model: set once, never changed."""

    key: str
    value: str


@dataclass(frozen=True)
class RunTag:
    """A tag of a run: a key and a string value that may be changed or deleted."""

    key: str
    value: str


@dataclass
class RunInfo:
    """What a run is: ids, name, status (a `RunStatus` value as text), times in ms since the epoch."""

    run_id: str
    experiment_id: str
    run_name: str | None
    status: str
    start_time: int
    end_time: int | None = None
    user_id: str | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE
    artifact_uri: str | None = None

    @property
    def run_uuid(self) -> str:
        """Alias of `run_id`, for code written against MLflow."""
        return self.run_id

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInfo:
        """Inverse of `to_dict`."""
        end_time = data.get("end_time")
        return cls(run_id=data["run_id"], experiment_id=str(data["experiment_id"]), run_name=data.get("run_name"),
                   status=data["status"], start_time=int(data["start_time"]),
                   end_time=None if end_time is None else int(end_time), user_id=data.get("user_id"),
                   lifecycle_stage=data.get("lifecycle_stage", LifecycleStage.ACTIVE),
                   artifact_uri=data.get("artifact_uri"))


@dataclass
class RunData:
    """What was logged to a run: params, each metric's latest value (largest step, then latest time), tags."""

    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON (NaN metric values go out as null)."""
        return {"metrics": dict(self.metrics), "params": dict(self.params), "tags": dict(self.tags)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunData:
        """Inverse of `to_dict`; a null metric value is NaN."""
        return cls(metrics={str(k): metric_value_from_json(v) for k, v in (data.get("metrics") or {}).items()},
                   params={str(k): str(v) for k, v in (data.get("params") or {}).items()},
                   tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()})


@dataclass
class Run:
    """A run: `info` (ids, status, times), `data` (params, latest metrics, tags) and `inputs` (the datasets and
    models it used)."""

    info: RunInfo
    data: RunData = field(default_factory=RunData)
    inputs: RunInputs = field(default_factory=RunInputs)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON: `{"info": {...}, "data": {"metrics", "params", "tags"}, "inputs":
        {"dataset_inputs", "model_inputs"}}`."""
        return {"info": self.info.to_dict(), "data": self.data.to_dict(), "inputs": self.inputs.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        """Inverse of `to_dict`."""
        return cls(info=RunInfo.from_dict(data["info"]), data=RunData.from_dict(data.get("data") or {}),
                   inputs=RunInputs.from_dict(data.get("inputs")))
