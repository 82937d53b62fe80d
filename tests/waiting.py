"""Helpers for tests that wait on background work (the export worker, a replay, another process)."""

from __future__ import annotations

import time
from collections.abc import Callable

from tracekit.exporters import TraceExporter


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, interval: float = 0.02) -> bool:
    """Poll `condition` every `interval` seconds until it holds (True) or `timeout` seconds pass (False).

    The one polling loop of the tests: a condition may also nudge the thing it waits for, or raise to give up early.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


class CountingExporter(TraceExporter):
    """Counts the traces it receives and keeps none of them."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, traces) -> None:
        self.count += len(traces)
