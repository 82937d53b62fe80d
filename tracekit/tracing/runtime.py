"""The process-wide tracing runtime: tracekit's TracerProvider, the trace buffer, the export queue, counters.

By default tracekit never installs its provider as OpenTelemetry's global one, so an application's own OpenTelemetry
setup keeps working untouched and tracekit spans never reach the application's exporters. Joining the global provider
is opt-in (`configure(use_global_tracer_provider=True)`, see `global_provider`).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, Sampler, TraceIdRatioBased
from opentelemetry.trace import Tracer

from tracekit import config, serialization
from tracekit.constants import INSTRUMENTATION_NAME
from tracekit.entities import Trace
from tracekit.tracing import context, global_provider, sigterm, trace_defaults
from tracekit.tracing.buffer import TraceBuffer, TraceEntry
from tracekit.tracing.export_queue import Destination, ExportQueue, QueueSettings
from tracekit.tracing.exporter import TraceExporter
from tracekit.tracing.id_generator import TimeOrderedIdGenerator
from tracekit.tracing.stats import StatsCounter

logger = logging.getLogger(__name__)


class TracingRuntime:
    """Everything tracing needs at run time, built from the current settings; `rebuild()` re-reads them."""

    def __init__(self) -> None:
        self.enabled = True
        self.stats = StatsCounter()
        self._lock = threading.Lock()
        self._custom_exporter: TraceExporter | None = None
        self._destinations: list[Destination] | None = None
        self._destination_uri: str | None = None
        self._overrides: dict[str, Any] = {}
        self.last_trace: TraceEntry | Trace | None = None
        self._build()

    def _build(self) -> None:
        serialization.refresh_settings()
        trace_defaults.refresh_settings()
        settings = QueueSettings(
            max_size=max(1, config.ASYNC_TRACE_QUEUE_SIZE.get()),
            batch_size=max(1, config.EXPORT_BATCH_SIZE.get()),
            max_interval_seconds=config.EXPORT_MAX_INTERVAL_MILLIS.get() / 1000,
            async_mode=config.ASYNC_TRACE_LOGGING.get(),
            full_wait_seconds=config.EXPORT_QUEUE_FULL_WAIT_SECONDS.get(),
            retry_max_seconds=config.EXPORT_RETRY_MAX_SECONDS.get(),
        )
        self._otlp = _otlp_settings()
        self._otlp_destination: Destination | None = None
        self._plugin_exporter_name = config.TRACE_EXPORTER.get()
        self._plugin_destination: Destination | None = None
        self._destinations = None
        self.queue = ExportQueue(self.destinations, self.stats, settings)
        self.buffer = TraceBuffer(self._on_trace_complete, self.stats, config.TRACE_BUFFER_MAX_SIZE.get(),
                                  config.TRACE_BUFFER_TTL_SECONDS.get())
        self._build_provider()

    def _build_provider(self) -> None:
        """tracekit's own provider (feeding the buffer); or, when joining the global provider, the global provider
        joined at once (at import with TRACEKIT_USE_GLOBAL_PROVIDER=true, at `configure` otherwise), so spans
        an instrumentation package starts before tracekit's first span are relayed too."""
        self.sampler = _sampler(self._overrides.get("sampling_ratio"))
        self.resource = Resource.create()
        self.provider = TracerProvider(resource=self.resource, sampler=self.sampler, shutdown_on_exit=False,
                                       id_generator=TimeOrderedIdGenerator())
        self.provider.add_span_processor(self.buffer)
        join = self._overrides.get("use_global_tracer_provider")
        self.join_global = config.USE_GLOBAL_TRACER_PROVIDER.get() if join is None else bool(join)
        context.use_otel_context(self.join_global)
        if self.join_global:
            self._join()
        self.tracer: Tracer = self.provider.get_tracer(INSTRUMENTATION_NAME)

    def _join(self) -> None:
        """Join the global provider (see `global_provider.join`); if it cannot be joined, keep tracekit's own."""
        joined = global_provider.join(self)
        if joined is None:
            context.use_otel_context(False)
            self.join_global = False
            return
        self.provider = joined
        self.resource = joined.resource
        if self._otlp_destination is not None:
            # The OTLP exporter tags every span with the provider's resource: the joined provider's from now on.
            setattr(self._otlp_destination.exporter, "resource", joined.resource)  # noqa: B010

    def configure(self, **overrides: Any) -> None:
        """Override settings in code (a None value leaves that setting as it is) and apply them to new spans."""
        self._overrides.update({key: value for key, value in overrides.items() if value is not None})
        with self._lock:
            self._build_provider()

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
            if self._otlp is not None and self._otlp_destination is None:
                self._otlp_destination = self._new_otlp_destination(*self._otlp)
            if self._otlp_destination is not None:
                destinations.append(self._otlp_destination)
            if not destinations or config.ENABLE_DUAL_EXPORT.get():
                destinations.append(self._plugin_destination_once() or Destination(StoreExporter(uri)))
            self._destinations = destinations
            self._destination_uri = uri
            return destinations

    def _new_otlp_destination(self, endpoint: str, protocol: str) -> Destination | None:
        from tracekit.exporters.otlp import OtlpTraceExporter

        try:
            return Destination(OtlpTraceExporter(endpoint, protocol, self.resource))
        except Exception:  # noqa: BLE001 - a broken OTLP setup must not lose traces: they go to the store
            logger.exception("Could not set up OTLP export to %s (%s); traces go to the tracking store instead.",
                             endpoint, protocol)
            self._otlp = None
            return None

    def _plugin_destination_once(self) -> Destination | None:
        """The exporter plugin TRACEKIT_TRACE_EXPORTER names, built once; None when unset or when it cannot be
        built (logged once: traces then go to the tracking store rather than nowhere)."""
        if self._plugin_destination is None and self._plugin_exporter_name:
            from tracekit.plugins.trace_exporters import exporter_from_environment

            try:
                exporter = exporter_from_environment()
            except Exception:  # noqa: BLE001 - a broken exporter plugin must not lose traces
                logger.exception("Could not set up the trace exporter %r (%s); traces go to the tracking store "
                                 "instead.", self._plugin_exporter_name, config.TRACE_EXPORTER.name)
                self._plugin_exporter_name = ""
                return None
            self._plugin_destination = Destination(exporter) if exporter is not None else None
        return self._plugin_destination

    def current_exporter(self) -> TraceExporter:
        """The main exporter: the custom one set with `set_exporter`, else the tracking URI's store (else OTLP)."""
        return self.destinations()[0].exporter

    # --- life cycle -----------------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Flush, then start over from the environment's settings, forgetting `configure` overrides."""
        self.queue.shutdown()
        self._overrides = {}
        for destination in (self._otlp_destination, self._plugin_destination):
            if destination is not None:
                _close(destination.exporter)
        self.stats.reset()
        self.last_trace = None
        self._build()

    def shutdown(self, timeout: float | None = None) -> None:
        """At exit: push out running traces as IN_PROGRESS, flush the queue within `timeout` (default
        TRACEKIT_EXIT_TIMEOUT_S), spill what is left."""
        if timeout is None:
            timeout = config.EXIT_TIMEOUT_S.get()
        try:
            self.buffer.evict_all()
            self.queue.shutdown(timeout)
        except Exception:  # noqa: BLE001 - never fail interpreter shutdown
            logger.exception("tracekit could not flush traces at exit")

    def after_fork_in_child(self) -> None:
        """A forked child starts with an empty queue and buffer of its own."""
        self.queue.reset_after_fork()


