"""Fixtures for the tracking server: the app in-process (a real SQLite file behind it), a real uvicorn server in a
thread, and `tracekit server` as a separate process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from server_helpers import ServerProcess, ThreadedServer

from tracekit.server import ServerSettings, create_app


@pytest.fixture
def server_db(tmp_path) -> str:
    """A fresh SQLite file for the server."""
    return f"sqlite:///{tmp_path / 'server.db'}"


@pytest.fixture
def make_client(server_db):
    """Build an in-process client of a new app: `make_client(auth=..., max_body_bytes=...)`."""
    clients = []

    def build(**settings) -> TestClient:
        app = create_app(ServerSettings(backend_store_uri=settings.pop("backend_store_uri", server_db), **settings))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_client) -> TestClient:
    """An in-process client of the app, no auth."""
    return make_client()


@pytest.fixture
def live_server(server_db) -> Iterator[ThreadedServer]:
    """A real HTTP server (uvicorn, in a thread) on a free port, storing into a fresh SQLite file."""
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db))).start()
    yield running
    running.stop()


@pytest.fixture
def artifact_server(tmp_path, server_db) -> Iterator[ThreadedServer]:
    """A real HTTP server serving artifacts from `tmp_path / "served-artifacts"` (its `destination`)."""
    destination = tmp_path / "served-artifacts"
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db,
                                                       artifacts_destination=str(destination)))).start()
    running.destination = destination  # type: ignore[attr-defined]
    yield running
    running.stop()


@pytest.fixture
def server_process(tmp_path):
    """Build (not start) `tracekit server` processes; every one is stopped at the end of the test."""
    made: list[ServerProcess] = []

    def build(backend_store_uri: str | None = None, *extra: str, **kwargs) -> ServerProcess:
        process = ServerProcess(backend_store_uri or f"sqlite:///{tmp_path / 'server.db'}",
                                tmp_path / f"server-{len(made)}.log", *extra, **kwargs)
        made.append(process)
        return process

    yield build
    for process in made:
        process.stop()
