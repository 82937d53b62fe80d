"""The one read path for traces: `get_trace`, `search_traces`, `count_traces` and `TracekitClient`'s reads all go
through a `TraceReader`. A running trace is read from the in-memory buffer; anything else from the trace store of the
tracking URI's backend, after what this process has completed is delivered (read-your-writes)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from tracekit.entities import Trace, TraceState
from tracekit.entities.ids import require_trace_id
from tracekit.store.trace_records import TraceRecord
from tracekit.tracing import trace_defaults
from tracekit.tracing.attachments import has_attachments, load_large_values
from tracekit.tracing.runtime import RUNTIME

if TYPE_CHECKING:
    from tracekit.store.paging import PagedList
    from tracekit.store.trace_store import TraceStore


def trace_scope(experiment_ids: Sequence[str] | str | None, run_id: str | None,
                model_id: str | None) -> list[str]:
    """The experiments a trace search or count covers: those given; else, for a run's or a model's traces, all of
    them (the run_id and model_id indexes find those wherever they are); else the current experiment."""
    if experiment_ids:
        return [experiment_ids] if isinstance(experiment_ids, str) else [str(e) for e in experiment_ids]
    if run_id is not None or model_id is not None:
        return []
    return [trace_defaults.current_experiment_id()]


class TraceReader:
    """Reads traces of one tracking URI (default: the current one, looked up on each read).

    >>> TraceReader().get_trace("tr-0123456789abcdef0123456789abcdef")
    """

    def __init__(self, tracking_uri: str | None = None) -> None:
        self._tracking_uri = tracking_uri

    @property
    def store(self) -> TraceStore:
        """The trace store of the tracking URI's backend (on the first read of the URI in this process, after what
        earlier processes spilled for it is replayed)."""
        from tracekit.store.backend import get_backend
        from tracekit.tracing.spill_replay import replay_spill_once
        from tracekit.tracking_uri import get_tracking_uri

        uri = self._tracking_uri or get_tracking_uri()
        replay_spill_once(uri)
        return get_backend(uri).traces

    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id: a snapshot (state IN_PROGRESS) while it runs in this process, else the stored
        copy, or None."""
        entry = RUNTIME.buffer.get(require_trace_id(trace_id))
        if entry is not None:
            snapshot = entry.build_trace()
            snapshot.info.state = TraceState.IN_PROGRESS
            return snapshot
        RUNTIME.queue.flush()
        trace = self.store.get_trace(trace_id)
        return None if trace is None else load_large_values(trace)

    def search(self, experiment_ids: Sequence[str] | str | None = None, filter_string: str | None = None,
               max_results: int | None = 100, order_by: Sequence[str] | None = None, page_token: str | None = None,
               run_id: str | None = None, model_id: str | None = None,
               include_spans: bool = True) -> PagedList[Trace]:
        """One page of stored traces matching the filter (see `tracekit.search_traces` for the scope)."""
        RUNTIME.queue.flush()
        page = self.store.search_traces(
            trace_scope(experiment_ids, run_id, model_id), filter_string=filter_string, max_results=max_results,
            order_by=list(order_by) if order_by else None, page_token=page_token, run_id=run_id, model_id=model_id,
            include_spans=include_spans)
        if include_spans:
            page[:] = [load_large_values(trace) for trace in page]
        return page

    def search_records(self, experiment_ids: Sequence[str] | str | None = None, filter_string: str | None = None,
                       max_results: int | None = 100, order_by: Sequence[str] | None = None,
                       page_token: str | None = None, run_id: str | None = None, model_id: str | None = None,
                       include_spans: bool = True) -> PagedList[Trace | TraceRecord]:
        """`search`, answered with the store's `TraceRecord`s where it has them (spans as unparsed JSON); a trace
        with attachments comes back as a `Trace` with them loaded."""
        RUNTIME.queue.flush()
        page = self.store.search_trace_records(
            trace_scope(experiment_ids, run_id, model_id), filter_string=filter_string, max_results=max_results,
            order_by=list(order_by) if order_by else None, page_token=page_token, run_id=run_id, model_id=model_id,
            include_spans=include_spans)
        if include_spans:
            page[:] = [_with_attachments(item) for item in page]
        return page

    def iter_record_chunks(self, experiment_ids: Sequence[str] | str | None = None, filter_string: str | None = None,
                           max_results: int | None = 100, order_by: Sequence[str] | None = None,
                           run_id: str | None = None, model_id: str | None = None,
                           include_spans: bool = True) -> Iterator[list[Trace | TraceRecord]]:
        """`search_records`' first page a list at a time, read by the store as they are consumed (see
        `TraceStore.iter_trace_record_chunks`); traces that ended in this process are delivered before the store is
        read. The lists are the caller's: it may drop each item as it uses it."""
        RUNTIME.queue.flush()
        for chunk in self.store.iter_trace_record_chunks(
                trace_scope(experiment_ids, run_id, model_id), filter_string=filter_string, max_results=max_results,
                order_by=list(order_by) if order_by else None, run_id=run_id, model_id=model_id,
                include_spans=include_spans):
            if include_spans and not all(type(item) is TraceRecord and not has_attachments(item)
                                         for item in chunk):
                chunk = [_with_attachments(item) for item in chunk]
            yield chunk

    def count(self, experiment_ids: Sequence[str] | str | None = None, run_id: str | None = None,
              model_id: str | None = None) -> int:
        """How many traces are stored in the scope, counted by the store."""
        RUNTIME.queue.flush()
        return self.store.count_traces(trace_scope(experiment_ids, run_id, model_id), run_id=run_id,
                                       model_id=model_id)


def _with_attachments(item: Trace | TraceRecord) -> Trace | TraceRecord:
    if isinstance(item, TraceRecord):
        return load_large_values(item.to_trace()) if has_attachments(item) else item
    return load_large_values(item)
