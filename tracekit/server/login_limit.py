"""`FailedLoginLimit`: after too many failed logins from one client address in a window, that address gets 429
(with Retry-After) until the window passes, so passwords and tokens cannot be guessed at network speed.

Memory is bounded: at most `max_clients` addresses are tracked, the least recently failing forgotten first. A
success does not clear an address's failures (a guesser would otherwise reset its count with a known account), and
one address's failures never touch another's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

MAX_FAILURES = 10
WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000


class FailedLoginLimit:
    """Failures per client address within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS,
                 max_clients: int = MAX_CLIENTS) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds until `client` may try again (0: it may now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(client)
            if failures is None:
                return 0
            self._forget_old(failures, now)
            if len(failures) < self.max_failures:
                return 0
            return max(1, math.ceil(failures[0] + self.window_seconds - now))

    def failed(self, client: str, now: float | None = None) -> None:
        """Count one failed login of `client`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.pop(client, None) or deque(maxlen=self.max_failures)
            self._forget_old(failures, now)
            failures.append(now)
            self._failures[client] = failures  # most recent last
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def tracked_clients(self) -> int:
        """How many addresses are being tracked (bounded by `max_clients`)."""
        return len(self._failures)

    def _forget_old(self, failures: deque[float], now: float) -> None:
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
