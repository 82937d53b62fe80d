"""What the training autolog integrations (scikit-learn, XGBoost, LightGBM, PyTorch Lightning) share: the options
they all take (`TrainingSettings`), their user-facing `autolog()` (`library_autolog`), switching their patches on
(`apply_patches`), the run around a training call
(`training_run`: started when none is active and ended afterwards), and `silent`'s quiet while they log."""

from __future__ import annotations

import contextvars
import functools
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tracekit import serialization
from tracekit.integrations import _patching as patching
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, _version_tuple, check_library
from tracekit.tracing.safety import report_internal_error

logger = logging.getLogger(__name__)

_Settings = TypeVar("_Settings", bound="TrainingSettings")
_Autolog = TypeVar("_Autolog", bound=Callable[..., None])


def library_autolog(integration: str) -> Callable[[_Autolog], _Autolog]:
    """Decorator for a training integration's own `autolog()` (`tracekit.sklearn.autolog`, ...): the call first
    forgets a `tracekit.autolog()` waiting for the library's import, since this later call decides."""
    def decorate(autolog: _Autolog) -> _Autolog:
        @functools.wraps(autolog)
        def cancelling_autolog(*args: Any, **kwargs: Any) -> None:
            from tracekit.autologging import cancel_pending

            cancel_pending(integration)
            autolog(*args, **kwargs)

        return cancelling_autolog  # type: ignore[return-value]

    return decorate


@dataclass
class TrainingSettings:
    """The options every training autolog's `autolog()` takes; each integration's `Settings` adds its own."""

    log_models: bool = True
    log_datasets: bool = True
    exclusive: bool = False
    silent: bool = False
    registered_model_name: str | None = None
    extra_tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def chosen(cls: type[_Settings], silent: bool, extra_tags: Mapping[str, Any] | None,
               **options: Any) -> _Settings:
        """The settings of an `autolog()` call (`extra_tags` as strings)."""
        return cls(silent=silent, extra_tags=serialization.safe_str_map(extra_tags) if extra_tags else {},
                   **options)


@dataclass
class EstimatorSettings(TrainingSettings):
    """The options of the autologs that log an estimator's model with an input example (scikit-learn, XGBoost,
    LightGBM)."""

    log_input_examples: bool = False
    log_model_signatures: bool = True


def version_tested(distribution: str, minimum: tuple[int, ...], newest_tested: tuple[int, ...]) -> bool:
    """Whether the installed `distribution`'s minor version lies between `minimum` and `newest_tested`."""
    version = _version_tuple(patching.installed_version(distribution) or "0")
    return minimum <= version[:2] <= newest_tested


def apply_patches(patches: PatchSet, library: Library, newest_tested: tuple[int, ...],
                  targets: Callable[[], list[PatchTarget]], *, disable_for_unsupported_versions: bool,
                  silent: bool) -> None:
    """Switch a training autolog's patches on (inside `autolog_setup`, its settings stored): unless they are on
    already, the library is missing or too old, or (`disable_for_unsupported_versions`) it is newer than
    `newest_tested`, which is warned about unless `silent`."""
    if patches.active or not check_library(library.integration, library.module, library.distribution,
                                           library.minimum_version):
        return
    if disable_for_unsupported_versions and not version_tested(library.distribution, library.minimum_version,
                                                               newest_tested):
        if not silent:
            logger.warning("tracekit %s autolog is off: %s %s is newer than the newest tested version %s "
                           "(disable_for_unsupported_versions=True).", library.integration, library.distribution,
                           patching.installed_version(library.distribution), ".".join(map(str, newest_tested)))
        return
    patches.apply(targets())


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


def logging_step(integration: str, what: str, action: Callable[[], Any]) -> Any:
    """`action()`'s result; None if it raised, reported once as "<integration> autolog: <what>" and counted, since
    logging never breaks the user's training."""
    try:
        return action()
    except Exception:  # noqa: BLE001
        report_internal_error(f"{integration} autolog: {what}")
        return None


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


@contextmanager
def training_run(integration: str, settings: TrainingSettings,
                 inside: contextvars.ContextVar[bool]) -> Iterator[str | None]:
    """The run an outermost training call logs into: the active run (None with `exclusive`, before `inside` is set),
    else one started here (None if that failed). While the block runs `inside` is True; a run started here is ended
    FINISHED after the block, or FAILED (KILLED on KeyboardInterrupt) if it raised, the exception passing on."""
    from tracekit.tracking import state

    active = state.active_run_id()
    if active is not None and settings.exclusive:
        yield None
        return
    token = inside.set(True)
    try:
        run_id = active
        if run_id is None:
            with quiet_while_logging(settings.silent):
                run_id = start_training_run(integration, settings.extra_tags)
        started = run_id if active is None else None
        try:
            yield run_id
        except BaseException as error:
            if started is not None:
                with quiet_while_logging(settings.silent):
                    end_training_run(integration, started, "KILLED" if isinstance(error, KeyboardInterrupt)
                                     else "FAILED")
            raise
        if started is not None:
            with quiet_while_logging(settings.silent):
                end_training_run(integration, started, "FINISHED")
    finally:
        inside.reset(token)
