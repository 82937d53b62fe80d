"""`LiveSpan`: a span being recorded, wrapping an OpenTelemetry SDK span; and `NoOpSpan` for disabled tracing."""

from __future__ import annotations

import logging
import time
import traceback
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, cast

from opentelemetry import trace as trace_api
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.util import BoundedList
from opentelemetry.trace import SpanContext, Status, StatusCode

from tracekit import serialization
from tracekit.constants import INSTRUMENTATION_NAME, TRACE_ID_PREFIX, SpanAttributeKey
from tracekit.entities.ids import format_span_id, format_trace_id
from tracekit.entities.span import BaseSpan, Span, SpanEvent, SpanStatus, SpanStatusCode, SpanType
from tracekit.otlp.conventions import adopt_standard_keys, speaks_a_convention

logger = logging.getLogger(__name__)

_OTEL_STATUS = {StatusCode.UNSET: SpanStatusCode.UNSET, StatusCode.OK: SpanStatusCode.OK,
                StatusCode.ERROR: SpanStatusCode.ERROR}
_TO_OTEL_STATUS = {value: key for key, value in _OTEL_STATUS.items()}


def to_span_status(status: SpanStatus | SpanStatusCode | str, description: str = "") -> SpanStatus:
    """Accept a SpanStatus, a SpanStatusCode or its name ("OK", "ERROR")."""
    if isinstance(status, SpanStatus):
        return status
    return SpanStatus(SpanStatusCode(status.value if isinstance(status, SpanStatusCode) else str(status).upper()),
                      description)


def _event_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """OpenTelemetry event attributes take primitives only; anything else is stored as JSON text, and primitives no
    store takes (lone surrogates, integers beyond 64 bits, NaN) as marked text (see `serialization.safe_primitive`)."""
    if not attributes:
        return {}
    try:
        return {serialization.safe_str(key): serialization.safe_primitive(value) for key, value in attributes.items()}
    except Exception as error:  # noqa: BLE001 - a mapping whose iteration raises costs its own content only
        return {"tracekit.error": serialization.marker(f"event attributes could not be read: {type(error).__name__}")}


def _exception_event(exception: BaseException) -> dict[str, str]:
    """The attributes of an `exception` event (OpenTelemetry's semantic conventions), built so that an exception
    whose `__str__` raises, or whose message holds undecodable text, is still recorded."""
    try:
        stacktrace = "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))
    except Exception as error:  # noqa: BLE001 - format_exception calls the exception's __str__
        stacktrace = serialization.marker(f"the stack trace could not be formatted: {type(error).__name__}")
    module, qualname = type(exception).__module__, type(exception).__qualname__
    return {"exception.type": serialization.safe_str(qualname if module in (None, "builtins") else
                                                     f"{module}.{qualname}"),
            "exception.message": serialization.safe_str(exception),
            "exception.stacktrace": serialization.safe_text(stacktrace),
            "exception.escaped": "True"}


def _foreign_attributes(otel_span: ReadableSpan, scope_name: str) -> dict[str, Any]:
    """Attributes of a span another tracer made (an instrumentation package's, with the global provider joined):
    its plain OpenTelemetry values as JSON text like tracekit's own, plus its kind and instrumentation scope, and,
    for a span speaking OpenInference or GenAI, tracekit's span type, inputs, outputs, chat messages and token usage
    read from them (`tracekit.otlp.conventions`, as for spans ingested over OTLP)."""
    attributes = dict(otel_span.attributes or {})
    events = [(event.name, event.attributes or {}) for event in otel_span.events]
    own = set(attributes)
    if speaks_a_convention(attributes, events):
        try:
            adopt_standard_keys(attributes, events, unknown=None)
        except Exception:  # noqa: BLE001 - a reading failure costs the translation, never the span
            logger.warning("Could not read the OpenInference/GenAI keys of span %r", otel_span.name, exc_info=True)
    # the tracekit keys read from the span are JSON text already
    raw = {key: serialization.dumps(value) if key in own or not key.startswith("tracekit.") else value
           for key, value in attributes.items()}
    if otel_span.kind is not trace_api.SpanKind.INTERNAL:
        raw[SpanAttributeKey.OTEL_SPAN_KIND] = serialization.dumps(otel_span.kind.name)
    raw[SpanAttributeKey.OTEL_SCOPE] = serialization.dumps(scope_name)
    return raw


def _attribute_copy(otel_span: ReadableSpan) -> dict[str, Any]:
    """A plain dict of the span's attributes. The SDK keeps them in a `BoundedAttributes`, whose dict is copied
    directly: through the Mapping protocol (a Python call per key) the copy cost more than the rest of the
    conversion. Anything else, a span from another SDK say, is read through its public `attributes`."""
    attributes = getattr(otel_span, "_attributes", None)
    if type(attributes) is BoundedAttributes:
        plain = getattr(attributes, "_dict", None)
        if type(plain) is dict:
            return plain.copy()
    return dict(otel_span.attributes or {})


