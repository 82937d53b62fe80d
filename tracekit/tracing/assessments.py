"""Feedback and expectations on traces from the fluent API (`tracekit.log_feedback`, ...), as MLflow 3 names them;
each is `TracekitClient`'s method of the same name on the current tracking URI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.client import TracekitClient
from tracekit.entities.assessment import Assessment, AssessmentError, AssessmentSource, Expectation, Feedback


def log_assessment(trace_id: str, assessment: Assessment) -> Assessment:
    """Attach a `Feedback` or `Expectation` built beforehand to a stored trace; returns the stored copy (with its
    `assessment_id`).

    >>> tracekit.log_assessment(trace_id, tracekit.Feedback(name="relevance", value=0.8, rationale="mostly"))
    """
    return TracekitClient().log_assessment(trace_id, assessment)


def log_feedback(trace_id: str, name: str, value: Any = None, source: AssessmentSource | None = None,
                 rationale: str | None = None, metadata: Mapping[str, Any] | None = None,
                 span_id: str | None = None, error: BaseException | AssessmentError | None = None) -> Feedback:
    """Judge a stored trace (or one of its spans) and return the stored `Feedback`. A trace this process just
    produced is flushed first, so this works right after the traced call.

    >>> answer = my_traced_app("What is the capital of France?")
    >>> tracekit.log_feedback(tracekit.get_last_active_trace_id(), "correct", True,
    ...                       source=tracekit.AssessmentSource("HUMAN", "alice"), rationale="Paris is right")
    """
    return TracekitClient().log_feedback(trace_id, name, value=value, source=source, rationale=rationale,
                                         metadata=metadata, span_id=span_id, error=error)


def log_expectation(trace_id: str, name: str, value: Any, source: AssessmentSource | None = None,
                    metadata: Mapping[str, Any] | None = None, span_id: str | None = None) -> Expectation:
    """Record the expected answer (ground truth) for a stored trace or one of its spans; returns the stored
    `Expectation`.

    >>> tracekit.log_expectation(trace_id, "expected_answer", "Paris")
    """
    return TracekitClient().log_expectation(trace_id, name, value, source=source, metadata=metadata,
                                            span_id=span_id)


def get_assessment(trace_id: str, assessment_id: str) -> Assessment:
    """The stored `Feedback` or `Expectation` (ResourceNotFoundError naming the trace or assessment if missing)."""
    return TracekitClient().get_assessment(trace_id, assessment_id)


def update_assessment(trace_id: str, assessment_id: str, assessment: Assessment) -> Assessment:
    """Change a stored assessment's name, value, rationale and error to `assessment`'s, adding its metadata; returns
    the updated copy (`last_update_time_ms` now).

    >>> tracekit.update_assessment(trace_id, feedback.assessment_id,
    ...                            tracekit.Feedback(name="correct", value=False, rationale="it was Lyon"))
    """
    return TracekitClient().update_assessment(trace_id, assessment_id, assessment)


def delete_assessment(trace_id: str, assessment_id: str) -> None:
    """Delete a stored assessment (ResourceNotFoundError naming the trace or assessment if missing)."""
    TracekitClient().delete_assessment(trace_id, assessment_id)
