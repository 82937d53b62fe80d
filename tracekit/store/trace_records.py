"""`TraceRecord`: a stored trace as a store read it, its spans still JSON text. Turning it into a `Trace` parses each
span once; building a DataFrame from it (`tracekit.dataframes`) parses each span once too and never builds `Span`
objects, which is what makes `search_traces(return_type="pandas")` cheap."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracekit.entities import Span, Trace, TraceData, TraceInfo


@dataclass
class TraceRecord:
    """One stored trace: `info`, and `span_texts`, the JSON text of each span's `Span.to_dict()` in the order
    `TraceData` keeps spans (empty when the search was made without spans)."""

    info: TraceInfo
    span_texts: list[str] = field(default_factory=list)

    def to_trace(self) -> Trace:
        """The `Trace` (each span parsed here, keeping its text for `Trace.to_json`)."""
        return Trace(info=self.info, data=TraceData(spans=[Span.from_json(text) for text in self.span_texts]))
