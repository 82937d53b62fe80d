"""`AssessmentClientMethods`: feedback and expectations on stored traces, as `TracekitClient` offers them (the fluent
`tracekit.log_feedback` and friends call these). A trace this process produced is flushed to the store first, so an
assessment can be logged right after the traced call returns."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tracekit.entities.assessment import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    Expectation,
    Feedback,
    new_assessment_id,
)
from tracekit.entities.ids import require_trace_id
from tracekit.exceptions import TracekitException
from tracekit.store.assessment_checks import check_assessment
from tracekit.store.trace_store import TraceStore
from tracekit.tracing.runtime import RUNTIME


def _check_lookup_id(assessment_id: Any) -> str:
    if not isinstance(assessment_id, str) or not assessment_id.strip():
        raise TracekitException.invalid_parameter_value(
            f"assessment_id must be a non-empty string (as log_feedback returned it), got {assessment_id!r}")
    return assessment_id


def _feedback_error(error: Any) -> AssessmentError | None:
    if error is None or isinstance(error, AssessmentError):
        return error
    if isinstance(error, BaseException):
        return AssessmentError.from_exception(error)
    raise TracekitException.invalid_parameter_value(
        f"error must be an exception or an AssessmentError, got {type(error).__name__}")


def _require_finished(trace_id: str) -> str:
    """`trace_id`, unless it names a trace still running in this process (which cannot be judged yet)."""
    if RUNTIME.buffer.get(require_trace_id(trace_id)) is not None:
        raise TracekitException.invalid_state(
            f"Trace {trace_id} is still running: log feedback or expectations on it after its root span ends.")
    return trace_id


def _settled(trace_id: str) -> str:
    """`trace_id` once what this process has completed is in the store; a trace still running cannot be judged."""
    _require_finished(trace_id)
    RUNTIME.queue.flush()
    return trace_id


class AssessmentClientMethods:
    """Log, read, update and delete assessments (`Feedback`, `Expectation`) of stored traces."""

    @property
    def store(self) -> TraceStore:
        """The trace store the assessments go to (`TracekitClient` provides it)."""
        raise NotImplementedError

    def log_assessment(self, trace_id: str, assessment: Assessment) -> Assessment:
        """Attach `assessment` to the stored trace `trace_id` and return the stored copy (with its `assessment_id`
        and `trace_id`). ResourceNotFoundError if no such trace is stored."""
        if not isinstance(assessment, Assessment):
            raise TracekitException.invalid_parameter_value(
                f"assessment must be a Feedback or an Expectation, got {type(assessment).__name__}")
        stored = replace(assessment, trace_id=_settled(trace_id),
                         assessment_id=assessment.assessment_id or new_assessment_id())
        check_assessment(stored)
        self.store.log_assessment(stored)
        return stored

    def log_assessments(self, assessments: Sequence[Assessment]) -> list[Assessment]:
        """Attach many assessments, each to the stored trace its `trace_id` names, in one write where the store
        can (a scorer's results over a whole search, say). Returns the stored copies, in order; nothing is stored
        if one is refused. ResourceNotFoundError naming a trace that is not stored."""
        prepared = []
        for index, assessment in enumerate(assessments):
            if not isinstance(assessment, Assessment):
                raise TracekitException.invalid_parameter_value(
                    f"assessments[{index}] must be a Feedback or an Expectation, got {type(assessment).__name__}")
            if assessment.trace_id is None:
                raise TracekitException.invalid_parameter_value(
                    f"assessments[{index}] ({assessment.name!r}) has no trace_id: say which trace it judges")
            prepared.append(replace(assessment, assessment_id=assessment.assessment_id or new_assessment_id()))
        for trace_id in {str(assessment.trace_id) for assessment in prepared}:
            _require_finished(trace_id)
        for assessment in prepared:
            check_assessment(assessment)
        RUNTIME.queue.flush()
        self.store.log_assessments(prepared)
        return prepared

    def log_feedback(self, trace_id: str, name: str, value: Any = None, source: AssessmentSource | None = None,
                     rationale: str | None = None, metadata: Mapping[str, Any] | None = None,
                     span_id: str | None = None, error: BaseException | AssessmentError | None = None) -> Feedback:
        """Judge the trace (or one of its spans): `value` is a bool, number, string, list or dict; `error` says why
        there is none (an exception or an `AssessmentError`). Returns the stored `Feedback`."""
        if value is None and error is None:
            raise TracekitException.invalid_parameter_value(
                f"log_feedback {name!r}: give a value, or an error saying why there is none")
        if rationale is not None and not isinstance(rationale, str):
            raise TracekitException.invalid_parameter_value(
                f"log_feedback {name!r}: rationale must be a string, got {type(rationale).__name__}")
        feedback = Feedback(name=name, value=value, source=source or AssessmentSource(), rationale=rationale,
                            metadata=dict(metadata) if isinstance(metadata, Mapping) else metadata,  # type: ignore[arg-type]
                            span_id=span_id, error=_feedback_error(error))
        return self.log_assessment(trace_id, feedback)  # type: ignore[return-value]

    def log_expectation(self, trace_id: str, name: str, value: Any, source: AssessmentSource | None = None,
                        metadata: Mapping[str, Any] | None = None, span_id: str | None = None) -> Expectation:
        """Record the expected answer (ground truth) for the trace or one of its spans. Returns the stored
        `Expectation`."""
        if value is None:
            raise TracekitException.invalid_parameter_value(f"log_expectation {name!r}: value must not be None")
        expectation = Expectation(name=name, value=value, source=source or AssessmentSource(),
                                  metadata=dict(metadata) if isinstance(metadata, Mapping) else metadata,  # type: ignore[arg-type]
                                  span_id=span_id)
        return self.log_assessment(trace_id, expectation)  # type: ignore[return-value]

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """The stored `Feedback` or `Expectation`; ResourceNotFoundError naming the trace or assessment if missing."""
        return self.store.get_assessment(_settled(trace_id), _check_lookup_id(assessment_id))

    def update_assessment(self, trace_id: str, assessment_id: str, assessment: Assessment) -> Assessment:
        """Change a stored assessment to `assessment`'s name, value, rationale and error (feedback), adding its
        metadata to the stored entries; its source, span and creation time stay. Returns the updated copy, whose
        `last_update_time_ms` is now."""
        if not isinstance(assessment, Assessment):
            raise TracekitException.invalid_parameter_value(
                f"assessment must be a Feedback or an Expectation, got {type(assessment).__name__}")
        stored = self.get_assessment(trace_id, assessment_id)
        if type(stored) is not type(assessment):
            raise TracekitException.invalid_parameter_value(
                f"Assessment {assessment_id!r} is a {stored.kind}; update it with a {type(stored).__name__}, not a "
                f"{type(assessment).__name__}.")
        changes: dict[str, Any] = {
            "name": assessment.name, "value": assessment.value,
            "metadata": {**stored.metadata, **assessment.metadata},
            "last_update_time_ms": max(int(time.time() * 1000), stored.create_time_ms)}
        if isinstance(assessment, Feedback):
            changes.update(rationale=assessment.rationale, error=assessment.error)
        updated = replace(stored, **changes)
        check_assessment(updated)
        self.store.update_assessment(updated)
        return updated

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete a stored assessment; ResourceNotFoundError naming the trace or assessment if missing."""
        self.store.delete_assessment(_settled(trace_id), _check_lookup_id(assessment_id))
