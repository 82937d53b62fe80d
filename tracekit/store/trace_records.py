"""`TraceRecord`: a stored trace as a store read it, its spans still JSON text. Turning it into a `Trace` parses each
span once; building a DataFrame from it (`tracekit.dataframes`) parses only the root span's text while the frame is
built, and never builds `Span` objects, which is what makes `search_traces(return_type="pandas")` cheap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracekit.entities import Span, Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.assessment import Assessment
from tracekit.entities.trace_info import info_dict

# `TraceInfo`'s fields in its constructor's order: what `TraceRecord.from_fields` takes.
InfoFields = tuple[str, str, int, "int | None", "TraceState | str", "str | None", "str | None", "str | None",
                   dict[str, str], dict[str, str], list[Assessment]]


class TraceRecord:
    """One stored trace: `info`, and `span_texts`, the JSON text of each span's `Span.to_dict()` in the order
    `TraceData` keeps spans (empty when the search was made without spans); `root_index` is the position of the
    root span's text among them (see `root_position`), None when there is no span or no root.

    A store may make it `from_fields`: the `TraceInfo` is then made only when `info` is first read, and a
    DataFrame row takes `info_dict()` straight from the fields."""

    __slots__ = ("_info", "_fields", "span_texts", "root_index")

    def __init__(self, info: TraceInfo, span_texts: list[str] | None = None, root_index: int | None = None) -> None:
        self._info: TraceInfo | None = info
        self._fields: InfoFields | None = None
        self.span_texts: list[str] = [] if span_texts is None else span_texts
        self.root_index = root_index

    @classmethod
    def from_fields(cls, fields: InfoFields, span_texts: list[str], root_index: int | None) -> TraceRecord:
        """A record whose info has these fields (`TraceInfo`'s, in its constructor's order; `state` may be its
        text), the `TraceInfo` made only if `info` is read."""
        record = cls.__new__(cls)
        record._info, record._fields = None, fields
        record.span_texts, record.root_index = span_texts, root_index
        return record

    @property
    def info(self) -> TraceInfo:
        """The trace's `TraceInfo` (made from the fields the first time when the record was made from them)."""
        if self._info is None:
            fields = self._fields
            assert fields is not None
            (trace_id, experiment_id, request_time, duration, state, request_preview, response_preview,
             client_request_id, metadata, tags, assessments) = fields
            self._info = TraceInfo(trace_id, experiment_id, request_time, duration,
                                   state if isinstance(state, TraceState) else TraceState(state), request_preview,
                                   response_preview, client_request_id, metadata, tags, assessments)
            self._fields = None
        return self._info

    @property
    def tags(self) -> dict[str, str]:
        """The trace's tags (read without making the `TraceInfo`)."""
        return self._fields[9] if self._fields is not None else self.info.tags

    def info_dict(self) -> dict[str, Any]:
        """`info.to_dict()`, made from the fields when the record has them (see `info_dict`)."""
        fields = self._fields
        return info_dict(*fields) if fields is not None else self.info.to_dict()

    def to_trace(self) -> Trace:
        """The `Trace` (each span parsed here, keeping its text for `Trace.to_json`)."""
        return Trace(info=self.info, data=TraceData(spans=[Span.from_json(text) for text in self.span_texts]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TraceRecord):
            return NotImplemented
        return (self.info, self.span_texts, self.root_index) == (other.info, other.span_texts, other.root_index)

    def __repr__(self) -> str:
        return f"TraceRecord(info={self.info!r}, span_texts={self.span_texts!r}, root_index={self.root_index!r})"


def root_position(span_ids: Sequence[str], parent_ids: Sequence[str | None]) -> int | None:
    """Where the root is among a trace's spans, given each span's id and its parent's: the first span without a
    parent, else the first whose parent is not in the trace (an orphan standing in for a root not yet stored)."""
    for index, parent_id in enumerate(parent_ids):
        if parent_id is None:
            return index
    known = set(span_ids)
    return next((index for index, parent_id in enumerate(parent_ids) if parent_id not in known), None)
