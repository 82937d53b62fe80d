"""uvicorn's HTTP protocol with TCP_NODELAY set on every connection.

asyncio sets TCP_NODELAY only on sockets whose `proto` is IPPROTO_TCP, and the listening socket uvicorn hands to its
worker processes (`--workers 2` and more) comes back with proto 0. Without it, Nagle's algorithm holds the second
write of each answer until the client's delayed ACK: 40 ms added to every request.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """The protocol uvicorn would pick ("auto"), plus TCP_NODELAY."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)
