"""OTLP export tests: real receivers on 127.0.0.1, and tracekit pointed at them through the standard variables."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from otlp_receivers import GrpcReceiver, HttpReceiver, Receiver

import tracekit

PROTOCOLS = ("http/protobuf", "grpc")


@pytest.fixture(params=PROTOCOLS)
def protocol(request) -> str:
    """Each OTLP protocol in turn."""
    return request.param


@pytest.fixture
def receiver(protocol) -> Iterator[Receiver]:
    """A running receiver for the protocol under test."""
    started = HttpReceiver() if protocol == "http/protobuf" else GrpcReceiver()
    yield started
    started.close()


@pytest.fixture
def short_timeouts(monkeypatch) -> None:
    """Keep the OTLP exporter's own retries and tracekit's short, so failure tests stay fast."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0.3")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "0.3")
    monkeypatch.setenv("TRACEKIT_EXPORT_RETRY_MAX_SECONDS", "0.2")


@pytest.fixture
def export_to(monkeypatch, short_timeouts) -> Callable[..., None]:
    """Point tracekit's OTLP export at an endpoint with the given protocol, then rebuild the runtime."""

    def configure(endpoint: str, protocol: str = "http/protobuf", **variables: str) -> None:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", protocol)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        tracekit.tracing.reset()

    yield configure
    for name in ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT",
                 "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS",
                 "OTEL_EXPORTER_OTLP_TRACES_HEADERS"):
        monkeypatch.delenv(name, raising=False)
    tracekit.tracing.reset()  # the OTLP exporter of this test is closed before its receiver stops
