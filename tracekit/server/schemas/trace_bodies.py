"""Bodies of the trace endpoints. A trace travels as `Trace.to_dict()`: `{"info": {...}, "data": {"spans": [...]}}`,
span attribute values as tracekit stores them (JSON text for what tracekit sets)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from tracekit.entities import Span, SpanEvent, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.ids import SPAN_ID_PATTERN, TRACE_ID_PATTERN
from tracekit.server.schemas.assessment_bodies import AssessmentModel
from tracekit.server.schemas.common_bodies import IDS_LIMIT_TEXT, NonNegativeInt64, PageSize, StrictModel
from tracekit.store.sql import schema

TraceStateName = Literal["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"]
MAX_ASSESSMENTS_PER_TRACE = 10_000
ExperimentId = Field(min_length=1, max_length=schema.EXPERIMENT_ID_LENGTH, pattern=r"^[^\x00]+$")


class SpanStatusModel(StrictModel):
    """A span's status."""

    code: Literal["UNSET", "OK", "ERROR"] = "UNSET"
    message: str = ""


class SpanEventModel(StrictModel):
    """Something that happened during a span (an exception, say)."""

    name: str
    timestamp_ns: NonNegativeInt64
    attributes: dict[str, Any] = Field(default_factory=dict)


class SpanModel(StrictModel):
    """One span; times in nanoseconds since the epoch."""

    trace_id: str = Field(pattern=TRACE_ID_PATTERN)
    span_id: str = Field(pattern=SPAN_ID_PATTERN)
    parent_id: str | None = Field(None, pattern=SPAN_ID_PATTERN)
    name: str
    start_time_ns: NonNegativeInt64
    end_time_ns: NonNegativeInt64 | None = None
    status: SpanStatusModel = Field(default_factory=SpanStatusModel)
    attributes: dict[str, Any] = Field(default_factory=dict)
    events: list[SpanEventModel] = Field(default_factory=list)

    def to_entity(self) -> Span:
        """The `Span` entity."""
        return Span(trace_id=self.trace_id, span_id=self.span_id, parent_id=self.parent_id, name=self.name,
                    start_time_ns=self.start_time_ns, end_time_ns=self.end_time_ns,
                    status=SpanStatus(SpanStatusCode(self.status.code), self.status.message),
                    raw_attributes=self.attributes,
                    events=[SpanEvent(e.name, e.timestamp_ns, e.attributes) for e in self.events])


class TraceInfoModel(StrictModel):
    """What is known about a trace as a whole; `request_time` in ms since the epoch, `execution_duration` in ms."""

    trace_id: str = Field(pattern=TRACE_ID_PATTERN)
    experiment_id: str = ExperimentId
    request_time: NonNegativeInt64
    execution_duration: NonNegativeInt64 | None = None
    state: TraceStateName = "STATE_UNSPECIFIED"
    request_preview: str | None = None
    response_preview: str | None = None
    client_request_id: str | None = None
    trace_metadata: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    assessments: list[AssessmentModel] = Field(default_factory=list, max_length=MAX_ASSESSMENTS_PER_TRACE,
                                               description="Read back with the trace; not stored by an upload "
                                                           "(log them with the assessment endpoints)")


class TraceDataModel(StrictModel):
    """The spans of a trace."""

    spans: list[SpanModel] = Field(default_factory=list)


class TraceModel(StrictModel):
    """One trace: `info` and `data.spans`."""

    model_config = ConfigDict(strict=True,
                              json_schema_extra={"description": "The JSON form of tracekit's Trace entity."})

    info: TraceInfoModel
    data: TraceDataModel = Field(default_factory=TraceDataModel)

    @model_validator(mode="after")
    def _spans_belong_to_the_trace(self) -> TraceModel:
        for index, span in enumerate(self.data.spans):
            if span.trace_id != self.info.trace_id:
                raise ValueError(f"data.spans.{index}.trace_id is {span.trace_id!r} but info.trace_id is "
                                 f"{self.info.trace_id!r}: every span must belong to its trace")
        return self

    def to_entity(self) -> Trace:
        """The `Trace` entity."""
        info = self.info
        return Trace(
            info=TraceInfo(trace_id=info.trace_id, experiment_id=info.experiment_id, request_time=info.request_time,
                           execution_duration=info.execution_duration, state=TraceState(info.state),
                           request_preview=info.request_preview, response_preview=info.response_preview,
                           client_request_id=info.client_request_id, trace_metadata=info.trace_metadata,
                           tags=info.tags,
                           assessments=[item.to_entity(info.trace_id) for item in info.assessments]),
            data=TraceData(spans=[span.to_entity() for span in self.data.spans]))


class UploadTracesRequest(StrictModel):
    """Completed traces to store; a trace id already stored is replaced, so sending a batch twice is harmless."""

    traces: list[TraceModel]


class UploadTracesResponse(StrictModel):
    """How many traces were stored."""

    traces_written: int


class SearchTracesRequest(StrictModel):
    """A search, as `tracekit.search_traces` takes it. `experiment_ids` empty: every experiment."""

    experiment_ids: list[str] = Field(default_factory=list, description=IDS_LIMIT_TEXT)
    filter_string: str | None = Field(None, description="e.g. `tags.env = 'prod' AND execution_time_ms > 500`")
    max_results: PageSize = 100
    order_by: list[str] | None = Field(None, description="e.g. `[\"timestamp_ms DESC\"]`")
    page_token: str | None = Field(None, description="`next_page_token` of the previous page of the same search")
    run_id: str | None = None
    model_id: str | None = None
    include_spans: bool = True


class SearchTracesResponse(StrictModel):
    """One page of traces, newest first unless `order_by` said otherwise."""

    traces: list[TraceModel]
    next_page_token: str | None = None
    root_span_names: dict[str, str] | None = Field(
        None, description="Only when searched without spans: trace id -> name of its root span.")


class SetTraceTagRequest(StrictModel):
    """One tag to add or replace."""

    key: str = Field(min_length=1, max_length=schema.KEY_LENGTH)
    value: str = Field(max_length=schema.TAG_VALUE_LENGTH)


class DeleteTracesRequest(StrictModel):
    """Which traces of one experiment to delete: older than a time, the oldest N, or by id (together: all must
    hold)."""

    experiment_id: str = ExperimentId
    max_timestamp_millis: NonNegativeInt64 | None = None
    max_traces: int | None = Field(None, ge=1, le=2**31 - 1)
    trace_ids: list[str] | None = Field(None, description=IDS_LIMIT_TEXT)


class DeleteTracesResponse(StrictModel):
    """How many traces were deleted."""

    traces_deleted: int


class CountTracesResponse(StrictModel):
    """How many traces match, counted in the database."""

    count: int
