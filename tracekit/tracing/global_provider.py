"""Joining OpenTelemetry's global TracerProvider (opt-in: `tracekit.configure(use_global_tracer_provider=True)` or
TRACEKIT_USE_GLOBAL_PROVIDER=true, or its long name TRACEKIT_USE_GLOBAL_TRACER_PROVIDER).

Joined, tracekit starts its spans on the global provider and a relay processor on that provider hands every span it
records, tracekit's and those of OpenTelemetry instrumentation packages alike, to tracekit's trace buffer. If the
application set an SDK TracerProvider, tracekit uses it as it is (its sampler and processors apply to tracekit's spans
too). If nobody set one yet, tracekit installs a provider of its own as the global one, sampling with
TRACEKIT_TRACE_SAMPLING_RATIO. The relay and the sampler look the runtime's current buffer and sampler up on each
call, so `tracekit.tracing.reset()` and leaving join mode never need to touch a provider OpenTelemetry won't let go of.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.sampling import Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from tracekit.tracing.runtime import TracingRuntime

logger = logging.getLogger(__name__)

_RELAY_MARK = "_tracekit_relay"


class RuntimeRelay(SpanProcessor):
    """Added once to a shared provider: hands its spans to the runtime's buffer while the runtime is joined to
    that provider."""

    def __init__(self, runtime: TracingRuntime, provider: TracerProvider) -> None:
        self._runtime = runtime
        self._provider = provider

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        if self._runtime.provider is self._provider:
            self._runtime.buffer.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        if self._runtime.provider is self._provider:
            self._runtime.buffer.on_end(span)

    def shutdown(self) -> None:
        """Nothing to release: the export queue flushes at exit."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Running traces stay in the buffer; nothing to push."""
        return True


class RuntimeSampler(Sampler):
    """The sampler of a provider tracekit installs as the global one: whatever the runtime's sampler is now."""

    def __init__(self, runtime: TracingRuntime) -> None:
        self._runtime = runtime

    def should_sample(self, parent_context: Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None,
                      links: Sequence[Link] | None = None, trace_state: trace_api.TraceState | None = None,
                      ) -> SamplingResult:
        return self._runtime.sampler.should_sample(parent_context, trace_id, name, kind, attributes, links,
                                                   trace_state)

    def get_description(self) -> str:
        return f"tracekit({self._runtime.sampler.get_description()})"


def join(runtime: TracingRuntime) -> TracerProvider | None:
    """The global SDK TracerProvider, with tracekit's relay on it (installing tracekit's own provider as the global
    one if none was set); None, with a warning, if the global provider is something else."""
    current = trace_api.get_tracer_provider()
    if isinstance(current, trace_api.ProxyTracerProvider):
        own = TracerProvider(resource=Resource.create(), sampler=RuntimeSampler(runtime), shutdown_on_exit=False)
        trace_api.set_tracer_provider(own)
        current = trace_api.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        logger.warning("tracekit cannot join the global OpenTelemetry TracerProvider: it is a %s, not an "
                       "opentelemetry-sdk TracerProvider. tracekit keeps its own provider; spans of OpenTelemetry "
                       "instrumentation packages are not recorded in tracekit traces.", type(current).__name__)
        return None
    if not getattr(current, _RELAY_MARK, False):
        current.add_span_processor(RuntimeRelay(runtime, current))
        setattr(current, _RELAY_MARK, True)
    return current
