"""Limits of a stored assessment, checked the same way by the client (before anything is sent) and by the stores (for
what a tracking server receives): each names the field that was wrong. No SQLAlchemy import, so checking stays cheap.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tracekit.entities.assessment import ASSESSMENT_ID_PREFIX, Assessment, Feedback
from tracekit.entities.ids import SPAN_ID_PATTERN
from tracekit.exceptions import TracekitException
from tracekit.store.column_limits import KEY_LENGTH, TAG_VALUE_LENGTH

#: Longest value (as JSON text), rationale and error text one assessment may hold.
MAX_VALUE_CHARS = 100_000
MAX_RATIONALE_CHARS = 100_000
MAX_ERROR_CHARS = 100_000
MAX_METADATA_ENTRIES = 100
ASSESSMENT_ID_PATTERN = f"^{ASSESSMENT_ID_PREFIX}[0-9a-f]{{32}}$"

_ASSESSMENT_ID = re.compile(ASSESSMENT_ID_PATTERN)
_SPAN_ID = re.compile(SPAN_ID_PATTERN)


def value_json(value: Any) -> str | None:
    """The canonical JSON text of an assessment value (None for no value): what the store keeps and what a filter
    such as `feedback.correct = 'yes'` compares against, so both must be written by this one function."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def value_number(value: Any) -> float | None:
    """A numeric value as a float (for `<`, `>` filters), None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fail(assessment: Assessment, what: str) -> TracekitException:
    return TracekitException.invalid_parameter_value(f"{type(assessment).__name__} {assessment.name!r}: {what}")


def check_assessment_id(assessment_id: Any) -> str:
    """`assessment_id` if it has the form tracekit gives (`a-` and 32 hex digits), else TracekitException."""
    if not isinstance(assessment_id, str) or not _ASSESSMENT_ID.match(assessment_id):
        raise TracekitException.invalid_parameter_value(
            f"assessment_id must be 'a-' followed by 32 lowercase hex digits, got {str(assessment_id)[:100]!r}")
    return assessment_id


def check_assessment(assessment: Assessment) -> None:
    """Raise TracekitException naming the field of `assessment` that a store cannot keep."""
    if len(assessment.name) > KEY_LENGTH:
        raise _fail(assessment, f"name must be at most {KEY_LENGTH} characters, got {len(assessment.name)}")
    if len(assessment.source.source_id) > KEY_LENGTH:
        raise _fail(assessment, f"source.source_id must be at most {KEY_LENGTH} characters, got "
                                f"{len(assessment.source.source_id)}")
    if assessment.span_id is not None and (not isinstance(assessment.span_id, str)
                                           or not _SPAN_ID.match(assessment.span_id)):
        raise _fail(assessment, f"span_id must be 16 lowercase hex digits, got {str(assessment.span_id)[:100]!r}")
    if assessment.assessment_id is not None:
        check_assessment_id(assessment.assessment_id)
    try:
        text = value_json(assessment.value)
    except ValueError as refused:
        raise _fail(assessment, "value must be finite (NaN and infinity cannot be stored)") from refused
    if text is not None and len(text) > MAX_VALUE_CHARS:
        raise _fail(assessment, f"value must be at most {MAX_VALUE_CHARS} characters as JSON, got {len(text)}")
    if len(assessment.metadata) > MAX_METADATA_ENTRIES:
        raise _fail(assessment, f"metadata may hold at most {MAX_METADATA_ENTRIES} entries, got "
                                f"{len(assessment.metadata)}")
    for key, item in assessment.metadata.items():
        if not key or len(key) > KEY_LENGTH:
            raise _fail(assessment, f"metadata keys must be 1 to {KEY_LENGTH} characters, got {key[:100]!r}")
        if len(item) > TAG_VALUE_LENGTH:
            raise _fail(assessment, f"metadata[{key!r}] must be at most {TAG_VALUE_LENGTH} characters")
    for label, number in (("create_time_ms", assessment.create_time_ms),
                          ("last_update_time_ms", assessment.last_update_time_ms)):
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 2**63:
            raise _fail(assessment, f"{label} must be a non-negative integer of milliseconds, got {number!r}")
    if isinstance(assessment, Feedback):
        if assessment.rationale is not None:
            if not isinstance(assessment.rationale, str):
                raise _fail(assessment, f"rationale must be a string, got {type(assessment.rationale).__name__}")
            if len(assessment.rationale) > MAX_RATIONALE_CHARS:
                raise _fail(assessment, f"rationale must be at most {MAX_RATIONALE_CHARS} characters, got "
                                        f"{len(assessment.rationale)}")
        if assessment.error is not None:
            error = assessment.error
            texts = [error.error_code, error.error_message or "", error.stack_trace or ""]
            if not all(isinstance(text, str) for text in texts) or not error.error_code:
                raise _fail(assessment, "error must have a non-empty string error_code and string message and stack")
            if sum(map(len, texts)) > MAX_ERROR_CHARS:
                raise _fail(assessment, f"error must be at most {MAX_ERROR_CHARS} characters in all")
