"""Every test starts with a fresh tracing runtime, its own SQLite file as tracking store and its own spill folder.

Tests of the stores run against real databases through `db_uri`: a SQLite file, and the PostgreSQL and MariaDB
servers on 127.0.0.1 (TRACEKIT_TEST_POSTGRES_URI / TRACEKIT_TEST_MYSQL_URI). A server that cannot be reached skips
its tests, except under CI=true, where it fails them. The server databases are shared, so each test starts by
dropping every table in them.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import MetaData

import tracekit
from tracekit.exporters.memory import InMemoryTraceExporter
from tracekit.store.engine import check_connection, create_store_engine
from tracekit.tracking import context as tracking_context

SERVER_URIS = {
    "postgresql": os.environ.get("TRACEKIT_TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("TRACEKIT_TEST_MYSQL_URI", "mysql://root@127.0.0.1:3306/test"),
}
BACKENDS = ("sqlite", "postgresql", "mysql")


def _unavailable(backend: str, reason: str) -> None:
    message = f"{backend} test database unavailable: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def drop_all_tables(uri: str) -> None:
    """Empty a shared test database: drop every table in it, alembic_version included."""
    engine = create_store_engine(uri)
    try:
        check_connection(engine, uri)
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_uri(request, tmp_path) -> str:
    """The URI of an empty database of each kind: a new SQLite file, or a server database with no tables."""
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    uri = SERVER_URIS[backend]
    try:
        drop_all_tables(uri)
    except Exception as error:  # noqa: BLE001 - any failure to reach the server decides skip or fail
        _unavailable(backend, str(error))
    return uri


@pytest.fixture(autouse=True)
def isolated_tracekit(tmp_path, monkeypatch):
    """Point tracekit at files under this test's tmp_path and start from clean state."""
    monkeypatch.setenv("TRACEKIT_SPILL_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "2")
    monkeypatch.chdir(tmp_path)
    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'tracekit.db'}")
    tracekit.tracing.set_exporter(None)
    tracekit.tracing.enable()
    tracekit.tracing.reset()
    tracking_context.reset()
    yield
    tracking_context.reset()
    tracekit.tracing.enable()
    tracekit.tracing.set_exporter(None)
    tracekit.set_tracking_uri(None)


@pytest.fixture
def exporter() -> InMemoryTraceExporter:
    """An in-memory exporter receiving this test's traces."""
    memory = InMemoryTraceExporter()
    tracekit.tracing.set_exporter(memory)
    return memory


@pytest.fixture
def exported(exporter):
    """Call to flush and get every trace exported so far."""

    def collect() -> list[tracekit.Trace]:
        tracekit.flush_trace_async_logging()
        return exporter.traces

    return collect


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 that can be switched on and off, to play a database that goes away."""

    def __init__(self, target_port: int) -> None:
        import socket

        self.target_port = target_port
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server = None
        self._connections: list = []

    def start(self) -> None:
        import socket
        import threading

        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in self._connections:
            try:
                conn.close()
            except OSError:
                pass
        self._connections.clear()

    def _accept(self, server) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass
