"""Helpers for tests that wait on background work (the export worker, a replay, another process)."""

from __future__ import annotations

import time
from collections.abc import Callable

from tracekit.exporters import TraceExporter


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


class CountingExporter(TraceExporter):
    """Counts the traces it receives and keeps none of them."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, traces) -> None:
        self.count += len(traces)
