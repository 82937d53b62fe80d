"""Bodies of the assessment endpoints: one `Feedback` or `Expectation` in the JSON form of `Assessment.to_dict()`.
Shapes and sizes are checked here (422 naming the field); what needs the whole assessment (the value's JSON size, a
NaN) by the store's checks (400 naming the field)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tracekit.entities.assessment import Assessment, AssessmentError, AssessmentSource, Expectation, Feedback
from tracekit.entities.ids import SPAN_ID_PATTERN, TRACE_ID_PATTERN
from tracekit.server.schemas.common_bodies import Key, NonNegativeInt64, StrictModel, TagValue
from tracekit.store.assessment_checks import (
    ASSESSMENT_ID_PATTERN,
    MAX_ERROR_CHARS,
    MAX_METADATA_ENTRIES,
    MAX_RATIONALE_CHARS,
)

SourceTypeName = Literal["HUMAN", "LLM_JUDGE", "CODE", "SOURCE_TYPE_UNSPECIFIED"]


class AssessmentSourceModel(StrictModel):
    """Who made the assessment: a person (`HUMAN`), an LLM judge or code, and an id within that kind."""

    source_type: SourceTypeName = "CODE"
    source_id: Key = "default"


class AssessmentErrorModel(StrictModel):
    """Why a feedback has no value."""

    error_code: str = Field(min_length=1, max_length=1000)
    error_message: str | None = Field(None, max_length=MAX_ERROR_CHARS)
    stack_trace: str | None = Field(None, max_length=MAX_ERROR_CHARS)


class AssessmentModel(StrictModel):
    """A feedback (`kind` "feedback": a judgement, with a rationale or an error) or an expectation (`kind`
    "expectation": the expected answer) on a trace or one of its spans. `value` is any JSON; times in ms."""

    kind: Literal["feedback", "expectation"]
    name: Key
    value: Any = None
    assessment_id: str | None = Field(None, pattern=ASSESSMENT_ID_PATTERN,
                                      description="Given by the client so that a retried request stores it once")
    trace_id: str | None = Field(None, pattern=TRACE_ID_PATTERN,
                                 description="The trace, in a batch; elsewhere the path names it")
    span_id: str | None = Field(None, pattern=SPAN_ID_PATTERN)
    source: AssessmentSourceModel = Field(default_factory=AssessmentSourceModel)
    metadata: dict[Key, TagValue] = Field(default_factory=dict, max_length=MAX_METADATA_ENTRIES)
    create_time_ms: NonNegativeInt64 | None = None
    last_update_time_ms: NonNegativeInt64 | None = None
    rationale: str | None = Field(None, max_length=MAX_RATIONALE_CHARS)
    error: AssessmentErrorModel | None = None

    def to_entity(self, trace_id: str | None = None) -> Assessment:
        """The `Feedback` or `Expectation`, on `trace_id` when given."""
        common: dict[str, Any] = dict(
            name=self.name, value=self.value, assessment_id=self.assessment_id,
            trace_id=trace_id or self.trace_id, span_id=self.span_id,
            source=AssessmentSource(self.source.source_type, self.source.source_id), metadata=dict(self.metadata),
            last_update_time_ms=self.last_update_time_ms)
        if self.create_time_ms is not None:
            common["create_time_ms"] = self.create_time_ms
        if self.kind == Expectation.kind:
            return Expectation(**common)
        error = self.error
        return Feedback(**common, rationale=self.rationale,
                        error=None if error is None else AssessmentError(error.error_code, error.error_message,
                                                                         error.stack_trace))


MAX_ASSESSMENTS_PER_BATCH = 1000


class LogAssessmentsRequest(StrictModel):
    """Many assessments, each naming its trace in `trace_id`, stored in one transaction (all or none)."""

    assessments: list[AssessmentModel] = Field(min_length=1, max_length=MAX_ASSESSMENTS_PER_BATCH)


class LogAssessmentsResponse(StrictModel):
    """The stored assessments, in the order sent (with their ids)."""

    assessments: list[AssessmentModel]
