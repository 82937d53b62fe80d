"""Traces across services: the current span into outgoing request headers (W3C `traceparent`, through
OpenTelemetry's propagators), and a trace continued from incoming headers.

The callee's spans share the caller's trace id, and its local root span's parent is the caller's span. Each process
exports its own part when its own root ends (the callee's part is a "fragment": its root's parent lives elsewhere),
and the SQL store merges the parts of one trace id, span by span, into one trace.

    # caller
    @tracekit.trace
    def ask(question):
        return httpx.post(url, json={"q": question}, headers=tracekit.tracing.inject_context()).json()

    # callee (any web framework: pass its request headers)
    def handle(request):
        with tracekit.tracing.continue_trace(request.headers):
            return answer(request.json())   # @tracekit.trace: a child of the caller's `ask` span
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry import trace as trace_api
from opentelemetry.context import Context

from tracekit.tracing import context as _context


def inject_context(headers: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Add the current span's context (`traceparent`, and `tracestate` when there is one) to `headers` and return
    them; a new dict when `headers` is None. Outside any span, nothing is added.

    Uses OpenTelemetry's global propagator, W3C Trace Context and Baggage unless `OTEL_PROPAGATORS` says otherwise.

    >>> requests.post(url, json=payload, headers=tracekit.tracing.inject_context({"Authorization": token}))
    """
    carrier: MutableMapping[str, str] = {} if headers is None else headers
    context = _outgoing_context()
    if context is not None:
        propagate.inject(carrier, context=context)
    return carrier


def extract_context(headers: Mapping[str, Any]) -> otel_context.Context:
    """The OpenTelemetry context carried by incoming `headers` (any mapping; names compared case-insensitively).

    Its span is the remote caller's, or invalid when the headers carry none. Most code wants `continue_trace`.
    """
    lowered = {str(key).lower(): value for key, value in _items(headers)}
    return propagate.extract(lowered, context=otel_context.Context())


@contextlib.contextmanager
def continue_trace(headers: Mapping[str, Any]) -> Iterator[None]:
    """Continue the caller's trace inside the block: spans started in it directly become children of the remote
    span named by `headers` (a request's headers; see `inject_context`), in the caller's trace. Headers without a
    valid `traceparent` start new traces as usual.

    >>> with tracekit.tracing.continue_trace(request.headers):
    ...     result = handle(request)       # traced: joins the caller's trace
    """
    remote: Context | None = extract_context(headers)
    if not trace_api.get_current_span(remote).get_span_context().is_valid:
        remote = None
    remote_token = _context.remote_parent.set(remote)
    span_token = _context.current_span.set(None)  # the remote span, not an enclosing local one, is the parent
    otel_token = None
    if _context.otel_joined:
        otel_token = otel_context.attach(remote if remote is not None else otel_context.Context())
    try:
        yield
    finally:
        if otel_token is not None:
            otel_context.detach(otel_token)
        _context.current_span.reset(span_token)
        _context.remote_parent.reset(remote_token)


def get_tracing_context_headers_for_http_request() -> dict[str, str]:
    """The headers carrying the current span's context, for an outgoing request (the name MLflow uses)."""
    return dict(inject_context())


def set_tracing_context_from_http_request_headers(headers: Mapping[str, Any]):
    """`continue_trace(headers)`, under the name MLflow uses."""
    return continue_trace(headers)


def _outgoing_context() -> otel_context.Context | None:
    if _context.otel_joined:
        return otel_context.get_current()  # the innermost span, tracekit's or an instrumentation package's
    span = _context.current_span.get()
    if span is not None:
        # An empty base: tracekit's spans are kept apart from the application's OpenTelemetry context and baggage.
        return trace_api.set_span_in_context(span.otel_span, otel_context.Context())
    return _context.remote_parent.get()  # inside continue_trace, before any local span: pass the caller's on


def _items(headers: Mapping[str, Any]) -> Any:
    items = getattr(headers, "items", None)
    return items() if callable(items) else headers
