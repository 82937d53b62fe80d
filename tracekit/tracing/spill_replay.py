"""Replaying spilled traces into a store without waiting for a new trace: the first read of a tracking URI in a
process (`search_traces`, `get_trace`, `tracekit traces search`) and `tracekit spill replay` deliver what earlier
processes left in the spill folder of that URI."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from tracekit.tracing.export_queue import Destination
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracking_uri import redact

logger = logging.getLogger(__name__)

_checked: set[str] = set()
_checked_lock = threading.Lock()


@dataclass(frozen=True)
class ReplayOutcome:
    """What a replay did: traces delivered, and whether spill files are left (their replay failed)."""

    delivered: int
    left: bool
    folder: Path


def _destination(tracking_uri: str) -> Destination:
    """The runtime's destination for the URI when it exports there (so its own spill file is included), else a new
    one on the same spill folder."""
    from tracekit.exporters.store import StoreExporter

    for destination in RUNTIME.destinations():
        if getattr(destination.exporter, "tracking_uri", None) == tracking_uri:
            return destination
    return Destination(StoreExporter(tracking_uri))


def replay_spill(tracking_uri: str) -> ReplayOutcome:
    """Deliver every trace spilled for `tracking_uri` (by this process or any earlier one) to its store now.

    Files are claimed by renaming, so a replay running at the same time elsewhere never delivers the same file; a
    trace delivered twice (a replay interrupted half way) is upserted, so it is still stored once.
    """
    destination = _destination(tracking_uri)
    delivered = RUNTIME.queue.replay(destination)
    if delivered:
        logger.info("Replayed %d spilled trace(s) into %s.", delivered, destination.name)
    return ReplayOutcome(delivered, destination.spill.has_pending(), destination.spill.path)


def replay_spill_once(tracking_uri: str) -> None:
    """On the first read of `tracking_uri` in this process: replay its spill folder if anything waits there (a
    directory listing otherwise). Never raises: the read goes on, and the files stay for a later attempt."""
    with _checked_lock:
        if tracking_uri in _checked:
            return
        _checked.add(tracking_uri)
    try:
        destination = _destination(tracking_uri)
        # A destination known to be down is the export worker's to replay, once it answers again.
        if destination.down_since is None and destination.spill.has_pending():
            RUNTIME.queue.replay(destination)
    except Exception:  # noqa: BLE001 - a failed replay must not fail the read; the files stay
        logger.warning("Could not replay the spill folder of %s.", redact(tracking_uri), exc_info=True)


def forget_checked() -> None:
    """Check again on the next read (after `tracekit.tracing.reset()`)."""
    with _checked_lock:
        _checked.clear()
