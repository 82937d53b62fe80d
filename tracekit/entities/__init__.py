"""Entities: traces (`Trace`, `TraceInfo`, `TraceData`, `Span`) and what they link to (`Experiment`, `Run`,
`LoggedModel`), with their value types."""

from tracekit.entities.assessment import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    AssessmentSourceType,
    Expectation,
    Feedback,
)
from tracekit.entities.experiment import Experiment
from tracekit.entities.lifecycle import LifecycleStage, ViewType
from tracekit.entities.logged_model import LoggedModel, LoggedModelStatus
from tracekit.entities.run import Metric, Param, Run, RunData, RunInfo, RunStatus, RunTag
from tracekit.entities.run_inputs import Dataset, DatasetInput, InputTag, LoggedModelInput, RunInputs
from tracekit.entities.span import Span, SpanEvent, SpanStatus, SpanStatusCode, SpanType
from tracekit.entities.trace import Trace, TraceData
from tracekit.entities.trace_info import TraceInfo, TraceState

__all__ = ["Assessment", "AssessmentError", "AssessmentSource", "AssessmentSourceType", "Dataset", "DatasetInput",
           "Expectation", "Experiment", "Feedback", "InputTag", "LifecycleStage", "LoggedModel", "LoggedModelInput",
           "LoggedModelStatus", "Metric", "Param", "Run", "RunData", "RunInfo", "RunInputs", "RunStatus", "RunTag",
           "Span", "SpanEvent", "SpanStatus", "SpanStatusCode", "SpanType", "Trace", "TraceData", "TraceInfo",
           "TraceState", "ViewType"]
