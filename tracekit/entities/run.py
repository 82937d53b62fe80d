"""`Run` (info + data), its statuses, and the values logged to it (`Metric`, `Param`, `RunTag`)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from tracekit.entities.lifecycle import LifecycleStage


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
    """One logged point of a metric: value at a step (default 0) and a time (ms since the epoch)."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: str | None = None
    model_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return asdict(self)


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


@dataclass
class RunData:
    """What was logged to a run: params, each metric's latest value (largest step, then latest time), tags."""

    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """A run: `info` (ids, status, times) and `data` (params, latest metrics, tags)."""

    info: RunInfo
    data: RunData = field(default_factory=RunData)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON."""
        return {"info": asdict(self.info), "data": asdict(self.data)}
