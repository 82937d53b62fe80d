"""Failures inside tracekit never reach the user's code: they are logged once per place and swallowed."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger("tracekit")

_reported: set[str] = set()
_lock = threading.Lock()


def report_internal_error(where: str) -> None:
    """Log the exception being handled: the first time at WARNING with its traceback, later ones at DEBUG.

    `where` names the place in tracekit (a fixed string), which keeps the set of reported places small.
    """
    with _lock:
        first = where not in _reported
        _reported.add(where)
    if first:
        logger.warning("tracekit: %s failed; tracing goes on and your code is unaffected. Further failures here "
                       "are logged at DEBUG.", where, exc_info=True)
    else:
        logger.debug("tracekit: %s failed again", where, exc_info=True)
