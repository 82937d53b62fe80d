"""The trace store contract: what any backend (SQL, a tracking server, a plugin) offers for traces."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence

from tracekit.entities import Trace, TraceInfo
from tracekit.entities.assessment import Assessment
from tracekit.entities.trace_merge import merge_trace
from tracekit.exceptions import TracekitException
from tracekit.store.paging import PagedList
from tracekit.store.trace_records import TraceRecord
from tracekit.store.trace_summaries import LlmUsage, TraceSession, sessions_from_traces, usage_from_traces


def _unsupported(store: TraceStore, what: str) -> TracekitException:
    return TracekitException.not_implemented(
        f"{what} is not supported by this store ({type(store).__name__}): it does not implement the assessment "
        "methods of TraceStore (log_assessment, get_assessment, update_assessment, delete_assessment).")


class TraceStore(abc.ABC):
    """Stores completed traces and answers searches over them."""

    @abc.abstractmethod
    def write_traces(self, traces: Sequence[Trace]) -> None:
        """Store `traces` in one transaction. Writing a trace id again merges: spans are added or replaced by span
        id, tags and metadata by key; the info comes from the copy holding the root span, while a fragment (a part
        whose root's parent is a span of another process) only adds spans and stretches the time window."""

    def merge_traces(self, traces: Sequence[Trace]) -> None:
        """Add `traces` to stored copies with the same ids (see `trace_merge.merge_trace`): spans are added, a span
        id seen again replaces its copy; traces not stored yet are written as they are. Used where one trace's spans
        arrive in several parts (OTLP ingest). This default reads, merges and writes without a lock; the SQL store
        does it in one transaction holding each trace's row."""
        merged = []
        for trace in traces:
            stored = self.get_trace(trace.info.trace_id)
            merged.append(trace if stored is None else merge_trace(stored, trace))
        self.write_traces(merged)

    @abc.abstractmethod
    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id, spans included, or None."""

    @abc.abstractmethod
    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> PagedList[Trace]:
        """Traces matching the filter, newest first unless `order_by` says otherwise, one page at a time."""

    def search_trace_records(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> PagedList[Trace | TraceRecord]:
        """`search_traces`, answered with `TraceRecord`s (spans as unparsed JSON text) where the store keeps spans
        that way, so a DataFrame can be built without `Span` objects; a `Trace` is fine too. This default returns
        `search_traces`' traces."""
        page = self.search_traces(experiment_ids, filter_string=filter_string, max_results=max_results,
                                  order_by=order_by, page_token=page_token, run_id=run_id, model_id=model_id,
                                  include_spans=include_spans)
        return PagedList(list(page), page.token)

    def iter_trace_record_chunks(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> Iterator[list[Trace | TraceRecord]]:
        """`search_trace_records`' first page a list of records at a time, in order: one generator step per chunk
        rather than per record. The store keeps no reference to a list it handed over, so the caller may drop each
        item as it uses it. This default hands over `search_trace_records`' list as one chunk."""
        page = self.search_trace_records(experiment_ids, filter_string=filter_string, max_results=max_results,
                                         order_by=order_by, run_id=run_id, model_id=model_id,
                                         include_spans=include_spans)
        yield list(page)

    @abc.abstractmethod
    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """Add or replace one tag of a stored trace."""

    @abc.abstractmethod
    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Remove one tag of a stored trace."""

    @abc.abstractmethod
    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """Delete traces (oldest first when `max_traces` is given); returns how many were deleted."""

    # --- assessments: stores that keep them override these; reading traces then fills `info.assessments` -------
    def log_assessment(self, assessment: Assessment) -> None:
        """Store a new assessment on its trace (`assessment.trace_id`, `assessment.assessment_id` set);
        ResourceNotFoundError naming the trace if it is not stored."""
        raise _unsupported(self, "Logging feedback or expectations")

    def log_assessments(self, assessments: Sequence[Assessment]) -> None:
        """Store many new assessments (on one trace or many); stores that can override this to write them in one
        transaction. ResourceNotFoundError naming the first trace that is not stored."""
        for assessment in assessments:
            self.log_assessment(assessment)

    def set_tag_on_traces(self, trace_ids: Sequence[str], key: str, value: str) -> None:
        """Set one tag on several stored traces, as `set_trace_tag` does on one; a store that can does it in one
        transaction."""
        for trace_id in trace_ids:
            self.set_trace_tag(trace_id, key, value)

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """The stored assessment, or ResourceNotFoundError naming it."""
        raise _unsupported(self, "Reading assessments")

    def update_assessment(self, assessment: Assessment) -> None:
        """Replace the name, value, rationale, error, metadata and update time of the stored assessment with the same
        trace id and assessment id; ResourceNotFoundError naming it if there is none."""
        raise _unsupported(self, "Updating assessments")

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete one assessment; ResourceNotFoundError naming it if there is none."""
        raise _unsupported(self, "Deleting assessments")

    def count_traces(self, experiment_ids: Sequence[str], run_id: str | None = None,
                     model_id: str | None = None) -> int:
        """How many traces the experiments hold (all experiments if empty), only a run's or a model's when given.

        This fallback pages through the search without spans; stores that can count in place override it."""
        total, token = 0, None
        while True:
            page = self.search_traces(experiment_ids, max_results=1000, page_token=token, run_id=run_id,
                                      model_id=model_id, include_spans=False)
            total += len(page)
            token = page.token
            if not token:
                return total

    def root_span_names(self, trace_ids: Sequence[str]) -> dict[str, str]:
        """Trace id -> name of its root span, for traces searched without their spans (a table of traces shows
        it). Stores that cannot tell without loading every span return {} (this default)."""
        return {}

    def llm_usage(self, experiment_ids: Sequence[str], run_id: str | None = None,
                  model_id: str | None = None) -> list[LlmUsage]:
        """Tokens and cost of the experiments' traces (only a run's or a logged model's when given), summed by the
        LLM model the traces called, most tokens first.

        This fallback pages through the search without spans; stores that can sum in place override it."""
        return usage_from_traces(self._all_infos(experiment_ids, run_id=run_id, model_id=model_id))

    def search_sessions(self, experiment_ids: Sequence[str], max_results: int = 100,
                        page_token: str | None = None) -> PagedList[TraceSession]:
        """The experiments' conversations (traces grouped by `tracekit.trace.session` metadata), the most recently
        active first, one page of `max_results`.

        This fallback reads every trace's info and returns them all on one page; the SQL store groups in place."""
        return PagedList(sessions_from_traces(self._all_infos(experiment_ids)), None)

    def _all_infos(self, experiment_ids: Sequence[str], run_id: str | None = None,
                   model_id: str | None = None) -> Iterator[TraceInfo]:
        token = None
        while True:
            page = self.search_traces(experiment_ids, max_results=1000, page_token=token, run_id=run_id,
                                      model_id=model_id, include_spans=False)
            yield from (trace.info for trace in page)
            token = page.token
            if not token:
                return

    def ping(self) -> None:
        """Raise if the store cannot be reached now (used before replaying spilled traces)."""

    def close(self) -> None:
        """Release connections."""