def _events_of(otel_span: ReadableSpan) -> Sequence[Any]:
    """The events of an ended span. The SDK's public `events` copies its `BoundedList` under a lock into a tuple, for
    every span, though most have none; its deque is read directly instead (an ended span's events no longer change)."""
    events = getattr(otel_span, "_events", None)
    if type(events) is BoundedList:
        queue = getattr(events, "_dq", None)
        if type(queue) is deque:
            return queue
    return otel_span.events


def _put_text(otel_span: Any, key: str, text: str) -> None:
    """Set the text attribute `key` on `otel_span`, as its `set_attribute` would. For an SDK span with no value
    length limit (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT) the attribute dict is written under the span's lock directly,
    skipping the SDK's path (key validation, value cleaning, a second lock: several Python calls) for a value that
    is text already; this runs three times per traced call (span type, inputs, outputs)."""
    attributes = getattr(otel_span, "_attributes", None)
    if (type(attributes) is BoundedAttributes and attributes.max_value_len is None and not attributes._immutable
            and key and type(key) is str):
        try:
            plain = attributes._dict
            with otel_span._lock:
                if otel_span._end_time is None:
                    if key in plain:
                        del plain[key]  # the SDK moves a re-set key to the end too
                    elif attributes.maxlen is not None and len(plain) >= attributes.maxlen:
                        otel_span._attributes[key] = text  # full: the SDK drops the oldest, counts it and warns
                        return
                    plain[key] = text
                    return
        except AttributeError:  # an SDK release whose private fields moved: its public path below still works
            pass
    otel_span.set_attribute(key, text)


def span_from_otel(otel_span: ReadableSpan, trace_id: str | None = None) -> Span:
    """A `Span` entity from an ended (or, for evicted traces, still running) OpenTelemetry span."""
    if type(otel_span) is ReadableSpan:
        # What the SDK hands to on_end: its fields read directly, as its properties (a Python call each) only
        # return them, and this runs for every ended span, on the thread that ended it.
        context, parent, end_time = cast(SpanContext, otel_span._context), otel_span._parent, otel_span._end_time
        otel_status, scope, name = otel_span._status, otel_span._instrumentation_scope, otel_span._name
        start_time = otel_span._start_time
    else:
        context, parent, end_time = otel_span.context, otel_span.parent, otel_span.end_time
        otel_status, scope, name = otel_span.status, otel_span.instrumentation_scope, otel_span.name
        start_time = otel_span.start_time
    # identity tests rather than dict lookups: an enum member's hash is a Python call
    otel_code = otel_status.status_code
    if otel_code is StatusCode.UNSET:
        # ended without an error: setting OK on every span would cost hot-path time
        status_code = SpanStatusCode.UNSET if end_time is None else SpanStatusCode.OK
    else:
        status_code = SpanStatusCode.OK if otel_code is StatusCode.OK else SpanStatusCode.ERROR
    description = otel_status.description
    if description:
        status = SpanStatus(status_code, description)
    else:
        status = _OK if status_code is SpanStatusCode.OK else _PLAIN_STATUSES[status_code]
    if scope is not None and scope.name != INSTRUMENTATION_NAME:
        raw_attributes = _foreign_attributes(otel_span, scope.name)
    else:
        raw_attributes = _attribute_copy(otel_span)
    # a running span (an evicted trace's, a snapshot) may gain events meanwhile: the SDK's locked copy then
    events = _events_of(otel_span) if end_time is not None else otel_span.events
    return Span(
        trace_id=trace_id or f"{TRACE_ID_PREFIX}{context.trace_id:032x}",  # format_trace_id, inlined
        span_id=f"{context.span_id:016x}",  # format_span_id, inlined: this runs once per exported span
        parent_id=None if parent is None else f"{parent.span_id:016x}",
        name=name,
        start_time_ns=start_time or 0,  # set once a span starts; spans reach here started
        end_time_ns=end_time,
        status=status,
        raw_attributes=raw_attributes,
        events=[SpanEvent(serialization.safe_text(event.name), event.timestamp, _event_attributes(event.attributes))
                for event in events] if events else [],
    )


_PLAIN_STATUSES = {code: SpanStatus(code) for code in SpanStatusCode}
_OK = _PLAIN_STATUSES[SpanStatusCode.OK]


