"""Feedback and expectations on traces, under /api/v1/traces/{trace_id}/assessments: log, get, update, delete; and
many at once at /api/v1/traces/assessments/batch (what `tracekit.log_feedback` and friends call on a tracking
server). Bodies are checked for shape (422) and then by the store's own checks (400 naming the field)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from tracekit.entities.assessment import new_assessment_id
from tracekit.exceptions import TracekitException
from tracekit.server.dependencies import JSONBytesResponse, get_trace_store
from tracekit.server.schemas.assessment_bodies import (
    AssessmentModel,
    LogAssessmentsRequest,
    LogAssessmentsResponse,
)
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses
from tracekit.server.schemas.trace_bodies import TRACE_ID_PATTERN
from tracekit.store.trace_store import TraceStore

router = APIRouter(prefix="/traces/{trace_id}/assessments", tags=["assessments"], responses=ERROR_RESPONSES)
batch_router = APIRouter(prefix="/traces/assessments", tags=["assessments"], responses=ERROR_RESPONSES)

Store = Depends(get_trace_store)
TraceIdPath = Path(description="`tr-` followed by 32 hex digits", pattern=TRACE_ID_PATTERN)
AssessmentIdPath = Path(description="The id the assessment was logged under", min_length=1, max_length=64)
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No such trace, or no such assessment on it."}}


@router.post("", response_model=AssessmentModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
             summary="Log a feedback or an expectation")
def log_assessment(request: AssessmentModel, trace_id: str = TraceIdPath, store: TraceStore = Store
                   ) -> JSONBytesResponse:
    """Attach the assessment to the stored trace and answer the stored copy (with its `assessment_id`)."""
    assessment = request.to_entity(trace_id)
    assessment.assessment_id = assessment.assessment_id or new_assessment_id()
    store.log_assessment(assessment)
    return JSONBytesResponse(assessment.to_dict())


@router.get("/{assessment_id}", response_model=AssessmentModel, response_class=JSONBytesResponse,
            responses=NOT_FOUND, summary="Get one assessment")
def get_assessment(trace_id: str = TraceIdPath, assessment_id: str = AssessmentIdPath, store: TraceStore = Store
                   ) -> JSONBytesResponse:
    """The stored feedback or expectation."""
    return JSONBytesResponse(store.get_assessment(trace_id, assessment_id).to_dict())


@router.patch("/{assessment_id}", response_model=AssessmentModel, response_class=JSONBytesResponse,
              responses=NOT_FOUND, summary="Update one assessment")
def update_assessment(request: AssessmentModel, trace_id: str = TraceIdPath,
                      assessment_id: str = AssessmentIdPath, store: TraceStore = Store) -> JSONBytesResponse:
    """Replace the name, value, rationale, error, metadata and update time of a stored assessment with the body's
    (its kind must match; source, span and creation time stay). Answers the stored copy."""
    assessment = request.to_entity(trace_id)
    assessment.assessment_id = assessment_id
    store.update_assessment(assessment)
    return JSONBytesResponse(store.get_assessment(trace_id, assessment_id).to_dict())


@router.delete("/{assessment_id}", status_code=204, responses=NOT_FOUND, summary="Delete one assessment")
def delete_assessment(trace_id: str = TraceIdPath, assessment_id: str = AssessmentIdPath,
                      store: TraceStore = Store) -> None:
    """Delete a stored assessment (404 if the trace or the assessment does not exist)."""
    store.delete_assessment(trace_id, assessment_id)


@batch_router.post("/batch", response_model=LogAssessmentsResponse, response_class=JSONBytesResponse,
                   responses=NOT_FOUND, summary="Log many feedbacks and expectations")
def log_assessments(request: LogAssessmentsRequest, store: TraceStore = Store) -> JSONBytesResponse:
    """Store every assessment on the trace its `trace_id` names, in one transaction: all of them, or none (404
    naming a trace that is not stored). Ids given by the client make a retried batch store each once."""
    assessments = []
    for index, item in enumerate(request.assessments):
        if item.trace_id is None:
            raise TracekitException.invalid_parameter_value(f"assessments.{index}.trace_id is required in a batch")
        assessment = item.to_entity()
        assessment.assessment_id = assessment.assessment_id or new_assessment_id()
        assessments.append(assessment)
    store.log_assessments(assessments)
    return JSONBytesResponse({"assessments": [assessment.to_dict() for assessment in assessments]})
