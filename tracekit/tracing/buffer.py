"""`TraceBuffer`: the span processor that holds every span of a trace until its root span ends.

A trace lives here from its root span's start to its root span's end, then goes, whole, to the export queue. The
buffer is bounded in count (TRACEKIT_TRACE_BUFFER_MAX_SIZE) and age (TRACEKIT_TRACE_BUFFER_TTL_SECONDS): a trace
pushed out before its root ends is exported as it stands with state IN_PROGRESS, counted and logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import Span as SdkSpan

from tracekit.constants import TraceMetadataKey
from tracekit.entities import Span, Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.ids import format_span_id, format_trace_id
from tracekit.entities.token_usage import record_token_usage
from tracekit.tracing import trace_defaults
from tracekit.tracing.live_span import span_from_otel
from tracekit.tracing.stats import LimitedWarning, StatsCounter

logger = logging.getLogger(__name__)

BufferedSpan = ReadableSpan | Span
_NOTHING_EVICTED: list[TraceEntry] = []  # shared, never appended to


class TraceEntry:
    """One trace in the making: its ended spans, its running spans, and trace-level tags and metadata."""

    # The running root span and the running children, and the tags, are kept apart and made on demand: most traces
    # have one span and no tags, and every container allocated per trace brings the garbage collector's next
    # collection closer.
    __slots__ = ("otel_trace_id", "root_span_id", "created_at", "ended", "running_root", "_running_children",
                 "_tags", "metadata", "experiment_id", "client_request_id", "state")

    def __init__(self, otel_trace_id: int, root_span_id: int) -> None:
        self.otel_trace_id = otel_trace_id
        self.root_span_id = root_span_id
        self.created_at = time.monotonic()
        self.ended: list[BufferedSpan] = []
        #: The root span while it runs.
        self.running_root: SdkSpan | None = None
        self._running_children: dict[int, SdkSpan] | None = None
        self._tags: dict[str, str] | None = None
        self.metadata: dict[str, str] = trace_defaults.initial_metadata()
        self.experiment_id = trace_defaults.current_experiment_id()
        self.client_request_id: str | None = None
        self.state: TraceState | None = None  # decided when the trace leaves the buffer

    @property
    def trace_id(self) -> str:
        """`tr-<32 hex>`."""
        return format_trace_id(self.otel_trace_id)

    @property
    def tags(self) -> dict[str, str]:
        """The trace's tags (a dict to update in place)."""
        tags = self._tags
        if tags is None:
            tags = self._tags = {}
        return tags

    @property
    def live(self) -> dict[int, SdkSpan]:
        """A snapshot of the running spans by OpenTelemetry span id, the root first."""
        running = {} if self.running_root is None else {self.root_span_id: self.running_root}
        if self._running_children:
            running.update(self._running_children)
        return running

    def span_started(self, span_id: int, span: SdkSpan) -> None:
        """Note a span of this trace as running (called with the buffer's lock held)."""
        if span_id == self.root_span_id:
            self.running_root = span
        else:
            if self._running_children is None:
                self._running_children = {}
            self._running_children[span_id] = span

    def span_ended(self, span_id: int, span: BufferedSpan) -> None:
        """Move a span from running to ended (called with the buffer's lock held)."""
        if span_id == self.root_span_id:
            self.running_root = None
        elif self._running_children is not None:
            self._running_children.pop(span_id, None)
        self.ended.append(span)

    def build_trace(self) -> Trace:
        """The `Trace` entity: ended spans, plus running ones (without end time) for an evicted trace; its token
        usage is summed into the metadata."""
        trace_id = self.trace_id
        spans = [span if isinstance(span, Span) else span_from_otel(span, trace_id) for span in self.ended]
        ended_count = len(spans)
        if self.running_root is not None or self._running_children:
            spans.extend(span_from_otel(span, trace_id) for span in self.live.values())
        root_id = format_span_id(self.root_span_id)
        # the root usually ended last, which ended the trace
        root = spans[ended_count - 1] if ended_count else None
        if root is None or root.span_id != root_id:
            root = next((span for span in spans if span.span_id == root_id), None)
        if root is None:  # cannot happen for a trace that started here; keep going with what we have
            root = spans[0] if spans else None
        info = TraceInfo.from_root_span(trace_id, root, experiment_id=self.experiment_id, state=self.state,
                                        client_request_id=self.client_request_id, trace_metadata=self.metadata,
                                        tags=self._tags)
        record_token_usage(info.trace_metadata, spans)
        return Trace(info=info, data=TraceData(spans=spans))


