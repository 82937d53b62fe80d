"""Trace and span ids as tracekit writes them: a trace id is `tr-` followed by the 32 hex digits of the
OpenTelemetry trace id, a span id the 16 hex digits of the OpenTelemetry span id.

>>> format_trace_id(0xAB)
'tr-000000000000000000000000000000ab'
>>> parse_trace_id('tr-000000000000000000000000000000ab')
171
"""

from __future__ import annotations

import re

from tracekit.constants import TRACE_ID_PREFIX
from tracekit.exceptions import TracekitException

#: What a trace id and a span id look like, as regular expressions (for validating input, as the server does).
TRACE_ID_PATTERN = f"^{TRACE_ID_PREFIX}[0-9a-f]{{32}}$"  # the prefix has no regex metacharacters
SPAN_ID_PATTERN = r"^[0-9a-f]{16}$"

_TRACE_ID = re.compile(TRACE_ID_PATTERN)


def format_trace_id(otel_trace_id: int) -> str:
    """`tr-` followed by the 32 hex digits of an OpenTelemetry trace id."""
    return f"{TRACE_ID_PREFIX}{otel_trace_id:032x}"


def is_valid_trace_id(trace_id: object) -> bool:
    """Whether `trace_id` is a string of the form `tr-` followed by 32 lowercase hex digits."""
    return isinstance(trace_id, str) and _TRACE_ID.fullmatch(trace_id) is not None


def parse_trace_id(trace_id: str) -> int:
    """Inverse of `format_trace_id`: the OpenTelemetry trace id; raises ValueError on anything else."""
    if not is_valid_trace_id(trace_id):
        raise ValueError(trace_id)
    return int(trace_id[len(TRACE_ID_PREFIX):], 16)


def require_trace_id(trace_id: str) -> int:
    """`parse_trace_id` for ids a caller passed in: raises a `TracekitException` saying what a trace id looks like."""
    if not is_valid_trace_id(trace_id):
        raise TracekitException.invalid_parameter_value(
            f"Invalid trace id {trace_id!r}: expected '{TRACE_ID_PREFIX}' followed by 32 hex "
            "digits.")
    return int(trace_id[len(TRACE_ID_PREFIX):], 16)


def format_span_id(otel_span_id: int) -> str:
    """The 16 hex digits of an OpenTelemetry span id."""
    return f"{otel_span_id:016x}"