class LiveSpan(BaseSpan):
    """A span that is being recorded: the read accessors of `BaseSpan` over the OpenTelemetry span underneath,
    plus setters. Setters take any value; it is stored as JSON and never raises.

    >>> with tracekit.start_span("retrieve", span_type=SpanType.RETRIEVER) as span:
    ...     span.set_inputs({"query": query})
    ...     span.set_outputs(documents)
    """

    __slots__ = ("_otel_span", "_trace_id", "_otel_context")

    #: False for spans of traces the sampler dropped: they keep ids so children are dropped too, and record nothing.
    recording = True

    def __init__(self, otel_span: trace_api.Span, span_type: str | None = None) -> None:
        # tracekit's provider makes SDK spans, whose fields are read here; an unsampled span is read for its ids only.
        self._otel_span: SdkSpan = otel_span  # type: ignore[assignment]
        self._trace_id: str | None = None
        self._otel_context = None
        if span_type is not None:
            _put_text(otel_span, SpanAttributeKey.SPAN_TYPE, _span_type_json(span_type))

    # --- reading --------------------------------------------------------------------------------------------
    @property
    def trace_id(self) -> str:
        """`tr-<32 hex>`."""
        if self._trace_id is None:
            self._trace_id = format_trace_id(self._otel_span.get_span_context().trace_id)
        return self._trace_id

    @property
    def span_id(self) -> str:
        """16 hex digits."""
        return format_span_id(self._otel_span.get_span_context().span_id)

    @property
    def parent_id(self) -> str | None:
        """The parent span's id, or None for a root span."""
        parent = self._otel_span.parent
        return None if parent is None else format_span_id(parent.span_id)

    @property
    def name(self) -> str:
        """The span's name."""
        return self._otel_span.name

    @property
    def start_time_ns(self) -> int:
        """Start, in nanoseconds since the epoch."""
        return self._otel_span.start_time or 0

    @property
    def end_time_ns(self) -> int | None:
        """End, in nanoseconds since the epoch, or None while running."""
        return self._otel_span.end_time

    @property
    def status(self) -> SpanStatus:
        """Current status."""
        status = self._otel_span.status
        return SpanStatus(_OTEL_STATUS[status.status_code], status.description or "")

    @property
    def raw_attributes(self) -> Mapping[str, Any]:
        """Attribute values set so far, as stored (JSON text for what tracekit sets)."""
        return self._otel_span.attributes or {}

    @property
    def events(self) -> list[SpanEvent]:
        """Events recorded so far."""
        return [SpanEvent(event.name, event.timestamp, dict(event.attributes or {}))
                for event in self._otel_span.events]

    @property
    def otel_span(self) -> trace_api.Span:
        """The OpenTelemetry span underneath (for OpenTelemetry APIs such as context propagation)."""
        return self._otel_span

    # --- recording ------------------------------------------------------------------------------------------
    def set_inputs(self, inputs: Any) -> None:
        """Record what went into the span (never raises: see `tracekit.serialization`)."""
        _put_text(self._otel_span, SpanAttributeKey.INPUTS, serialization.dumps(inputs))

    def set_outputs(self, outputs: Any) -> None:
        """Record what came out of the span (never raises: see `tracekit.serialization`)."""
        _put_text(self._otel_span, SpanAttributeKey.OUTPUTS, serialization.dumps(outputs))

    def set_outputs_json(self, json_text: bytes | str) -> None:
        """Record outputs already written as JSON (by orjson, say), as they are: for a caller that serialized them
        anyway, so they are not serialized twice. The text must be valid JSON; it is cut to the payload limit like
        any other."""
        text = (json_text.decode("utf-8", errors="replace") if isinstance(json_text, bytes)
                else serialization.safe_text(json_text))
        _put_text(self._otel_span, SpanAttributeKey.OUTPUTS, serialization.limited(text))

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute; any value is accepted and stored as JSON."""
        name = key if type(key) is str and key.isascii() else serialization.safe_str(key)
        _put_text(self._otel_span, name, serialization.dumps(value))

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Set several attributes; a mapping whose iteration raises is noted in a `tracekit.error` attribute."""
        try:
            items = list(attributes.items())
        except Exception as error:  # noqa: BLE001 - the user's mapping raised: never into their code
            items = [("tracekit.error", serialization.marker(f"attributes could not be read: {type(error).__name__}"))]
        for key, value in items:
            self.set_attribute(key, value)

    def set_span_type(self, span_type: str) -> None:
        """Change the span's type."""
        self._otel_span.set_attribute(SpanAttributeKey.SPAN_TYPE, _span_type_json(span_type))

    def set_status(self, status: SpanStatus | SpanStatusCode | str, description: str = "") -> None:
        """Set the status: a `SpanStatus`, a `SpanStatusCode` or "OK" / "ERROR"."""
        span_status = to_span_status(status, description)
        otel_code = _TO_OTEL_STATUS[span_status.status_code]
        self._otel_span.set_status(Status(otel_code, span_status.description or None))

    def add_event(self, event: SpanEvent | str, attributes: Mapping[str, Any] | None = None,
                  timestamp_ns: int | None = None) -> None:
        """Record an event: a `SpanEvent`, or a name with attributes (non-primitive values stored as JSON)."""
        if isinstance(event, SpanEvent):
            name, attributes, timestamp_ns = event.name, event.attributes, event.timestamp_ns
        else:
            name = event
        self._otel_span.add_event(serialization.safe_str(name), _event_attributes(attributes),
                                  timestamp_ns or time.time_ns())

    def record_exception(self, exception: BaseException) -> None:
        """Add an `exception` event (type, message, stack trace) and set the status to ERROR."""
        attributes = _exception_event(exception)
        self._otel_span.add_event("exception", attributes)
        self._otel_span.set_status(Status(StatusCode.ERROR,
                                          f"{type(exception).__name__}: {attributes['exception.message']}"))

    def end(self, outputs: Any = None, attributes: Mapping[str, Any] | None = None,
            status: SpanStatus | SpanStatusCode | str | None = None, end_time_ns: int | None = None) -> None:
        """End the span, optionally setting outputs, attributes and status first."""
        if outputs is not None:
            self.set_outputs(outputs)
        if attributes:
            self.set_attributes(attributes)
        if status is not None:
            self.set_status(status)
        self._otel_span.end(end_time=end_time_ns)

    def otel_context(self):
        """An OpenTelemetry context whose current span is this one, for starting children (cached)."""
        if self._otel_context is None:
            self._otel_context = trace_api.set_span_in_context(self._otel_span)
        return self._otel_context

    def to_immutable_span(self) -> Span:
        """A `Span` snapshot of the current state."""
        return span_from_otel(self._otel_span, self.trace_id)

    def __repr__(self) -> str:
        return f"LiveSpan(name={self.name!r}, trace_id={self.trace_id!r}, span_id={self.span_id!r})"


