"""Every `TRACEKIT_*` setting in one place: its name, type, default and meaning.

The tracing runtime reads these when tracekit is imported and again on `tracekit.tracing.reset()` (the hot path never
touches the environment); the tracking URI and experiment are read when they are needed. A value that does not parse
is logged and the default used, as the OpenTelemetry SDK does for its own `OTEL_*` variables.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable: `get()` returns its parsed value or the default."""

    name: str
    type: type
    default: T
    doc: str

    def get(self) -> T:
        """The current value from the environment, or the default when unset or malformed."""
        raw = os.environ.get(self.name)
        if raw is None or raw.strip() == "":
            return self.default
        try:
            return self._parse(raw.strip())
        except ValueError:
            logger.warning("Ignoring %s=%r: expected %s; using the default %r.", self.name, raw,
                           self.type.__name__, self.default)
            return self.default

    def is_set(self) -> bool:
        """Whether the variable is present in the environment."""
        return bool(os.environ.get(self.name, "").strip())

    def _parse(self, raw: str):
        if self.type is bool:
            lowered = raw.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(raw)
        value = self.type(raw)
        if self.type in (int, float) and value < 0:
            raise ValueError(raw)
        return value


TRACKING_URI = Setting(
    "TRACEKIT_TRACKING_URI", str, "",
    "Where traces and tracking data are stored. Unset: sqlite:///tracekit.db in the working directory.")
EXPERIMENT_ID = Setting("TRACEKIT_EXPERIMENT_ID", str, "", "Experiment for new traces and runs; unset: default '0'.")
EXPERIMENT_NAME = Setting(
    "TRACEKIT_EXPERIMENT_NAME", str, "",
    "Experiment (by name, created if missing) for new traces, runs and models; set_experiment() overrides it, and it "
    "overrides TRACEKIT_EXPERIMENT_ID.")
ACTIVE_MODEL_ID = Setting(
    "TRACEKIT_ACTIVE_MODEL_ID", str, "",
    "Logged model new traces link to when set_active_model() was not called (clear_active_model() ignores it); read "
    "at import and on tracekit.tracing.reset().")
TRACE_BUFFER_MAX_SIZE = Setting(
    "TRACEKIT_TRACE_BUFFER_MAX_SIZE", int, 1000,
    "How many unfinished traces are held in memory; the oldest is exported as IN_PROGRESS beyond that.")
TRACE_BUFFER_TTL_SECONDS = Setting(
    "TRACEKIT_TRACE_BUFFER_TTL_SECONDS", float, 3600.0,
    "How long an unfinished trace is held before it is exported as IN_PROGRESS.")
MAX_SPAN_PAYLOAD_BYTES = Setting(
    "TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", int, 1_048_576,
    "Largest JSON size of one span input, output or attribute; larger values are truncated with a marker.")
ASYNC_TRACE_LOGGING = Setting(
    "TRACEKIT_ASYNC_TRACE_LOGGING", bool, True,
    "Export completed traces from a background thread (true) or in the thread that ends the root span (false).")
ASYNC_TRACE_QUEUE_SIZE = Setting(
    "TRACEKIT_ASYNC_TRACE_QUEUE_SIZE", int, 10_000,
    "How many completed traces wait for the background exporter before new ones go to the spill file.")
EXPORT_BATCH_SIZE = Setting(
    "TRACEKIT_EXPORT_BATCH_SIZE", int, 500, "Most traces written in one store transaction.")
EXPORT_QUEUE_FULL_WAIT_SECONDS = Setting(
    "TRACEKIT_EXPORT_QUEUE_FULL_WAIT_SECONDS", float, 0.05,
    "How long a caller waits for room in a full export queue before the trace goes to the spill file.")
EXPORT_RETRY_MAX_SECONDS = Setting(
    "TRACEKIT_EXPORT_RETRY_MAX_SECONDS", float, 30.0,
    "How long a batch is retried with backoff before it is written to the spill file.")
SPILL_DIR = Setting(
    "TRACEKIT_SPILL_DIR", str, "",
    "Folder for traces the store could not take yet. Unset: ~/.tracekit/spill.")
ENABLE_DUAL_EXPORT = Setting(
    "TRACEKIT_ENABLE_DUAL_EXPORT", bool, False,
    "With an OTLP endpoint configured, send traces to the tracking store as well as to OTLP.")
TRACE_SAMPLING_RATIO = Setting(
    "TRACEKIT_TRACE_SAMPLING_RATIO", float, 1.0,
    "Fraction of traces recorded (0.0 to 1.0); whole traces are kept or dropped, never parts of one.")
JOIN_GLOBAL_OTEL = Setting(
    "TRACEKIT_JOIN_GLOBAL_OTEL", bool, False,
    "Share the current span with OpenTelemetry's context and the global TracerProvider, so spans of OpenTelemetry "
    "instrumentation packages nest under tracekit spans and are stored in the same trace.")
