"""Helpers for tracking server tests: free ports, uvicorn in a thread, `tracekit server` as a process, and the
trace builder and TCP proxy the other test folders use too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import psutil

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "store"))

from tcp_proxy import TcpProxy  # noqa: E402
from trace_builders import build_trace  # noqa: E402
from waiting import wait_until  # noqa: E402

__all__ = ["CountingApp", "PeakRss", "ServerProcess", "TcpProxy", "ThreadedServer", "build_trace", "free_port"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingApp:
    """ASGI wrapper counting the requests and the distinct client connections that reach `app`."""

    def __init__(self, app) -> None:
        self.app = app
        self.requests = 0
        self.connections: set[tuple] = set()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests += 1
            self.connections.add(tuple(scope["client"]))
        await self.app(scope, receive, send)


class ThreadedServer:
    """uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), timeout=10, interval=0.01)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class ServerProcess:
    """`tracekit server` in its own process; its output goes to a log file."""

    def __init__(self, backend_store_uri: str, log_path: Path, *extra: str, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "tracekit.cli", "server", "--backend-store-uri", backend_store_uri,
                     "--host", "127.0.0.1", "--port", str(self.port), *extra]
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> ServerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"tracekit server exited: {self.log_path.read_text()}")
            try:
                return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        if not wait_until(healthy, timeout, interval=0.1):
            raise RuntimeError(f"tracekit server did not answer in {timeout} s: {self.log_path.read_text()}")
        return self

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


class PeakRss:
    """The highest resident set size (bytes) of a process, sampled every 5 ms in a thread while the block runs;
    `start` is the size when it began (the artifact tests and benchmarks/artifacts_throughput.py use it)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.start = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
