"""`SpanList`: one cell of a `search_traces` DataFrame's `spans` column, the trace's readable span dicts decoded on
first use rather than while the frame is built."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from tracekit.entities import Span
from tracekit.exceptions import TracekitException
from tracekit.readable_spans import readable_spans, span_to_readable_dict


class SpanList(Sequence[dict[str, Any]]):
    """A trace's spans as the dicts `span_to_readable_dict` makes, decoded on first access (index, iteration,
    `repr`, `==`) and then kept, so each span is decoded once. `len()` needs no decoding. Read-only; equal to a
    list of the same dicts; pickles and copies as a plain list; `to_list()` gives a list (what JSON encoders,
    `json.dumps` or `DataFrame.to_json`, need: they write lists only). A stored span that cannot be decoded raises
    TracekitException naming the trace when the cell is first read.

    >>> cell = frame["spans"][0]
    >>> len(cell), [span["name"] for span in cell], cell == cell.to_list()
    (3, ['retrieve', 'llm', 'root'], True)
    """

    __slots__ = ("_trace_id", "_source", "_start", "_length", "_spans")

    def __init__(self, trace_id: str, source: str | Sequence[Span], length: int, start: int = 0) -> None:
        """The spans of trace `trace_id`: `source` is either the trace's `Span`s or a JSON text whose tail, from
        `start` up to its last two characters, is the array of the spans' `to_dict()` JSON (as the `trace` column's
        text ends, so the cell shares that text rather than holding a copy); `length` is how many spans it holds."""
        self._trace_id = trace_id
        self._source: str | Sequence[Span] | None = source
        self._start = start
        self._length = length
        self._spans: list[dict[str, Any]] | None = None if length else []

    def _decoded(self) -> list[dict[str, Any]]:
        spans = self._spans
        if spans is None:
            source = self._source
            try:
                if isinstance(source, str):
                    spans = readable_spans(source[self._start:-2])
                else:
                    spans = [span_to_readable_dict(span) for span in source or ()]
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise TracekitException(f"The stored spans of trace {self._trace_id} could not be decoded "
                                        f"({type(error).__name__}: {error}); read it with get_trace() to see "
                                        "which span is malformed.") from error
            self._spans = spans
            self._source = None
        return spans

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self._decoded()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpanList):
            return self._decoded() == other._decoded()
        if isinstance(other, list):
            return self._decoded() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable like them

    def __repr__(self) -> str:
        return repr(self._decoded())

    def __reduce__(self) -> tuple[type[list[Any]], tuple[list[dict[str, Any]]]]:
        return list, (self._decoded(),)

    def to_list(self) -> list[dict[str, Any]]:
        """The span dicts as a new list (the dicts themselves are the ones this cell holds)."""
        return list(self._decoded())
