"""The trace API under /api/v1/traces: batch upload, get, search (filter grammar and page tokens of
`tracekit.search_traces`), tags, delete. Endpoints are plain functions run in FastAPI's thread pool, since the store
blocks on the database."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from tracekit.exceptions import ResourceNotFoundError
from tracekit.server.dependencies import JSONBytesResponse, get_trace_store
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses
from tracekit.server.schemas.trace_bodies import (
    TRACE_ID_PATTERN,
    CountTracesResponse,
    DeleteTracesRequest,
    DeleteTracesResponse,
    SearchTracesRequest,
    SearchTracesResponse,
    SetTraceTagRequest,
    TraceModel,
    UploadTracesRequest,
    UploadTracesResponse,
)
from tracekit.store.trace_store import TraceStore

router = APIRouter(prefix="/traces", tags=["traces"], responses=ERROR_RESPONSES)

Store = Depends(get_trace_store)
TraceIdPath = Path(description="`tr-` followed by 32 hex digits", pattern=TRACE_ID_PATTERN)
NOT_FOUND: Responses = {404: {"model": ErrorResponse, "description": "No trace with that id (or no such tag)."}}


@router.post("/batch", response_model=UploadTracesResponse, summary="Store completed traces")
def upload_traces(request: UploadTracesRequest, store: TraceStore = Store) -> UploadTracesResponse:
    """Store a batch of completed traces in one transaction. Upserts by trace id: sending the same batch again
    (after a lost answer, say) stores each trace once."""
    traces = [trace.to_entity() for trace in request.traces]
    store.write_traces(traces)
    return UploadTracesResponse(traces_written=len(traces))


@router.post("/search", response_model=SearchTracesResponse, response_class=JSONBytesResponse,
             summary="Search traces")
def search_traces(request: SearchTracesRequest, store: TraceStore = Store) -> JSONBytesResponse:
    """One page of traces matching `filter_string` (same grammar as `tracekit.search_traces`; a malformed filter
    is a 400 whose message says what is wrong). Pass `next_page_token` back as `page_token` for the next page.
    Without spans (`include_spans: false`), `root_span_names` maps each trace id to its root span's name."""
    page = store.search_traces(
        request.experiment_ids, filter_string=request.filter_string, max_results=request.max_results,
        order_by=request.order_by, page_token=request.page_token, run_id=request.run_id,
        model_id=request.model_id, include_spans=request.include_spans)
    body: dict[str, Any] = {"traces": [trace.to_dict() for trace in page], "next_page_token": page.token}
    if not request.include_spans:
        body["root_span_names"] = store.root_span_names([trace.info.trace_id for trace in page])
    return JSONBytesResponse(body)


@router.post("/delete", response_model=DeleteTracesResponse, summary="Delete traces")
def delete_traces(request: DeleteTracesRequest, store: TraceStore = Store) -> DeleteTracesResponse:
    """Delete traces of one experiment by age (`max_timestamp_millis`), count (`max_traces`, oldest first) or id
    (`trace_ids`); at least one is required."""
    deleted = store.delete_traces(request.experiment_id, max_timestamp_millis=request.max_timestamp_millis,
                                  max_traces=request.max_traces, trace_ids=request.trace_ids)
    return DeleteTracesResponse(traces_deleted=deleted)


@router.get("/count", response_model=CountTracesResponse, summary="Count traces")
def count_traces(experiment_id: list[str] = Query(default_factory=list,
                                                  description="Repeat for several; none: every experiment"),
                 run_id: str | None = Query(None, description="Only the traces linked to this run"),
                 model_id: str | None = Query(None, description="Only the traces linked to this logged model"),
                 store: TraceStore = Store) -> CountTracesResponse:
    """How many traces the experiments hold (only a run's or a model's when given), counted in the database
    without loading them."""
    return CountTracesResponse(count=store.count_traces(experiment_id, run_id=run_id, model_id=model_id))


@router.get("/{trace_id}", response_model=TraceModel, response_class=JSONBytesResponse, responses=NOT_FOUND,
            summary="Get one trace")
def get_trace(trace_id: str = TraceIdPath, store: TraceStore = Store) -> JSONBytesResponse:
    """The trace with its spans."""
    trace = store.get_trace(trace_id)
    if trace is None:
        raise ResourceNotFoundError(f"Trace {trace_id!r} not found in the tracking store.")
    return JSONBytesResponse(trace.to_dict())


@router.post("/{trace_id}/tags", status_code=204, responses=NOT_FOUND, summary="Set a tag on a trace")
def set_trace_tag(request: SetTraceTagRequest, trace_id: str = TraceIdPath, store: TraceStore = Store) -> None:
    """Add or replace one tag of a stored trace."""
    store.set_trace_tag(trace_id, request.key, request.value)


@router.delete("/{trace_id}/tags", status_code=204, responses=NOT_FOUND, summary="Delete a tag of a trace")
def delete_trace_tag(trace_id: str = TraceIdPath,
                     key: str = Query(min_length=1, description="The tag's key"),
                     store: TraceStore = Store) -> None:
    """Remove one tag of a stored trace (404 if the trace or the tag does not exist)."""
    store.delete_trace_tag(trace_id, key)
