"""`TraceInfo`: what is known about a trace as a whole (ids, times, state, tags, metadata)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from tracekit import serialization
from tracekit.constants import REQUEST_PREVIEW_LENGTH, SpanAttributeKey
from tracekit.entities.assessment import Assessment
from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.entities.span import Span, SpanStatusCode
from tracekit.entities.token_usage import read_token_usage


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


# Each state's text, looked up rather than read through the enum's `value` property (a search DataFrame makes one
# info dict per row).
_STATE_VALUES: dict[TraceState | str, str] = {state: state.value for state in TraceState}


@dataclass
class TraceInfo:
    """Metadata of one trace. Times are milliseconds since the epoch (`request_time`) and milliseconds long
    (`execution_duration`, None while in progress). `assessments` holds the trace's `Feedback` and `Expectation`
    objects as stored (oldest first)."""

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
    assessments: list[Assessment] = field(default_factory=list)

    @classmethod
    def from_root_span(
        cls,
        trace_id: str,
        root: Span | None,
        *,
        experiment_id: str,
        state: TraceState | None = None,
        client_request_id: str | None = None,
        trace_metadata: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> TraceInfo:
        """The info of a trace headed by `root` (its root span, or the top span of the part at hand): the request
        time and duration are the root's, in ms; the previews are the start of its inputs and outputs; the state is
        `state` if given, else IN_PROGRESS while the root runs, ERROR if it failed, OK otherwise.

        >>> info = TraceInfo.from_root_span(trace.info.trace_id, trace.data.root_span, experiment_id="0")
        """
        if root is None:
            return cls(trace_id=trace_id, experiment_id=experiment_id, request_time=0, execution_duration=None,
                       state=state or TraceState.OK, client_request_id=client_request_id,
                       trace_metadata=dict(trace_metadata or {}), tags=dict(tags or {}))
        start_ns, end_ns = root.start_time_ns, root.end_time_ns
        if state is None:
            state = _state_of(root)
        return cls(
            trace_id=trace_id,
            experiment_id=experiment_id,
            request_time=start_ns // 1_000_000,
            execution_duration=None if end_ns is None else (end_ns - start_ns) // 1_000_000,
            state=state,
            request_preview=_preview(root.raw_attributes.get(SpanAttributeKey.INPUTS)),
            response_preview=_preview(root.raw_attributes.get(SpanAttributeKey.OUTPUTS)),
            client_request_id=client_request_id,
            trace_metadata=dict(trace_metadata or {}),
            tags=dict(tags or {}),
        )

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

    @property
    def token_usage(self) -> dict[str, int] | None:
        """Tokens the trace's LLM calls used, summed when it completed: {"input_tokens": ..., "output_tokens": ...,
        "total_tokens": ...}, or None when no span recorded any. Read from the trace metadata, so it is there for
        traces searched without their spans.

        >>> tracekit.get_trace(trace_id).info.token_usage
        {'input_tokens': 12, 'output_tokens': 30, 'total_tokens': 42}
        """
        return read_token_usage(self.trace_metadata)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see `info_dict`)."""
        return info_dict(self.trace_id, self.experiment_id, self.request_time, self.execution_duration, self.state,
                         self.request_preview, self.response_preview, self.client_request_id, self.trace_metadata,
                         self.tags, self.assessments)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceInfo:
        """Inverse of `to_dict`."""
        duration = data.get("execution_duration")
        return cls(
            trace_id=data["trace_id"],
            experiment_id=str(data.get("experiment_id", DEFAULT_EXPERIMENT_ID)),
            request_time=int(data["request_time"]),
            execution_duration=None if duration is None else int(duration),
            state=TraceState(data.get("state", "STATE_UNSPECIFIED")),
            request_preview=data.get("request_preview"),
            response_preview=data.get("response_preview"),
            client_request_id=data.get("client_request_id"),
            trace_metadata={str(k): str(v) for k, v in (data.get("trace_metadata") or {}).items()},
            tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
            assessments=[item if isinstance(item, Assessment) else Assessment.from_dict(item)
                         for item in data.get("assessments") or []],
        )


def info_dict(trace_id: str, experiment_id: str, request_time: int, execution_duration: int | None,
              state: TraceState | str, request_preview: str | None, response_preview: str | None,
              client_request_id: str | None, trace_metadata: dict[str, str], tags: dict[str, str],
              assessments: list[Assessment]) -> dict[str, Any]:
    """`TraceInfo.to_dict()` of the info with these fields (`TraceInfo`'s, in its order; `state` may be its text):
    the one definition of that dict, also used to write a stored trace's info without making the `TraceInfo`.
    The tags, metadata and assessments are fresh copies."""
    return {
        "trace_id": trace_id,
        "experiment_id": experiment_id,
        "request_time": request_time,
        "execution_duration": execution_duration,
        "state": _STATE_VALUES.get(state) or TraceState(state).value,
        "request_preview": request_preview,
        "response_preview": response_preview,
        "client_request_id": client_request_id,
        "trace_metadata": dict(trace_metadata),
        "tags": dict(tags),
        "assessments": [assessment.to_dict() for assessment in assessments] if assessments else [],
    }


def _state_of(root: Span) -> TraceState:
    if root.end_time_ns is None:
        return TraceState.IN_PROGRESS
    return TraceState.ERROR if root.status.status_code is SpanStatusCode.ERROR else TraceState.OK


def _preview(raw: Any) -> str | None:
    # Attributes of spans from other SDKs may hold plain values rather than JSON text.
    text = raw if raw is None or isinstance(raw, str) else serialization.dumps(raw)
    return make_preview(text, REQUEST_PREVIEW_LENGTH)
