"""The one flag the training autologs (scikit-learn, XGBoost, LightGBM) share: set while one of them handles a call,
so the calls it makes (a Pipeline's inner fits, an XGBClassifier inside a GridSearchCV, the metrics autolog computes)
pass through unlogged. Only the outermost training call logs a run. Also `quiet`, what `silent=True` means while they
log."""

from __future__ import annotations

import contextvars
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

inside_training_call: contextvars.ContextVar[bool] = contextvars.ContextVar("tracekit_inside_training_autolog",
                                                                            default=False)


@contextmanager
def quiet(silent: bool) -> Iterator[None]:
    """With `silent`, no tracekit log records and no warnings inside the block (autolog's `silent=True`)."""
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
