"""What the training autolog integrations (scikit-learn, PyTorch Lightning) share around a training call: the run
they start when none is active and end afterwards, and `silent`'s quiet while they log."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tracekit.tracing.safety import report_internal_error


@contextmanager
def quiet_while_logging(silent: bool) -> Iterator[None]:
    """With `silent`, no tracekit log records and no warnings inside the block."""
    if not silent:
        yield
        return
    # Logger filters do not see records propagated from child loggers, so every tracekit logger is switched off.
    loggers = [logging.getLogger("tracekit")] + [
        logger for name, logger in list(logging.Logger.manager.loggerDict.items())
        if name.startswith("tracekit.") and isinstance(logger, logging.Logger)]
    previous = [logger.disabled for logger in loggers]
    for tracekit_logger in loggers:
        tracekit_logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for tracekit_logger, state in zip(loggers, previous, strict=True):
            tracekit_logger.disabled = state


def start_training_run(integration: str, tags: Mapping[str, str] | None) -> str | None:
    """Start a run for an autologged training call; its id, or None (reported and counted) if that failed."""
    import tracekit

    try:
        return tracekit.start_run(tags=tags or None).info.run_id
    except Exception:  # noqa: BLE001 - no run, no logging; training still runs
        report_internal_error(f"{integration} autolog: starting a run")
        return None


def end_training_run(integration: str, run_id: str, status: str) -> None:
    """End the run autolog started, if it is still the active one."""
    import tracekit
    from tracekit.tracking import state

    try:
        if state.active_run_id() == run_id:
            tracekit.end_run(status)
    except Exception:  # noqa: BLE001
        report_internal_error(f"{integration} autolog: ending the run")
