"""`TracekitClient`: the low-level API. Spans are addressed by ids instead of the current context, so they can be
started in one thread or callback and ended in another; and finished traces are read, tagged and deleted here."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry.trace import NonRecordingSpan, SpanContext

from tracekit import serialization
from tracekit.artifacts.artifact_paths import normalize_artifact_path
from tracekit.artifacts.local_files import existing_local_path
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.artifacts.run_artifacts import (
    dict_writer,
    log_file_content,
    log_local_path,
    run_artifact_repository,
    text_writer,
)
from tracekit.entities import SpanStatus, SpanStatusCode, Trace
from tracekit.entities.ids import format_span_id, parse_trace_id, require_trace_id
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.gc_pause import paused_gc
from tracekit.registry.registry_client import RegistryClientMethods
from tracekit.store.paging import PagedList
from tracekit.store.trace_store import TraceStore
from tracekit.tracing.assessment_methods import AssessmentClientMethods
from tracekit.tracing.buffer import TraceEntry
from tracekit.tracing.live_span import LiveSpan, NoOpSpan, UnsampledSpan
from tracekit.tracing.reader import TraceReader
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.spans import start_live_span
from tracekit.tracking_uri import get_tracking_uri
from tracekit.validation import check_delete_criteria


class _RecentIds:
    """A bounded set of trace ids, oldest forgotten first."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, trace_id: str) -> None:
        with self._lock:
            self._ids[trace_id] = None
            while len(self._ids) > self._limit:
                self._ids.popitem(last=False)

    def discard(self, trace_id: str) -> None:
        with self._lock:
            self._ids.pop(trace_id, None)

    def __contains__(self, trace_id: object) -> bool:
        return trace_id in self._ids


# Traces this client started that TRACEKIT_TRACE_SAMPLING_RATIO dropped: their spans are accepted and discarded.
_SAMPLED_OUT = _RecentIds(10_000)


def _unsampled_child(trace_id: str, parent_id: str) -> LiveSpan:
    context = SpanContext(parse_trace_id(trace_id), int(parent_id, 16), is_remote=False)
    return UnsampledSpan(NonRecordingSpan(context))


