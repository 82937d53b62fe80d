"""What endpoints get injected: the stores the app was built with (one per resource kind)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse

from tracekit.exceptions import TracekitException
from tracekit.store.base import TraceStore
from tracekit.tracking.store import TrackingStore


def get_trace_store(request: Request) -> TraceStore:
    """The app's trace store (opened at startup from the backend store URI)."""
    return request.app.state.trace_store


def get_tracking_store(request: Request) -> TrackingStore:
    """The app's tracking store (experiments, runs, logged models), on the trace store's database."""
    store = request.app.state.tracking_store
    if store is None:
        raise TracekitException("This tracking server's backend store holds traces only: experiments, runs and "
                                "logged models need a SQL database (sqlite, postgresql, mysql).",
                                error_code="NOT_IMPLEMENTED")
    return store


class JSONBytesResponse(JSONResponse):
    """JSON encoded by orjson: entities' dicts go out without a validation pass through pydantic models."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
