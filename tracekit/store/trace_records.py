"""`TraceRecord`: a stored trace as a store read it, its spans still JSON text. Turning it into a `Trace` parses each
span once; building a DataFrame from it (`tracekit.dataframes`) parses only the root span's text while the frame is
built, and never builds `Span` objects, which is what makes `search_traces(return_type="pandas")` cheap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tracekit.entities import Span, Trace, TraceData, TraceInfo


@dataclass
class TraceRecord:
    """One stored trace: `info`, and `span_texts`, the JSON text of each span's `Span.to_dict()` in the order
    `TraceData` keeps spans (empty when the search was made without spans); `root_index` is the position of the
    root span's text among them (see `root_position`), None when there is no span or no root."""

    info: TraceInfo
    span_texts: list[str] = field(default_factory=list)
    root_index: int | None = None

    def to_trace(self) -> Trace:
        """The `Trace` (each span parsed here, keeping its text for `Trace.to_json`)."""
        return Trace(info=self.info, data=TraceData(spans=[Span.from_json(text) for text in self.span_texts]))


def root_position(span_ids: Sequence[str], parent_ids: Sequence[str | None]) -> int | None:
    """Where the root is among a trace's spans, given each span's id and its parent's: the first span without a
    parent, else the first whose parent is not in the trace (an orphan standing in for a root not yet stored)."""
    for index, parent_id in enumerate(parent_ids):
        if parent_id is None:
            return index
    known = set(span_ids)
    return next((index for index, parent_id in enumerate(parent_ids) if parent_id not in known), None)
