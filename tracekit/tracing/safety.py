"""Failures inside tracekit never reach the user's code: they are logged once per place and swallowed (or, with
TRACEKIT_RAISE_INTERNAL_ERRORS=true, as in tracekit's own tests, re-raised so that a bug shows where it happens)."""

from __future__ import annotations

import logging
import threading

from tracekit import config

logger = logging.getLogger("tracekit")

_reported: set[str] = set()
_counts: dict[str, int] = {}
_lock = threading.Lock()


def report_internal_error(where: str) -> None:
    """Log the exception being handled: the first time at WARNING with its traceback, later ones at DEBUG.

    Call it only inside an `except` block. `where` names the place in tracekit (a fixed string), which keeps the set
    of reported places small. With TRACEKIT_RAISE_INTERNAL_ERRORS=true the exception is re-raised instead.
    """
    if config.RAISE_INTERNAL_ERRORS.get():
        raise  # noqa: PLE0704 - re-raises the exception the caller is handling
    with _lock:
        first = where not in _reported
        _reported.add(where)
        _counts[where] = _counts.get(where, 0) + 1
    if first:
        logger.warning("tracekit: %s failed; tracing goes on and your code is unaffected. Further failures here "
                       "are logged at DEBUG.", where, exc_info=True)
    else:
        logger.debug("tracekit: %s failed again", where, exc_info=True)


def internal_error_counts() -> dict[str, int]:
    """How many times each place in tracekit has failed (and been swallowed) in this process."""
    with _lock:
        return dict(_counts)


def forget_reported_errors() -> None:
    """Log the next failure of every place at WARNING again, as if none had failed yet (for tests)."""
    with _lock:
        _reported.clear()
        _counts.clear()
