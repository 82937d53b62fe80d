"""The request body limit: a body over `max_body_bytes` gets 413 with a message, before any endpoint parses it.

The limit is checked against Content-Length when the client sends one (nothing is read), and counted while reading
otherwise (chunked uploads), so no request makes the server hold more than the limit in memory. Compressed OTLP
bodies are limited again after decompression (`gunzip_bounded`).

Streamed uploads (artifact files, `streamed_limit` names them) are not read ahead: they pass through to the endpoint
chunk by chunk under their own, larger limit, checked against Content-Length and counted as they arrive.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracekit.error_codes import BAD_REQUEST, REQUEST_TOO_LARGE
from tracekit.exceptions import TracekitException
from tracekit.server.errors import error_response


def too_large_message(limit: int) -> str:
    """The 413 message."""
    return (f"The request body is larger than this server's limit of {limit} bytes; send fewer traces per request "
            "(the tracekit client splits batches by TRACEKIT_HTTP_MAX_REQUEST_BYTES) or raise the server's "
            "--max-body-bytes.")


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """`data` gzip-decoded; TracekitException (REQUEST_TOO_LARGE) if the result would exceed `limit` bytes."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, limit + 1)
    except zlib.error as error:
        raise TracekitException.bad_request(f"The body is not valid gzip: {error}") from error
    if len(out) > limit or decoder.unconsumed_tail:
        raise TracekitException.request_too_large(too_large_message(limit) + " (measured after gzip decoding)")
    return out


@dataclass(frozen=True)
class StreamedLimit:
    """The limit of a streamed upload and the 413 message past it."""

    max_bytes: int
    message: str


#: Which requests are streamed uploads: (method, path) -> their limit, or None for an ordinary request.
StreamedLimitRule = Callable[[str, str], "StreamedLimit | None"]


class BodySizeLimitMiddleware:
    """Reads each request body (up to the limit) before the app sees it, answering 413 past the limit; streamed
    uploads (`streamed_limit`) pass through unread, under their own limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, streamed_limit: StreamedLimitRule | None = None,
                 too_large: str | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.streamed_limit = streamed_limit
        self.too_large = too_large or too_large_message(max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streamed = self.streamed_limit(scope["method"], scope["path"]) if self.streamed_limit else None
        limit = streamed.max_bytes if streamed is not None else self.max_body_bytes
        refusal = streamed.message if streamed is not None else self.too_large
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                await error_response(BAD_REQUEST, "Malformed Content-Length header.")(scope, receive, send)
                return
            if too_large:
                await error_response(REQUEST_TOO_LARGE, refusal,
                                     headers={"Connection": "close"})(scope, receive, send)
                return
        if streamed is not None:
            await self.app(scope, _counted(receive, streamed), send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)  # client went away
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await error_response(REQUEST_TOO_LARGE, self.too_large,
                                     headers={"Connection": "close"})(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)


def _counted(receive: Receive, limit: StreamedLimit) -> Receive:
    """A `receive` raising REQUEST_TOO_LARGE (413 from the endpoint reading it) once the body passes the limit."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit.max_bytes:
                raise TracekitException.request_too_large(limit.message)
        return message

    return counted


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A `receive` that first hands over the body already read, then defers to the real one."""
    first: Message | None = pending or {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def replayed() -> Message:
        nonlocal first
        if first is not None:
            message, first = first, None
            return message
        return await receive()

    return replayed