class TracekitClient(RegistryClientMethods, AssessmentClientMethods):
    """Low-level tracing and trace management, not tied to the current context; safe to use from any thread;
    feedback and expectations on traces (`AssessmentClientMethods`); and the model registry
    (`RegistryClientMethods`).

    >>> client = TracekitClient()
    >>> root = client.start_trace("handle_request", inputs={"q": "hi"})
    >>> child = client.start_span("lookup", trace_id=root.trace_id, parent_id=root.span_id)
    >>> client.end_span(root.trace_id, child.span_id, outputs=[1, 2])
    >>> client.end_trace(root.trace_id, outputs="done")
    """

    def __init__(self, tracking_uri: str | None = None, registry_uri: str | None = None) -> None:
        self._tracking_uri = tracking_uri
        self._registry_uri = registry_uri
        self._reader = TraceReader(tracking_uri)

    @property
    def tracking_uri(self) -> str:
        """The URI this client reads from (the current tracking URI unless one was given)."""
        return self._tracking_uri or get_tracking_uri()

    @property
    def store(self) -> TraceStore:
        """The trace store behind `tracking_uri`."""
        return self._reader.store

    # --- recording --------------------------------------------------------------------------------------------
    def start_trace(self, name: str, span_type: str = "UNKNOWN", inputs: Any = None,
                    attributes: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None,
                    experiment_id: str | None = None, start_time_ns: int | None = None) -> LiveSpan:
        """Start a new trace and return its root span (not made current)."""
        if not RUNTIME.enabled:
            return NoOpSpan()  # type: ignore[return-value]
        span = start_live_span(name, span_type, attributes, None, start_time_ns=start_time_ns)
        if not span.recording:
            _SAMPLED_OUT.add(span.trace_id)
            return span
        if inputs is not None:
            span.set_inputs(inputs)
        entry = self._entry(span.trace_id)
        if tags:
            entry.tags.update(serialization.safe_str_map(tags))
        if experiment_id is not None:
            entry.experiment_id = str(experiment_id)
        return span

    def start_span(self, name: str, trace_id: str, parent_id: str, span_type: str = "UNKNOWN",
                   inputs: Any = None, attributes: Mapping[str, Any] | None = None,
                   start_time_ns: int | None = None) -> LiveSpan:
        """Start a span under the running span `parent_id` of trace `trace_id`."""
        if not RUNTIME.enabled:
            return NoOpSpan()  # type: ignore[return-value]
        if trace_id in _SAMPLED_OUT:
            return _unsampled_child(trace_id, parent_id)
        parent = self._live_span(trace_id, parent_id)
        span = start_live_span(name, span_type, attributes, parent, start_time_ns=start_time_ns)
        if inputs is not None:
            span.set_inputs(inputs)
        return span

    def end_span(self, trace_id: str, span_id: str, outputs: Any = None,
                 attributes: Mapping[str, Any] | None = None,
                 status: SpanStatus | SpanStatusCode | str = SpanStatusCode.OK,
                 end_time_ns: int | None = None) -> None:
        """End a running span, setting its outputs, attributes and status (OK by default)."""
        if not RUNTIME.enabled or trace_id in _SAMPLED_OUT:
            return
        self._live_span(trace_id, span_id).end(outputs, attributes, status, end_time_ns)

    def end_trace(self, trace_id: str, outputs: Any = None, attributes: Mapping[str, Any] | None = None,
                  status: SpanStatus | SpanStatusCode | str = SpanStatusCode.OK,
                  end_time_ns: int | None = None) -> None:
        """End the root span of a running trace, which completes the trace and sends it to export."""
        if not RUNTIME.enabled:
            return
        if trace_id in _SAMPLED_OUT:
            _SAMPLED_OUT.discard(trace_id)
            return
        entry = self._entry(trace_id)
        self.end_span(trace_id, format_span_id(entry.root_span_id), outputs, attributes, status, end_time_ns)

    # --- reading and managing finished traces ---------------------------------------------------------------
    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id, or None (see `tracekit.get_trace`)."""
        return self._reader.get_trace(trace_id)

    def search_traces(self, experiment_ids: Sequence[str] | None = None, filter_string: str | None = None,
                      max_results: int = 100, order_by: Sequence[str] | None = None,
                      page_token: str | None = None, run_id: str | None = None,
                      model_id: str | None = None, include_spans: bool = True) -> PagedList[Trace]:
        """One page of `Trace` objects; pass the returned list's `token` as `page_token` for the next page.
        With `include_spans=False` no span is read: each trace comes with its info only (`data.spans` empty)."""
        with paused_gc():
            return self._search(experiment_ids, filter_string, max_results, order_by, page_token, run_id, model_id,
                                include_spans)

    def _search(self, experiment_ids: Sequence[str] | None, filter_string: str | None, max_results: int,
                order_by: Sequence[str] | None, page_token: str | None, run_id: str | None, model_id: str | None,
                include_spans: bool) -> PagedList[Trace]:
        return self._reader.search(experiment_ids, filter_string=filter_string, max_results=max_results,
                                   order_by=order_by, page_token=page_token, run_id=run_id, model_id=model_id,
                                   include_spans=include_spans)

    def iter_traces(self, experiment_ids: Sequence[str] | None = None, filter_string: str | None = None,
                    order_by: Sequence[str] | None = None, run_id: str | None = None, model_id: str | None = None,
                    include_spans: bool = True, page_size: int = 1000) -> Iterator[Trace]:
        """Every matching trace, one page of `page_size` at a time: memory holds one page, however many traces
        match, so a scan of millions of traces stays flat. Arguments as in `search_traces`.

        >>> for trace in TracekitClient().iter_traces(["1"], "status = 'ERROR'", include_spans=False):
        ...     print(trace.info.trace_id)
        """
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise TracekitException.invalid_parameter_value(
                f"iter_traces(): page_size must be a positive integer, got {page_size!r}.")
        token: str | None = None
        while True:
            page = self.search_traces(experiment_ids, filter_string=filter_string, max_results=page_size,
                                      order_by=order_by, page_token=token, run_id=run_id, model_id=model_id,
                                      include_spans=include_spans)
            token = page.token
            yield from page
            if not token:
                return

    def count_traces(self, experiment_ids: Sequence[str] | None = None, run_id: str | None = None,
                     model_id: str | None = None) -> int:
        """How many traces are stored (see `tracekit.count_traces`)."""
        return self._reader.count(experiment_ids, run_id=run_id, model_id=model_id)

    def set_trace_tag(self, trace_id: str, key: str, value: Any) -> None:
        """Set a tag on a trace, running or finished."""
        entry = self._maybe_entry(trace_id)
        if entry is not None:
            entry.tags.update(serialization.safe_str_map({key: value}))
            return
        RUNTIME.queue.flush()
        self.store.set_trace_tag(trace_id, str(key), str(value))

    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Remove a tag from a trace, running or finished."""
        entry = self._maybe_entry(trace_id)
        if entry is not None:
            if key not in entry.tags:
                raise ResourceNotFoundError(f"Trace {trace_id} has no tag {key!r}.")
            del entry.tags[key]
            return
        RUNTIME.queue.flush()
        self.store.delete_trace_tag(trace_id, key)

    def delete_traces(self, experiment_id: str, max_timestamp_millis: int | None = None,
                      max_traces: int | None = None, trace_ids: Sequence[str] | None = None) -> int:
        """Delete stored traces of one experiment, either those started at or before `max_timestamp_millis` (at
        most `max_traces` of them, oldest first) or those in `trace_ids`; returns how many were deleted."""
        check_delete_criteria(experiment_id, max_timestamp_millis, max_traces, trace_ids)
        RUNTIME.queue.flush()
        return self.store.delete_traces(experiment_id, max_timestamp_millis=max_timestamp_millis,
                                        max_traces=max_traces, trace_ids=trace_ids)

    # --- run artifacts --------------------------------------------------------------------------------------
    def _run_artifacts(self, run_id: str) -> ArtifactRepository:
        return run_artifact_repository(str(run_id), self._tracking_uri)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """The files and folders directly under `path` of the run's artifacts (its root when None), sorted."""
        return self._run_artifacts(run_id).list_artifacts(path)

    def download_artifacts(self, run_id: str, path: str, dst_path: str | None = None) -> str:
        """Download the file or folder `path` of the run's artifacts ("" for all) into `dst_path` (a new temporary
        folder when None) and return its local path."""
        return self._run_artifacts(run_id).download_artifacts(path, dst_path)

    def log_artifact(self, run_id: str, local_path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Log a local file (or a directory, under its own name) into the folder `artifact_path` of the run."""
        path = existing_local_path(local_path)
        log_local_path(self._run_artifacts(run_id), path, normalize_artifact_path(artifact_path, allow_root=True))

    def log_artifacts(self, run_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Log every file under the local directory `local_dir` into the folder `artifact_path` of the run."""
        folder = normalize_artifact_path(artifact_path, allow_root=True)
        self._run_artifacts(run_id).log_artifacts(existing_local_path(local_dir, "directory"), folder or None)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Log `text` as the UTF-8 file `artifact_file` of the run."""
        log_file_content(artifact_file, text_writer(text), lambda: self._run_artifacts(run_id))

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None:
        """Log a JSON- or YAML-serializable object as `artifact_file` of the run (YAML for .yaml and .yml)."""
        log_file_content(artifact_file, dict_writer(dictionary, artifact_file), lambda: self._run_artifacts(run_id))

    # --- helpers --------------------------------------------------------------------------------------------
    @staticmethod
    def _maybe_entry(trace_id: str) -> TraceEntry | None:
        return RUNTIME.buffer.get(require_trace_id(trace_id))

    def _entry(self, trace_id: str) -> TraceEntry:
        entry = self._maybe_entry(trace_id)
        if entry is None:
            raise TracekitException.invalid_state(
                f"Trace {trace_id} is not running in this process (it ended, was never "
                "started here, or was pushed out of the buffer).")
        return entry

    def _live_span(self, trace_id: str, span_id: str) -> LiveSpan:
        entry = self._entry(trace_id)
        try:
            otel_span = entry.live.get(int(span_id, 16))
        except (TypeError, ValueError):
            otel_span = None
        if otel_span is None:
            raise TracekitException.invalid_state(
                f"Span {span_id!r} is not running in trace {trace_id} (it ended or never "
                "existed).")
        return LiveSpan(otel_span)