class TraceBuffer(SpanProcessor):
    """Groups spans by trace and hands each complete trace to `on_complete` when its root span ends."""

    def __init__(self, on_complete: Callable[[TraceEntry], None], stats: StatsCounter, max_size: int,
                 ttl_seconds: float) -> None:
        self._on_complete = on_complete
        self._stats = stats
        self._max_size = max(1, max_size)
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._traces: OrderedDict[int, TraceEntry] = OrderedDict()
        self._late_warning = LimitedWarning(logger)

    # --- SpanProcessor --------------------------------------------------------------------------------------
    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        context = span.context
        # read once: each is a Python-level property of the SpanContext, and this runs for every span
        trace_id, span_id = context.trace_id, context.span_id
        evicted: list[TraceEntry] = _NOTHING_EVICTED
        with self._lock:
            traces = self._traces
            entry = traces.get(trace_id)
            if entry is None:
                parent = span.parent
                if parent is not None and not parent.is_remote:
                    # A child of a trace that already left the buffer; counted when it ends.
                    return
                entry = TraceEntry(trace_id, span_id)
                traces[trace_id] = entry
                # within both limits, `_take_evictions`'s usual answer, checked here: one call fewer per trace
                oldest = next(iter(traces.values()))
                if len(traces) > self._max_size or oldest.created_at < entry.created_at - self._ttl:
                    evicted = self._take_evictions(entry.created_at)
            entry.span_started(span_id, span)
        for old in evicted:
            self._evict(old)

    def on_end(self, span: ReadableSpan) -> None:
        context = span.context
        trace_id, span_id = context.trace_id, context.span_id
        completed = None
        # Only a span this buffer will keep is converted: one of a trace not here (evicted, exported, or never
        # buffered, such as another provider's sharing this processor) is only counted. This first look-up is
        # outside the lock (one dict read, atomic under the GIL), so that the conversion runs outside it too.
        entry = self._traces.get(trace_id)
        if entry is not None:
            # Kept as the `Span` entity rather than the SDK's span: it holds a few objects instead of a dozen until
            # the export worker takes the trace, so the garbage collector runs less often and promotes less to its
            # old generation, whose full collections cost more than the conversion
            ended: BufferedSpan
            try:
                ended = span_from_otel(span)
            except Exception:  # noqa: BLE001 - never into the code ending the span: the export worker converts it
                ended = span
            with self._lock:
                # Looked up again, and this one decides: while the span was converted the trace may have left (its
                # root ended in another thread, or a new trace or the exit pushed it out) for the export worker,
                # which reads `entry.ended` without this lock. Appending then would race that read: the span
                # stored or lost by timing, and never counted as late. A "left" flag on the entry would save this
                # dict read but must then be set under the lock at every place a trace leaves.
                entry = self._traces.get(trace_id)
                if entry is not None:
                    entry.span_ended(span_id, ended)
                    if span_id == entry.root_span_id:
                        del self._traces[trace_id]
                        completed = entry
        if entry is None:
            self._stats.add("late_spans")
            self._late_warning.warn("Span %r of trace %s ended after its trace left the buffer; it is not stored",
                                    span.name, format_trace_id(trace_id))
        elif completed is not None:
            self._on_complete(completed)

    def shutdown(self) -> None:
        """Nothing to release: the export queue flushes at exit."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Traces still running stay here; nothing to push."""
        return True

    # --- access for the tracing API -------------------------------------------------------------------------
    def get(self, otel_trace_id: int) -> TraceEntry | None:
        """The running trace with that id, or None."""
        with self._lock:
            return self._traces.get(otel_trace_id)

    def add_spans(self, otel_trace_id: int, spans: list[Span]) -> bool:
        """Add finished spans (from `add_trace`) to a running trace; False if the trace is not here."""
        with self._lock:
            entry = self._traces.get(otel_trace_id)
            if entry is None:
                return False
            entry.ended.extend(spans)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._traces)

    def evict_all(self) -> None:
        """Push every running trace out as IN_PROGRESS (at process exit, so nothing is lost silently)."""
        with self._lock:
            entries = list(self._traces.values())
            self._traces.clear()
        for entry in entries:
            self._evict(entry, reason="the process is exiting")

    # --- eviction -------------------------------------------------------------------------------------------
    def _take_evictions(self, now: float) -> list[TraceEntry]:
        """Called with the lock held, after adding a trace at `now` (monotonic): remove what is over the size or
        the age limit."""
        traces = self._traces
        if len(traces) <= self._max_size and next(iter(traces.values())).created_at >= now - self._ttl:
            return _NOTHING_EVICTED  # the usual case: within both limits
        evicted = []
        while len(traces) > self._max_size:
            evicted.append(traces.popitem(last=False)[1])
        oldest_allowed = now - self._ttl
        while traces:
            oldest = next(iter(traces.values()))
            if oldest.created_at >= oldest_allowed:
                break
            evicted.append(traces.popitem(last=False)[1])
        return evicted

    def _evict(self, entry: TraceEntry, reason: str | None = None) -> None:
        entry.state = TraceState.IN_PROGRESS
        entry.metadata[TraceMetadataKey.EVICTED] = "true"
        self._stats.add("evicted_in_progress")
        logger.warning(
            "Trace %s left the in-memory buffer before its root span ended (%s); it is exported as IN_PROGRESS "
            "with the %d spans ended so far. Raise TRACEKIT_TRACE_BUFFER_MAX_SIZE or "
            "TRACEKIT_TRACE_BUFFER_TTL_SECONDS if your traces run longer.",
            entry.trace_id, reason or f"buffer limit: {self._max_size} traces, {self._ttl:g} s", len(entry.ended))
        self._on_complete(entry)