_SPAN_TYPE_JSON: dict[str, str] = {}


def _span_type_json(span_type: Any) -> str:
    # A handful of distinct types per process: cache their JSON form off the hot path.
    span_type = getattr(span_type, "value", span_type)
    cached = _SPAN_TYPE_JSON.get(span_type)
    if cached is None:
        cached = serialization.dumps(str(span_type))
        if len(_SPAN_TYPE_JSON) < 1024:
            _SPAN_TYPE_JSON[span_type] = cached
    return cached


class UnsampledSpan(LiveSpan):
    """A span of a trace that TRACEKIT_TRACE_SAMPLING_RATIO dropped: it has ids, so its children are dropped
    with it, and records nothing."""

    __slots__ = ()
    recording = False

    def __init__(self, otel_span: trace_api.Span) -> None:
        super().__init__(otel_span)

    parent_id = None
    name = ""
    span_type = SpanType.UNKNOWN
    start_time_ns = 0
    end_time_ns = None
    status = SpanStatus()
    inputs = None
    outputs = None
    attributes: dict[str, Any] = {}
    raw_attributes: Mapping[str, Any] = {}
    events: list[SpanEvent] = []

    def get_attribute(self, key: str) -> None:
        """Always None."""
        return None

    def _ignore(self, *args: Any, **kwargs: Any) -> None:
        return None

    set_inputs = set_outputs = set_outputs_json = set_attribute = set_attributes = set_span_type = _ignore
    set_status = add_event = record_exception = _ignore

    def end(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to end."""


class NoOpSpan:
    """What tracing APIs hand out while tracing is disabled: accepts every call, records nothing."""

    recording = False
    trace_id = None
    request_id = None
    span_id = None
    parent_id = None
    name = None
    span_type = None
    start_time_ns = None
    end_time_ns = None
    inputs = None
    outputs = None
    status = SpanStatus()

    @property
    def attributes(self) -> dict[str, Any]:
        """Always empty."""
        return {}

    @property
    def raw_attributes(self) -> Mapping[str, Any]:
        """Always empty."""
        return {}

    @property
    def events(self) -> list[SpanEvent]:
        """Always empty."""
        return []

    def get_attribute(self, key: str) -> None:
        """Always None."""
        return None

    def _ignore(self, *args: Any, **kwargs: Any) -> None:
        return None

    set_inputs = set_outputs = set_outputs_json = set_attribute = set_attributes = set_span_type = _ignore
    set_status = add_event = record_exception = end = _ignore

    def __repr__(self) -> str:
        return "NoOpSpan()"
