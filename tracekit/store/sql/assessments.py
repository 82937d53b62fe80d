"""Assessment rows of the SQL trace store: turning `Feedback`/`Expectation` into rows of the `assessments` table and
back, and the statements `SqlTraceStore` runs inside its transactions. Reads for many traces are one `IN (...)` query
per chunk of trace ids, never one per trace."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from tracekit.entities import Trace
from tracekit.entities.assessment import (
    Assessment,
    AssessmentError,
    Expectation,
    Feedback,
    restore_assessment,
)
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.store.assessment_checks import check_assessment, value_json, value_number
from tracekit.store.sql.rows_by_id import rows_by_id
from tracekit.store.sql.schema import assessments

logger = logging.getLogger(__name__)

_COLUMN_NAMES = ("assessment_id", "trace_id", "kind", "name", "span_id", "source_type", "source_id", "value",
                 "rationale", "error", "metadata", "create_time_ms", "last_update_time_ms")
_COLUMNS = [assessments.c[name] for name in _COLUMN_NAMES]


def _mutable_fields(assessment: Assessment) -> dict[str, Any]:
    """The columns `update_assessment` may change (source, span, kind and creation time stay)."""
    rationale = error = None
    if isinstance(assessment, Feedback):
        rationale = assessment.rationale
        error = None if assessment.error is None else json.dumps(assessment.error.to_dict(), ensure_ascii=False)
    return {
        "name": assessment.name,
        "value": value_json(assessment.value),
        "value_number": value_number(assessment.value),
        "rationale": rationale,
        "error": error,
        "metadata": json.dumps(assessment.metadata, ensure_ascii=False, sort_keys=True) if assessment.metadata
        else None,
        "last_update_time_ms": int(assessment.last_update_time_ms or assessment.create_time_ms),
    }


def assessment_row(assessment: Assessment) -> dict[str, Any]:
    """The `assessments` row of a logged assessment (its trace id and assessment id set)."""
    return {
        "assessment_id": assessment.assessment_id,
        "trace_id": assessment.trace_id,
        "kind": assessment.kind,
        "span_id": assessment.span_id,
        "source_type": assessment.source.source_type,
        "source_id": assessment.source.source_id,
        "create_time_ms": int(assessment.create_time_ms),
        **_mutable_fields(assessment),
    }


def carried_rows(traces: Sequence[Trace]) -> list[dict[str, Any]]:
    """Rows of the assessments written traces carry (a trace copied from another store, say), each on the trace
    that carries it. Those without an id or that do not fit are skipped with a warning rather than failing the
    batch: the spans matter more."""
    rows = []
    for trace in traces:
        for assessment in trace.info.assessments:
            try:
                if not assessment.assessment_id:
                    raise TracekitException.invalid_parameter_value("it has no assessment_id")
                carried = dataclasses.replace(assessment, trace_id=trace.info.trace_id)
                check_assessment(carried)
            except (TracekitException, TypeError, ValueError) as error:
                logger.warning("Trace %s: assessment %r not stored: %s", trace.info.trace_id,
                               getattr(assessment, "name", None), error)
                continue
            rows.append(assessment_row(carried))
    return rows


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # integers past 64 bits, which orjson does not read
        return json.loads(text)


def assessment_from_row(row: Sequence[Any]) -> Assessment:
    """The `Feedback` or `Expectation` of a row selected with `_COLUMNS` (checked when it was stored)."""
    (assessment_id, trace_id, kind, name, span_id, source_type, source_id, value, rationale, error, metadata,
     create_time_ms, last_update_time_ms) = row
    fields: dict[str, Any] = dict(
        name=name, trace_id=trace_id, span_id=span_id, metadata=_loads(metadata) if metadata else {},
        assessment_id=assessment_id, create_time_ms=int(create_time_ms),
        last_update_time_ms=int(last_update_time_ms), value=None if value is None else _loads(value))
    if kind != Expectation.kind:
        fields.update(rationale=rationale, error=AssessmentError.from_dict(_loads(error)) if error else None)
    return restore_assessment(kind, source_type, source_id, **fields)


def get(connection: Connection, trace_id: str, assessment_id: str) -> Assessment:
    """The assessment with that id on that trace, or ResourceNotFoundError naming both."""
    row = connection.execute(select(*_COLUMNS).where(assessments.c.assessment_id == assessment_id,
                                                     assessments.c.trace_id == trace_id)).first()
    if row is None:
        raise ResourceNotFoundError(f"Assessment {assessment_id!r} not found on trace {trace_id!r}.")
    return assessment_from_row(row)


def replace(connection: Connection, assessment: Assessment) -> None:
    """Overwrite the mutable fields (value, rationale, error, metadata, update time) of a stored assessment."""
    stored = get(connection, str(assessment.trace_id), str(assessment.assessment_id))
    if stored.kind != assessment.kind:
        raise TracekitException.invalid_parameter_value(
            f"Assessment {assessment.assessment_id!r} is a {stored.kind}; it cannot be updated with a "
            f"{assessment.kind}.")
    connection.execute(update(assessments).where(assessments.c.assessment_id == assessment.assessment_id)
                       .values(**_mutable_fields(assessment)))


def remove(connection: Connection, trace_id: str, assessment_id: str) -> None:
    """Delete one assessment, or ResourceNotFoundError naming it."""
    deleted = connection.execute(delete(assessments).where(assessments.c.assessment_id == assessment_id,
                                                           assessments.c.trace_id == trace_id)).rowcount
    if not deleted:
        raise ResourceNotFoundError(f"Assessment {assessment_id!r} not found on trace {trace_id!r}.")


def for_traces(connection: Connection, trace_ids: Sequence[str]) -> dict[str, list[Assessment]]:
    """Trace id -> its assessments, oldest first, read a chunk of trace ids per query."""
    found: dict[str, list[Assessment]] = defaultdict(list)
    for row in rows_by_id(connection, assessments, _COLUMN_NAMES, "trace_id", list(trace_ids),
                          order_by=("create_time_ms", "assessment_id")):
        found[row[1]].append(assessment_from_row(row))
    return found
