"""Autolog for PyTorch Lightning: every `Trainer.fit` logs a training run.

>>> tracekit.pytorch.autolog()
>>> trainer = lightning.Trainer(max_epochs=5)
>>> trainer.fit(module, train_loader, val_loader)   # params, per-epoch metrics, the model summary, the model

`Trainer.fit` of `lightning.pytorch` and of `pytorch_lightning` (whichever are installed) is wrapped with wrapt. For
the duration of the call the trainer's callback list is replaced by a copy with tracekit's callback added, so the
list you passed is never changed, and it is put back afterwards. Without an active run, `fit` starts one and ends
it (FAILED, with your exception re-raised unchanged, if `fit` raised). Logging failures are reported once and
counted (`tracekit.tracing.safety.internal_error_counts`); training always goes on.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.integrations import _patching as patching
from tracekit.integrations._lightning_logging import (
    Settings,
    lightning_package,
    log_trained_model,
    make_callback_class,
)
from tracekit.integrations._patching import PatchSet, PatchTarget, _version_tuple, autolog_setup, check_library
from tracekit.integrations._training_runs import library_autolog, quiet_while_logging, training_run, version_tested
from tracekit.tracing.safety import report_internal_error

logger = logging.getLogger(__name__)

MINIMUM_VERSION = (2, 0)
#: The newest minor version tested; `disable_for_unsupported_versions=True` keeps autolog off for newer ones.
NEWEST_TESTED_VERSION = (2, 6)
#: (module to import, distribution) of each Lightning package whose Trainer is patched.
LIGHTNING_PACKAGES = (("lightning.pytorch", "lightning"), ("pytorch_lightning", "pytorch-lightning"))

_PATCHES = PatchSet("pytorch", needs_tracing=False)
_settings = Settings()
# True while a patched fit is running: a fit started inside it (a tuner's trial fit) passes through unlogged.
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("tracekit_pytorch_autolog_inside", default=False)
_callback_classes: dict[str, type] = {}
#: Whether the user's last explicit `tracekit.pytorch.autolog()` call set the options (they then take precedence
#: over `tracekit.autolog()`'s).
_configured_explicitly = False


@library_autolog("pytorch")
def autolog(log_every_n_epoch: int = 1, log_every_n_step: int | None = None, log_models: bool = True,
            log_datasets: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            registered_model_name: str | None = None, extra_tags: Mapping[str, Any] | None = None,
            checkpoint: bool = False, checkpoint_monitor: str = "val_loss", checkpoint_mode: str = "min",
            checkpoint_save_best_only: bool = True, checkpoint_save_freq: str | int = "epoch") -> None:
    """Log every PyTorch Lightning `Trainer.fit` (`lightning` or `pytorch_lightning`) as a training run:

    - params when training starts: `epochs`, `optimizer_name` and the optimizer's defaults (`lr`, ...),
      `batch_size` of the training loader, the module's `hparams`, and with an EarlyStopping callback its
      `monitor`, `mode`, `patience`, `min_delta`;
    - `trainer.callback_metrics` (what `self.log` recorded, validation included) every `log_every_n_epoch`
      epochs at step = epoch, and with `log_every_n_step` every n training steps at step = global step;
    - with EarlyStopping, the metrics `stopped_epoch`, `wait_count` and `best_score` at the end;
    - the artifact `model_summary.txt`, the training set (a TensorDataset) as a run input (`log_datasets`);
    - the trained module as the logged model "model" (`log_models`, registered as `registered_model_name`);
      build it from `save_hyperparameters()` arguments so it can be rebuilt from its weights;
    - with `checkpoint=True`, the weights as `checkpoints/latest_checkpoint.pt` every epoch (or every
      `checkpoint_save_freq` steps), only when `checkpoint_monitor` improved (`checkpoint_mode` "min"/"max")
      unless `checkpoint_save_best_only=False`.

    A run is started (and ended) when none is active; with `exclusive=True` nothing is logged into a run you
    started. `disable=True` removes the patch; `silent=True` keeps tracekit's logs and warnings out of the way;
    `disable_for_unsupported_versions=True` stays off for Lightning versions newer than the ones tested.

    >>> tracekit.pytorch.autolog(log_every_n_step=10)
    >>> lightning.Trainer(max_epochs=5).fit(module, train_loader, val_loader)
    """
    global _configured_explicitly
    _configured_explicitly = not disable
    configure(log_every_n_epoch=log_every_n_epoch, log_every_n_step=log_every_n_step, log_models=log_models,
              log_datasets=log_datasets, disable=disable, exclusive=exclusive,
              disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
              registered_model_name=registered_model_name, extra_tags=extra_tags, checkpoint=checkpoint,
              checkpoint_monitor=checkpoint_monitor, checkpoint_mode=checkpoint_mode,
              checkpoint_save_best_only=checkpoint_save_best_only, checkpoint_save_freq=checkpoint_save_freq)


def autolog_from_global(disable: bool, silent: bool, log_traces: bool, extra_tags: Mapping[str, Any] | None,
                        log_models: bool = True, log_datasets: bool = True, exclusive: bool = False,
                        disable_for_unsupported_versions: bool = False, **_ignored: Any) -> None:
    """`tracekit.autolog()`'s call: `disable` always applies; the options only if the user has not configured
    Lightning autolog itself (`tracekit.pytorch.autolog(...)` takes precedence). Quiet when torch is installed
    without Lightning."""
    global _configured_explicitly
    if disable:
        _configured_explicitly = False
        configure(disable=True, silent=silent)
        return
    if (_configured_explicitly and _PATCHES.active) or not _installed_packages():
        return
    configure(silent=silent, extra_tags=extra_tags, log_models=log_models, log_datasets=log_datasets,
              exclusive=exclusive, disable_for_unsupported_versions=disable_for_unsupported_versions)


def configure(*, disable: bool = False, silent: bool = False, extra_tags: Mapping[str, Any] | None = None,
              disable_for_unsupported_versions: bool = False, log_every_n_epoch: int = 1,
              log_every_n_step: int | None = None, checkpoint_mode: str = "min",
              checkpoint_save_freq: str | int = "epoch", **options: Any) -> None:
    """Check the options, store them and switch the patches on or off."""
    _check_positive("log_every_n_epoch", log_every_n_epoch, allow_none=False)
    _check_positive("log_every_n_step", log_every_n_step, allow_none=True)
    if checkpoint_mode not in ("min", "max"):
        raise TracekitException.invalid_parameter_value(
            f"pytorch autolog: checkpoint_mode must be 'min' or 'max', got {checkpoint_mode!r}.")
    if checkpoint_save_freq != "epoch":
        _check_positive("checkpoint_save_freq", checkpoint_save_freq, allow_none=False, also="'epoch' or ")
    with autolog_setup("pytorch", silent, extra_tags):
        if disable:
            _PATCHES.remove()
            return
        global _settings
        _settings = Settings.chosen(silent, extra_tags, log_every_n_epoch=log_every_n_epoch,
                                    log_every_n_step=log_every_n_step, checkpoint_mode=checkpoint_mode,
                                    checkpoint_save_freq=checkpoint_save_freq, **options)
        if _PATCHES.active:
            return
        packages = _installed_packages()
        usable = [(module, distribution) for module, distribution in packages if _recent_enough(distribution)]
        if not usable:
            # one warning that says why: not installed, or too old
            module, distribution = packages[0] if packages else ("lightning", "lightning")
            check_library("pytorch", module.split(".")[0], distribution, MINIMUM_VERSION)
            return
        if disable_for_unsupported_versions:
            usable = [(module, distribution) for module, distribution in usable if _version_tested(distribution)]
            if not usable and not silent:
                logger.warning("tracekit pytorch autolog is off: the installed Lightning is newer than the newest "
                               "tested version %s (disable_for_unsupported_versions=True).",
                               ".".join(map(str, NEWEST_TESTED_VERSION)))
        if usable:
            _PATCHES.apply([PatchTarget(f"{module}.trainer.trainer", "Trainer", "fit", _fit_wrapper)
                            for module, _ in usable])


def _check_positive(name: str, value: Any, allow_none: bool, also: str = "") -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TracekitException.invalid_parameter_value(
            f"pytorch autolog: {name} must be {also}a positive int{' or None' if allow_none else ''}, "
            f"got {value!r}.")


def _installed_packages() -> list[tuple[str, str]]:
    return [(module, distribution) for module, distribution in LIGHTNING_PACKAGES
            if patching.is_installed(module.split(".")[0], distribution)]


def _recent_enough(distribution: str) -> bool:
    return _version_tuple(patching.installed_version(distribution) or "0") >= MINIMUM_VERSION


def _version_tested(distribution: str) -> bool:
    return version_tested(distribution, MINIMUM_VERSION, NEWEST_TESTED_VERSION)


def is_enabled() -> bool:
    """Whether PyTorch Lightning training is being autologged."""
    return _PATCHES.active


def _callback_for(trainer: Any, settings: Settings, run_id: str) -> Any:
    package = lightning_package(type(trainer))
    callback_class = _callback_classes.get(package)
    if callback_class is None:
        base = importlib.import_module(f"{package}.callbacks").Callback
        callback_class = _callback_classes[package] = make_callback_class(base)
    return callback_class(settings, run_id)


def _fit_wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
    if _inside.get() or instance is None:
        return wrapped(*args, **kwargs)
    settings = _settings
    with training_run("pytorch", settings, _inside) as run_id:
        if run_id is None:
            return wrapped(*args, **kwargs)
        callback = None
        original_callbacks = instance.callbacks
        with quiet_while_logging(settings.silent):
            try:
                callback = _callback_for(instance, settings, run_id)
                instance.callbacks = [*original_callbacks, callback]
            except Exception:  # noqa: BLE001
                report_internal_error("pytorch autolog: adding the logging callback")
        try:
            result = wrapped(*args, **kwargs)
        finally:
            instance.callbacks = original_callbacks
        if settings.log_models and callback is not None:
            with quiet_while_logging(settings.silent):
                try:
                    module = instance.lightning_module or (args[0] if args else kwargs.get("model"))
                    log_trained_model(settings, module, callback.signature_example)
                except Exception:  # noqa: BLE001
                    report_internal_error("pytorch autolog: logging the trained model")
        return result
