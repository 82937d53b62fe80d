"""`POST /v1/traces`: OTLP/HTTP trace ingest, protobuf or JSON, gzip or not, so any OpenTelemetry SDK can send
spans here (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://host:5000/v1/traces`).

Spans are merged into the traces already stored (an SDK sends a trace's spans over several requests as they end).
The answer follows the OTLP specification: an `ExportTraceServiceResponse` in the request's encoding, with
`partialSuccess` counting spans left out; errors are a `google.rpc.Status` in that encoding.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from google.protobuf import json_format
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.error_codes import http_status
from tracekit.exceptions import TracekitException
from tracekit.otlp.decode import is_valid_experiment_id, traces_from_request
from tracekit.otlp.protobuf import JSON_MEDIA_TYPE, PROTOBUF_MEDIA_TYPES, decode_export_request, media_type
from tracekit.server.body_limit import gunzip_bounded
from tracekit.server.dependencies import get_trace_store
from tracekit.server.schemas.common_bodies import Responses
from tracekit.store.trace_store import TraceStore

logger = logging.getLogger(__name__)

router = APIRouter(tags=["otlp"])

EXPERIMENT_HEADER = "x-tracekit-experiment-id"
_RPC_CODE_BY_STATUS = {400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 404: code_pb2.NOT_FOUND,
                       413: code_pb2.INVALID_ARGUMENT, 415: code_pb2.INVALID_ARGUMENT, 503: code_pb2.UNAVAILABLE}

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "An OTLP ExportTraceServiceRequest.",
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object", "properties": {
                "resourceSpans": {"type": "array", "items": {"type": "object"}}}}},
        },
    },
    "parameters": [{"name": EXPERIMENT_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
                    "description": "Experiment of traces whose root span names none (default \"0\")."}],
}
_RESPONSES: Responses = {200: {"description": "An ExportTraceServiceResponse (partialSuccess counts spans left out).",
                    "content": {"application/x-protobuf": {}, "application/json": {}}},
              400: {"description": "A google.rpc.Status: the request could not be decoded."},
              413: {"description": "A google.rpc.Status: the body is over the size limit."},
              415: {"description": "A google.rpc.Status: neither protobuf nor JSON."},
              503: {"description": "A google.rpc.Status: the database is unreachable; retry later."}}


def _encode(message, as_json: bool) -> tuple[bytes, str]:
    if as_json:
        return json_format.MessageToJson(message, indent=None).encode("utf-8"), JSON_MEDIA_TYPE
    return message.SerializeToString(), "application/x-protobuf"


def _status_response(status: int, message: str, as_json: bool) -> Response:
    body, content_type = _encode(status_pb2.Status(code=_RPC_CODE_BY_STATUS.get(status, code_pb2.INTERNAL),
                                                   message=message), as_json)
    return Response(body, status_code=status, media_type=content_type)


def _ingest(store: TraceStore, body: bytes, content_type: str | None, encoding: str, experiment_id: str,
            max_body_bytes: int) -> ExportTraceServiceResponse:
    if encoding == "gzip":
        body = gunzip_bounded(body, max_body_bytes)
    elif encoding not in ("", "identity"):
        raise TracekitException.unsupported_media_type(
            f"Unsupported Content-Encoding {encoding!r}: send gzip or no encoding.")
    result = traces_from_request(decode_export_request(body, content_type), experiment_id)
    if result.traces:
        store.merge_traces(result.traces)
    response = ExportTraceServiceResponse()
    if result.rejected_spans:
        logger.warning("OTLP ingest left out %d span(s): %s", result.rejected_spans, result.error_message)
        response.partial_success.rejected_spans = result.rejected_spans
        response.partial_success.error_message = result.error_message
    return response


@router.post("/v1/traces", summary="OTLP/HTTP trace ingest", openapi_extra=_BODY_DOC, responses=_RESPONSES,
             response_class=Response)
async def export_traces(request: Request, store: TraceStore = Depends(get_trace_store)) -> Response:
    """Store the spans of an OTLP export request, merged into their traces."""
    content_type = request.headers.get("content-type")
    as_json = media_type(content_type) not in PROTOBUF_MEDIA_TYPES  # errors for non-OTLP callers: readable JSON
    experiment_id = request.headers.get(EXPERIMENT_HEADER) or DEFAULT_EXPERIMENT_ID
    if not is_valid_experiment_id(experiment_id):
        return _status_response(400, f"The {EXPERIMENT_HEADER} header must be 1 to 32 characters long.", as_json)
    body = await request.body()
    encoding = request.headers.get("content-encoding", "").strip().lower()
    try:
        answer = await run_in_threadpool(_ingest, store, body, content_type, encoding, experiment_id,
                                         request.app.state.settings.max_body_bytes)
    except TracekitException as error:
        cause = error.__cause__
        if not isinstance(cause, DBAPIError):
            return _status_response(http_status(error.error_code), error.message, as_json)
        if type(cause).__name__ in ("OperationalError", "InterfaceError") or cause.connection_invalidated:
            logger.warning("OTLP ingest: the backend store is unavailable: %s", cause.orig)
            return _status_response(503, "The tracking server cannot reach its database; retry later.", as_json)
        raise
    body, content_type = _encode(answer, as_json)
    return Response(body, media_type=content_type)
