"""`Trace` (info + data) and `TraceData` (the spans)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from tracekit.constants import SpanAttributeKey
from tracekit.entities.span import Span
from tracekit.entities.trace_info import TraceInfo
from tracekit.exceptions import TracekitException


def span_order(span: Span) -> tuple[int, int, str]:
    """Sort key giving the order spans ended in (children before their parents), as `TraceData` keeps them."""
    end = span.end_time_ns if span.end_time_ns is not None else 1 << 63
    return end, -span.start_time_ns, span.span_id


def top_span(spans: list[Span]) -> Span | None:
    """The span that heads `spans`: the one without a parent, else the earliest one whose parent is not among
    them (a trace whose root has not arrived yet, or whose root lives in another service)."""
    ids = {span.span_id for span in spans}
    best: Span | None = None
    for span in spans:
        if span.parent_id is None:
            return span
        if span.parent_id not in ids and (best is None or span.start_time_ns < best.start_time_ns):
            best = span
    return best


@dataclass
class TraceData:
    """The spans of one trace, in the order they ended (children before their parents)."""

    spans: list[Span] = field(default_factory=list)

    @property
    def root_span(self) -> Span | None:
        """The span with no parent inside this trace."""
        ids = {span.span_id for span in self.spans}
        for span in self.spans:
            if span.parent_id is None or span.parent_id not in ids:
                return span
        return None

    @property
    def request(self) -> str | None:
        """The root span's inputs as JSON text."""
        root = self.root_span
        return None if root is None else root.raw_attributes.get(SpanAttributeKey.INPUTS)

    @property
    def response(self) -> str | None:
        """The root span's outputs as JSON text."""
        root = self.root_span
        return None if root is None else root.raw_attributes.get(SpanAttributeKey.OUTPUTS)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"spans": [span.to_dict() for span in self.spans]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceData:
        """Inverse of `to_dict`."""
        return cls(spans=[Span.from_dict(span) for span in data.get("spans") or []])


@dataclass
class Trace:
    """One complete trace: `info` (ids, times, state, tags, metadata) and `data` (the spans)."""

    info: TraceInfo
    data: TraceData

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: `{"info": ..., "data": {"spans": [...]}}`."""
        return {"info": self.info.to_dict(), "data": self.data.to_dict()}

    def to_json(self, pretty: bool = False) -> str:
        """The trace as JSON text; `Trace.from_json` reads it back."""
        if pretty:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2).decode("utf-8")
        # Spans read from a store carry their JSON text: embedded as it is instead of being encoded again.
        spans = [orjson.Fragment(span.stored_json) if isinstance(span, Span) and span.stored_json is not None
                 else span.to_dict() for span in self.data.spans]
        return orjson.dumps({"info": self.info.to_dict(), "data": {"spans": spans}},
                            option=orjson.OPT_NON_STR_KEYS).decode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """Inverse of `to_dict`; a TracekitException says what is missing or malformed in `data`."""
        try:
            return cls(info=TraceInfo.from_dict(data["info"]), data=TraceData.from_dict(data.get("data") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            problem = f"missing key {error}" if isinstance(error, KeyError) else f"{type(error).__name__}: {error}"
            raise TracekitException.invalid_parameter_value(
                f"Trace.from_dict(): not a trace ({problem}). Expected what Trace.to_dict() returns: "
                '{"info": {"trace_id", "request_time", ...}, "data": {"spans": [...]}}.') from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Trace:
        """Inverse of `to_json` (and reads the `trace` column of `search_traces`); a TracekitException says
        what is wrong with `text`.

        >>> frame = tracekit.search_traces(max_results=1)
        >>> Trace.from_json(frame["trace"][0]).data.root_span.name
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise TracekitException.invalid_parameter_value(
                f"Trace.from_json(): not JSON text ({error}); pass what Trace.to_json() returned.") from None
        if not isinstance(data, dict):
            raise TracekitException.invalid_parameter_value(
                f"Trace.from_json(): the JSON holds a {type(data).__name__}, not a trace object; pass what "
                "Trace.to_json() returned.")
        return cls.from_dict(data)

    def search_spans(
        self,
        span_type: str | None = None,
        name: str | re.Pattern[str] | None = None,
        span_id: str | None = None,
    ) -> list[Span]:
        """Spans matching every given criterion; `name` is an exact string or a compiled regex.

        >>> trace.search_spans(span_type=SpanType.LLM)
        >>> trace.search_spans(name=re.compile("retrieve_.*"))
        """
        def matches(span: Span) -> bool:
            if span_type is not None and span.span_type != str(span_type):
                return False
            if span_id is not None and span.span_id != span_id:
                return False
            if isinstance(name, re.Pattern):
                return name.fullmatch(span.name) is not None
            return name is None or span.name == name

        return [span for span in self.data.spans if matches(span)]

    def _repr_html_(self) -> str:
        """Jupyter's view: the span tree with types, statuses, durations and a timeline (text escaped)."""
        from tracekit.tracing.notebook_display import trace_html

        return trace_html(self)
