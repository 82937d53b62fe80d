"""The process-wide tracing runtime: tracekit's own TracerProvider, the trace buffer, the export queue, counters.

tracekit never installs its provider as OpenTelemetry's global one, so an application's own OpenTelemetry setup
keeps working untouched and tracekit spans never reach the application's exporters.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Tracer, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, Sampler, TraceIdRatioBased

from tracekit import config, serialization
from tracekit.entities import Trace
from tracekit.exporters import TraceExporter
from tracekit.tracing import trace_defaults
from tracekit.tracing.buffer import TraceBuffer, TraceEntry
from tracekit.tracing.export_queue import Destination, ExportQueue, QueueSettings
from tracekit.tracing.stats import StatsCounter

logger = logging.getLogger(__name__)

INSTRUMENTATION_NAME = "tracekit"


class TracingRuntime:
    """Everything tracing needs at run time, built from the current settings; `rebuild()` re-reads them."""

    def __init__(self) -> None:
        self.enabled = True
        self.stats = StatsCounter()
        self._lock = threading.Lock()
        self._custom_exporter: TraceExporter | None = None
        self._destinations: list[Destination] | None = None
        self._destination_uri: str | None = None
        self.last_trace: TraceEntry | Trace | None = None
        self._build()

    def _build(self) -> None:
        serialization.refresh_settings()
        trace_defaults.refresh_settings()
        settings = QueueSettings(
            max_size=max(1, config.ASYNC_TRACE_QUEUE_SIZE.get()),
            batch_size=max(1, config.EXPORT_BATCH_SIZE.get()),
            async_mode=config.ASYNC_TRACE_LOGGING.get(),
            full_wait_seconds=config.EXPORT_QUEUE_FULL_WAIT_SECONDS.get(),
            retry_max_seconds=config.EXPORT_RETRY_MAX_SECONDS.get(),
        )
        self._otlp_endpoint = _otlp_endpoint()
        self._destinations = None
        self.queue = ExportQueue(self.destinations, self.stats, settings)
        self.buffer = TraceBuffer(self._on_trace_complete, self.stats, config.TRACE_BUFFER_MAX_SIZE.get(),
                                  config.TRACE_BUFFER_TTL_SECONDS.get())
        self.provider = TracerProvider(resource=Resource.create(), sampler=_sampler(),
                                       shutdown_on_exit=False)
        self.provider.add_span_processor(self.buffer)
        self.tracer: Tracer = self.provider.get_tracer(INSTRUMENTATION_NAME)

    def _on_trace_complete(self, entry: TraceEntry) -> None:
        self.last_trace = entry
        self.queue.put(entry)

    # --- where traces go ------------------------------------------------------------------------------------
    def set_exporter(self, exporter: TraceExporter | None) -> None:
        """Send traces to `exporter` only (None: back to the configured destinations)."""
        self.queue.flush()
        with self._lock:
            self._custom_exporter = exporter
            self._destinations = None

    def destinations(self) -> list[Destination]:
        """Where completed traces go: a custom exporter if set; else the OTLP endpoint when configured (plus the
        store with TRACEKIT_ENABLE_DUAL_EXPORT=true); else the store of the current tracking URI."""
        from tracekit import tracking_uri  # late: the store layer is heavier than tracing

        with self._lock:
            uri = tracking_uri.get_tracking_uri()
            if self._destinations is not None and (self._custom_exporter is not None or self._destination_uri == uri):
                return self._destinations
            if self._custom_exporter is not None:
                self._destinations = [Destination(self._custom_exporter)]
                return self._destinations
            from tracekit.exporters.store import StoreExporter

            destinations = []
            if self._otlp_endpoint is not None:
                from tracekit.exporters.otlp import OtlpTraceExporter

                destinations.append(Destination(OtlpTraceExporter(self._otlp_endpoint,
                                                                   resource=self.provider.resource)))
            if not destinations or config.ENABLE_DUAL_EXPORT.get():
                destinations.append(Destination(StoreExporter(uri)))
            self._destinations = destinations
            self._destination_uri = uri
            return destinations

    def current_exporter(self) -> TraceExporter:
        """The exporter that can read traces back (the store, or a custom exporter), else the first one."""
        destinations = self.destinations()
        readable = [d.exporter for d in destinations if hasattr(d.exporter, "get_trace")]
        return (readable or [destinations[0].exporter])[0]

    # --- life cycle -----------------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Flush, then start over with the current settings (tests use this after changing variables)."""
        self.queue.shutdown()
        self.stats.reset()
        self.last_trace = None
        self._build()

    def shutdown(self, timeout: float = 10.0) -> None:
        """At exit: push out running traces as IN_PROGRESS, flush the queue, spill what is left."""
        try:
            self.buffer.evict_all()
            self.queue.shutdown(timeout)
        except Exception:  # noqa: BLE001 - never fail interpreter shutdown
            logger.exception("tracekit could not flush traces at exit")

    def after_fork_in_child(self) -> None:
        """A forked child starts with an empty queue and buffer of its own."""
        self.queue.reset_after_fork()


def _otlp_endpoint() -> str | None:
    from tracekit.exporters.otlp import endpoint_from_environment

    return endpoint_from_environment()


def _sampler() -> Sampler:
    ratio = config.TRACE_SAMPLING_RATIO.get()
    if ratio >= 1.0:
        return ALWAYS_ON
    # Decided once per trace at its root; children follow their parent, so a trace is kept or dropped whole.
    return ParentBased(TraceIdRatioBased(ratio))


RUNTIME = TracingRuntime()
atexit.register(RUNTIME.shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=RUNTIME.after_fork_in_child)
