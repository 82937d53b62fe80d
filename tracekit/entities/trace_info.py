"""`TraceInfo`: what is known about a trace as a whole (ids, times, state, tags, metadata)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


def make_preview(raw: str | None, limit: int = 1000) -> str | None:
    """The request/response preview of a root span's inputs or outputs JSON: the text itself, or its start with
    "..." when it is longer than `limit` characters."""
    if raw is None:
        return None
    return raw if len(raw) <= limit else raw[: limit - 3] + "..."


class TraceState(str, enum.Enum):
    """State of a whole trace: how its root span ended, or IN_PROGRESS if it was exported before it ended."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    OK = "OK"
    ERROR = "ERROR"
    IN_PROGRESS = "IN_PROGRESS"


@dataclass
class TraceInfo:
    """Metadata of one trace. Times are milliseconds since the epoch (`request_time`) and milliseconds long
    (`execution_duration`, None while in progress)."""

    trace_id: str
    experiment_id: str
    request_time: int
    execution_duration: int | None
    state: TraceState
    request_preview: str | None = None
    response_preview: str | None = None
    client_request_id: str | None = None
    trace_metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    assessments: list[Any] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        """Alias of `trace_id`, for code written against MLflow."""
        return self.trace_id

    @property
    def timestamp_ms(self) -> int:
        """Alias of `request_time`."""
        return self.request_time

    @property
    def execution_time_ms(self) -> int | None:
        """Alias of `execution_duration`."""
        return self.execution_duration

    @property
    def status(self) -> TraceState:
        """Alias of `state`."""
        return self.state

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "trace_id": self.trace_id,
            "experiment_id": self.experiment_id,
            "request_time": self.request_time,
            "execution_duration": self.execution_duration,
            "state": self.state.value,
            "request_preview": self.request_preview,
            "response_preview": self.response_preview,
            "client_request_id": self.client_request_id,
            "trace_metadata": dict(self.trace_metadata),
            "tags": dict(self.tags),
            "assessments": list(self.assessments),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceInfo:
        """Inverse of `to_dict`."""
        duration = data.get("execution_duration")
        return cls(
            trace_id=data["trace_id"],
            experiment_id=str(data.get("experiment_id", "0")),
            request_time=int(data["request_time"]),
            execution_duration=None if duration is None else int(duration),
            state=TraceState(data.get("state", "STATE_UNSPECIFIED")),
            request_preview=data.get("request_preview"),
            response_preview=data.get("response_preview"),
            client_request_id=data.get("client_request_id"),
            trace_metadata={str(k): str(v) for k, v in (data.get("trace_metadata") or {}).items()},
            tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
            assessments=list(data.get("assessments") or []),
        )
