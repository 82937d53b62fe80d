"""What the training autolog integrations (scikit-learn, XGBoost, LightGBM, PyTorch Lightning) share: the options
they all take (`TrainingSettings`), the run around a training call (started when none is active and ended afterwards),
and `silent`'s quiet while they log."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from tracekit.tracing.safety import report_internal_error


@dataclass
class TrainingSettings:
    """The options every training autolog's `autolog()` takes; each integration's `Settings` adds its own."""

    log_models: bool = True
    log_datasets: bool = True
    exclusive: bool = False
    silent: bool = False
    registered_model_name: str | None = None
    extra_tags: dict[str, str] = field(default_factory=dict)


@dataclass
class EstimatorSettings(TrainingSettings):
    """The options of the autologs that log an estimator's model with an input example (scikit-learn, XGBoost,
    LightGBM)."""

    log_input_examples: bool = False
    log_model_signatures: bool = True


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

