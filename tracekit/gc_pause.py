"""`paused_gc()`: hold Python's cyclic garbage collector while tracekit builds many small objects at once.

Decoding a page of traces allocates hundreds of thousands of dicts and lists, none of them in reference cycles. Each
allocation burst makes the collector walk every live object again, which measured as 40-50% of the time of a
20,000-trace `search_traces` DataFrame. The export worker converting and writing a batch of traces is the same
case (see `tracing/export_queue.py`). Reference counting still frees everything as usual while paused; only the
search for cycles waits until the block ends (and it is resumed even if the block raises).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


class GcPause:
    """The handle `paused_gc()` yields: lets a block wait without holding the collector back meanwhile."""

    __slots__ = ("_owned",)

    def __init__(self, owned: bool) -> None:
        self._owned = owned  # False when something else had disabled the collector already: leave it alone

    @contextmanager
    def resumed(self) -> Iterator[None]:
        """Run the block with the collector running, when this pause is the one that stopped it."""
        if not self._owned:
            yield
            return
        gc.enable()
        try:
            yield
        finally:
            gc.disable()

    def sleep(self, seconds: float) -> None:
        """`time.sleep(seconds)` with the collector running, when this block is the one that paused it."""
        with self.resumed():
            time.sleep(seconds)


@contextmanager
def paused_gc() -> Iterator[GcPause]:
    """Disable the cyclic collector for the block, unless something else already has (then leave it alone)."""
    if not gc.isenabled():
        yield GcPause(owned=False)
        return
    gc.disable()
    try:
        yield GcPause(owned=True)
    finally:
        gc.enable()
