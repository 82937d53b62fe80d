"""`SpanList`: one cell of a `search_traces` DataFrame's `spans` column, the trace's readable span dicts decoded on
first use rather than while the frame is built, and `SpanSources`, the undecoded spans of one frame's cells."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from tracekit.entities import Span
from tracekit.exceptions import TracekitException
from tracekit.gc_pause import paused_gc
from tracekit.readable_spans import readable_spans, span_to_readable_dict

# The most cells one read decodes ahead of the one asked for (see `SpanSources.take`).
READ_AHEAD_MAX = 1024


class SpanSources:
    """The undecoded spans of one frame's `spans` cells, in row order. A cell read right after the last ones decoded
    decodes the next cells with it, in runs doubling up to READ_AHEAD_MAX, under one paused garbage collector; a cell
    read out of order decodes alone. Reading every cell of a large frame in order thus allocates in a few hundred
    bursts, and the collector, whose full collections walk the whole frame, runs a few hundred times instead of tens
    of thousands (in benchmarks/dataframes.py's second table, those collections were about half of such a loop's
    time). Decoded cells not read yet are held here: at most READ_AHEAD_MAX of them."""

    __slots__ = ("_trace_ids", "_sources", "_starts", "_ready", "_next", "_run")

    def __init__(self) -> None:
        self._trace_ids: list[str] = []
        self._sources: list[str | Sequence[Span] | None] = []  # None once decoded
        self._starts: list[int] = []
        self._ready: dict[int, list[dict[str, Any]]] = {}
        self._next = -1  # the index a read in order comes to next
        self._run = 1

    def add(self, trace_id: str, source: str | Sequence[Span] | None, start: int = 0) -> int:
        """Add the spans of trace `trace_id` (see `SpanList`; None: nothing to decode); their index, in the order
        added."""
        self._trace_ids.append(trace_id)
        self._sources.append(source)
        self._starts.append(start)
        return len(self._sources) - 1

    def take(self, index: int) -> list[dict[str, Any]]:
        """The decoded spans at `index`, handed over once (the cell keeps them); TracekitException if they cannot
        be decoded."""
        spans = self._ready.pop(index, None)
        if spans is not None:
            return spans
        run = min(self._run * 2, READ_AHEAD_MAX) if index == self._next else 1
        # Only cells already added are decoded ahead: while a frame is built (extract_fields reads each cell as it
        # is added) there are none, so the run stays short and the next cell read still counts as in order.
        end = min(index + run, len(self._sources))
        with paused_gc():
            spans = self._decode(index)
            for later in range(index + 1, end):
                if self._sources[later] is not None:
                    try:
                        self._ready[later] = self._decode(later)
                    except TracekitException:
                        pass  # raised again when that cell is read
        self._run, self._next = end - index, end
        return spans

    def _decode(self, index: int) -> list[dict[str, Any]]:
        source = self._sources[index]
        try:
            if isinstance(source, str):
                spans = readable_spans(source[self._starts[index]:-2])
            else:
                spans = [span_to_readable_dict(span) for span in source or ()]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise TracekitException(f"The stored spans of trace {self._trace_ids[index]} could not be decoded "
                                    f"({type(error).__name__}: {error}); read it with get_trace() to see which span "
                                    "is malformed.") from error
        self._sources[index] = None
        return spans


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

    __slots__ = ("_sources", "_index", "_length", "_spans")

    def __init__(self, trace_id: str, source: str | Sequence[Span], length: int, start: int = 0,
                 sources: SpanSources | None = None) -> None:
        """The spans of trace `trace_id`: `source` is either the trace's `Span`s or a JSON text whose tail, from
        `start` up to its last two characters, is the array of the spans' `to_dict()` JSON (as the `trace` column's
        text ends, so the cell shares that text rather than holding a copy); `length` is how many spans it holds.
        `sources`: the `SpanSources` of the frame's other cells, to decode along with them."""
        self._sources = SpanSources() if sources is None else sources
        self._index = self._sources.add(trace_id, source if length else None, start)
        self._length = length
        self._spans: list[dict[str, Any]] | None = None if length else []

    def _decoded(self) -> list[dict[str, Any]]:
        spans = self._spans
        if spans is None:
            spans = self._spans = self._sources.take(self._index)
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