def _close(exporter: TraceExporter) -> None:
    try:
        exporter.shutdown()
    except Exception:  # noqa: BLE001 - a failing close must not stop a rebuild
        logger.warning("Closing trace exporter %s failed", exporter.name, exc_info=True)


def _otlp_settings() -> tuple[str, str] | None:
    """(endpoint, protocol) when OTLP export is configured; malformed variables are warned about here, at start-up."""
    if not (config.OTLP_TRACES_ENDPOINT.get().strip() or config.OTLP_ENDPOINT.get().strip()):
        return None  # the usual case: no need to load the OTLP exporter
    from tracekit.exporters.otlp import endpoint_from_environment, protocol_from_environment

    endpoint = endpoint_from_environment()
    return None if endpoint is None else (endpoint, protocol_from_environment())


def _sampler(ratio: float | None = None) -> Sampler:
    setting = config.TRACE_SAMPLING_RATIO
    if ratio is None:
        ratio = setting.get()
    if not 0.0 <= ratio <= 1.0:
        logger.warning("Ignoring %s=%r: expected a fraction between 0.0 and 1.0; recording every trace.",
                       setting.name, ratio)
        ratio = 1.0
    if ratio >= 1.0:
        return ParentBased(ALWAYS_ON)
    # Decided once per trace at its root; children follow their parent (a remote caller's decision too, through
    # the sampled flag of its traceparent), so a trace is kept or dropped whole.
    return ParentBased(TraceIdRatioBased(ratio))


RUNTIME = TracingRuntime()
atexit.register(RUNTIME.shutdown)
sigterm.install(RUNTIME.shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=RUNTIME.after_fork_in_child)
