"""SIGTERM (what containers and systemd send before killing a process): deliver or spill pending traces first.

Without a handler, SIGTERM ends the process at once: no `atexit` runs, and every trace still queued is lost. The
handler installed here flushes the export queue within TRACEKIT_EXIT_TIMEOUT_S, spills what is left, then hands
the signal to the handler that was installed before it, so the process ends as it would have: terminated by the
signal by default, or whatever the application's own handler does. Opt out with TRACEKIT_HANDLE_SIGTERM=false.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from tracekit import config

logger = logging.getLogger(__name__)

# Beyond the flush itself: time to write the spill file before the process goes on to exit anyway.
_SPILL_GRACE_SECONDS = 5.0

_previous: Any = None
_installed = False


def install(flush_and_spill: Callable[[float], None]) -> bool:
    """Install the SIGTERM handler, calling `flush_and_spill(timeout)` before the previous handler; only from the
    main thread, once per process, and unless TRACEKIT_HANDLE_SIGTERM=false. Returns whether it is installed."""
    global _previous, _installed
    if _installed:
        return True
    if not config.HANDLE_SIGTERM.get() or threading.current_thread() is not threading.main_thread():
        return False
    try:
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, lambda signum, frame: _on_sigterm(flush_and_spill, signum, frame))
    except (ValueError, OSError, AttributeError):  # no signals here (an embedded interpreter, say)
        return False
    _previous, _installed = previous, True
    return True


def _on_sigterm(flush_and_spill: Callable[[float], None], signum: int, frame: FrameType | None) -> None:
    timeout = config.EXIT_TIMEOUT_S.get()
    logger.warning("SIGTERM: delivering pending traces (at most %.1f s), then spilling the rest.", timeout)
    # On another thread: the signal interrupts the main thread wherever it is, possibly holding a lock the flush
    # needs; then the wait below ends and the process exits as it would have, rather than hang.
    worker = threading.Thread(target=flush_and_spill, args=(timeout,), name="tracekit-sigterm", daemon=True)
    worker.start()
    worker.join(timeout + _SPILL_GRACE_SECONDS)
    previous = _previous
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        # SIG_DFL (or a handler not set from Python): terminate by the signal, exactly as without tracekit.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
