"""Reading back what an evaluation stored."""

from __future__ import annotations

import tracekit
from tracekit.entities.assessment import Feedback


def feedback_on(trace_id: str) -> dict[str, Feedback]:
    """The stored feedback of a trace, by name."""
    trace = tracekit.get_trace(trace_id)
    assert trace is not None, f"trace {trace_id} is not stored"
    return {a.name: a for a in trace.info.assessments if isinstance(a, Feedback)}
