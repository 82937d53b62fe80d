"""Every test starts with a fresh tracing runtime, its own SQLite file as tracking store and its own spill folder."""

from __future__ import annotations

import pytest

import tracekit
from tracekit.exporters.memory import InMemoryTraceExporter


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
    yield
    tracekit.tracing.enable()
    tracekit.tracing.set_exporter(None)
    tracekit.set_tracking_uri(None)


@pytest.fixture
def fresh_global_tracer_provider():
    """No global OpenTelemetry provider set during the test (OpenTelemetry lets one be set once per process, so this
    resets its private once-flag); afterwards tracekit leaves join mode and the original global state comes back."""
    from opentelemetry import trace as trace_api
    from opentelemetry.util._once import Once

    saved = trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE
    trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE = None, Once()
    yield
    tracekit.tracing.reset()
    trace_api._TRACER_PROVIDER, trace_api._TRACER_PROVIDER_SET_ONCE = saved


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
