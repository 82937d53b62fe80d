"""What endpoints get injected: the stores of the backend the app was built with."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse

from tracekit.exceptions import TracekitException
from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.server.artifact_proxy import ServedArtifacts
from tracekit.store.trace_store import TraceStore
from tracekit.store.tracking_store import TrackingStore


def get_trace_store(request: Request) -> TraceStore:
    """The trace store of the app's backend (opened at startup from the backend store URI)."""
    return request.app.state.backend.traces


def get_tracking_store(request: Request) -> TrackingStore:
    """The tracking store (experiments, runs, logged models) of the app's backend, on the trace store's database;
    a backend holding traces only answers NOT_IMPLEMENTED (501)."""
    return request.app.state.backend.tracking


def get_registry_store(request: Request) -> ModelRegistryStore:
    """The model registry store of the app's backend, on the same database; a backend without one answers
    NOT_IMPLEMENTED (501)."""
    return request.app.state.backend.registry


def get_served_artifacts(request: Request) -> ServedArtifacts:
    """The artifacts destination the app proxies; NOT_IMPLEMENTED (501) when it was started with
    --no-serve-artifacts."""
    served: ServedArtifacts | None = request.app.state.artifacts
    if served is None:
        raise TracekitException.not_implemented(
            "This tracking server does not serve artifacts (it was started with --no-serve-artifacts). Read and "
            "write the run's artifact location directly, or restart the server with --serve-artifacts "
            "(and --artifacts-destination <folder or s3:// URI>).")
    return served


class JSONBytesResponse(JSONResponse):
    """JSON encoded by orjson: entities' dicts go out without a validation pass through pydantic models."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
