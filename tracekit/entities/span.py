"""Completed spans and the small value types around them (type, status, event)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from tracekit import serialization
from tracekit.constants import SpanAttributeKey


class SpanType:
    """Well-known span types; any other string is accepted too."""

    LLM = "LLM"
    CHAT_MODEL = "CHAT_MODEL"
    CHAIN = "CHAIN"
    AGENT = "AGENT"
    TOOL = "TOOL"
    RETRIEVER = "RETRIEVER"
    EMBEDDING = "EMBEDDING"
    RERANKER = "RERANKER"
    PARSER = "PARSER"
    MEMORY = "MEMORY"
    WORKFLOW = "WORKFLOW"
    TASK = "TASK"
    GUARDRAIL = "GUARDRAIL"
    EVALUATOR = "EVALUATOR"
    UNKNOWN = "UNKNOWN"


class SpanStatusCode(str, enum.Enum):
    """Status of one span, as in OpenTelemetry."""

    UNSET = "UNSET"
    OK = "OK"
    ERROR = "ERROR"


@dataclass(frozen=True)
class SpanStatus:
    """A span's status code and, for errors, a description."""

    status_code: SpanStatusCode = SpanStatusCode.UNSET
    description: str = ""

    def to_dict(self) -> dict[str, str]:
        """`{"code": ..., "message": ...}`."""
        return {"code": self.status_code._value_, "message": self.description}  # `.value` is a slow descriptor

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> SpanStatus:
        """Inverse of `to_dict`."""
        code, message = data.get("code", "UNSET"), data.get("message", "")
        if not message:
            shared = _PLAIN_STATUSES.get(code)
            if shared is not None:
                return shared
        return cls(SpanStatusCode(code), message)


# The statuses without a description, shared (SpanStatus is immutable): reading stored spans builds one per span.
_PLAIN_STATUSES = {code.value: SpanStatus(code) for code in SpanStatusCode}


@dataclass(frozen=True)
class SpanEvent:
    """Something that happened at a point in a span's life, such as an exception."""

    name: str
    timestamp_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"name": self.name, "timestamp_ns": self.timestamp_ns, "attributes": dict(self.attributes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpanEvent:
        """Inverse of `to_dict`."""
        return cls(data["name"], int(data["timestamp_ns"]), dict(data.get("attributes") or {}))


class BaseSpan:
    """What can be read of a span, finished (`Span`) or running (`tracekit.LiveSpan`, which adds the setters).

    A subclass provides the fields (`trace_id`, `span_id`, `parent_id`, `name`, `start_time_ns`, `end_time_ns`,
    `status`, `events`) and `raw_attributes`, the attribute values as stored: JSON text for everything tracekit
    sets (inputs and outputs live there under `SpanAttributeKey.INPUTS`/`OUTPUTS`). The accessors derived from
    them are defined here, once.
    """

    __slots__ = ()

    if TYPE_CHECKING:  # read-only here: a stored span holds them as fields, a live one reads them off its OTel span
        @property
        def trace_id(self) -> str: ...
        @property
        def span_id(self) -> str: ...
        @property
        def parent_id(self) -> str | None: ...
        @property
        def name(self) -> str: ...
        @property
        def start_time_ns(self) -> int: ...
        @property
        def end_time_ns(self) -> int | None: ...
        @property
        def status(self) -> SpanStatus: ...
        @property
        def events(self) -> list[SpanEvent]: ...
        @property
        def raw_attributes(self) -> Mapping[str, Any]: ...

    @property
    def request_id(self) -> str:
        """Alias of `trace_id`, for code written against MLflow."""
        return self.trace_id

    @property
    def span_type(self) -> str:
        """The span's type (a `SpanType` value or any string)."""
        return self.get_attribute(SpanAttributeKey.SPAN_TYPE) or SpanType.UNKNOWN

    @property
    def inputs(self) -> Any:
        """What went into the span (for a traced function: its arguments by name)."""
        return self.get_attribute(SpanAttributeKey.INPUTS)

    @property
    def outputs(self) -> Any:
        """What came out of the span (for a traced function: its return value)."""
        return self.get_attribute(SpanAttributeKey.OUTPUTS)

    @property
    def attributes(self) -> dict[str, Any]:
        """All attributes, decoded."""
        return {key: serialization.loads(value) for key, value in self.raw_attributes.items()}

    @property
    def duration_ns(self) -> int | None:
        """End minus start, or None while unfinished."""
        end = self.end_time_ns
        return None if end is None else end - self.start_time_ns

    def get_attribute(self, key: str) -> Any:
        """One attribute, decoded, or None."""
        raw = self.raw_attributes.get(key)
        return None if raw is None else serialization.loads(raw)


class Span(BaseSpan):
    """One finished span of a trace. Immutable; inputs, outputs and attributes are decoded from JSON on access
    (see `BaseSpan` for the accessors)."""

    __slots__ = ("trace_id", "span_id", "parent_id", "name", "start_time_ns", "end_time_ns", "status",
                 "raw_attributes", "events", "_stored_json")

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_time_ns: int
    end_time_ns: int | None
    status: SpanStatus
    raw_attributes: Mapping[str, Any]
    events: list[SpanEvent]

    def __init__(
        self,
        *,
        trace_id: str,
        span_id: str,
        parent_id: str | None,
        name: str,
        start_time_ns: int,
        end_time_ns: int | None,
        status: SpanStatus,
        raw_attributes: dict[str, Any],
        events: list[SpanEvent],
    ) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.parent_id = parent_id
        self.name = name
        self.start_time_ns = start_time_ns
        self.end_time_ns = end_time_ns
        self.status = status
        self.raw_attributes = raw_attributes
        self.events = events
        # The JSON text this span was read from (`from_json`), reused as is when its trace is written as JSON.
        self._stored_json: str | None = None

    @property
    def stored_json(self) -> str | None:
        """The JSON text of `to_dict()` this span was read from (`from_json`), or None for a span built otherwise."""
        return self._stored_json

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; attribute values stay as stored JSON text."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_id": self.parent_id,
            "name": self.name,
            "start_time_ns": self.start_time_ns,
            "end_time_ns": self.end_time_ns,
            "status": self.status.to_dict(),
            "attributes": dict(self.raw_attributes),
            "events": [event.to_dict() for event in self.events],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        """Inverse of `to_dict`."""
        end_time_ns = data.get("end_time_ns")
        events = data.get("events")
        return cls(
            trace_id=data["trace_id"],
            span_id=data["span_id"],
            parent_id=data.get("parent_id"),
            name=data["name"],
            start_time_ns=int(data["start_time_ns"]),
            end_time_ns=None if end_time_ns is None else int(end_time_ns),
            status=SpanStatus.from_dict(data.get("status") or {}),
            raw_attributes=dict(data.get("attributes") or {}),
            events=[SpanEvent.from_dict(event) for event in events] if events else [],
        )

    @classmethod
    def from_json(cls, text: str) -> Span:
        """A span from the JSON text of its `to_dict()` (as a store keeps it), parsed once; the text is kept for
        `Trace.to_json`, which then needs no second encoding."""
        span = cls.from_dict(orjson.loads(text))
        span._stored_json = text
        return span

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (f"Span(name={self.name!r}, span_type={self.span_type!r}, span_id={self.span_id!r}, "
                f"parent_id={self.parent_id!r}, status={self.status.status_code.value})")
