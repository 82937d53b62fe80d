"""What endpoints get injected: the stores the app was built with (one per resource kind)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse

from tracekit.store.base import TraceStore


def get_trace_store(request: Request) -> TraceStore:
    """The app's trace store (opened at startup from the backend store URI)."""
    return request.app.state.trace_store


class JSONBytesResponse(JSONResponse):
    """JSON encoded by orjson: entities' dicts go out without a validation pass through pydantic models."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
