"""What PyTorch Lightning autolog writes during one `Trainer.fit`: a Lightning callback logs params when training
starts (epochs, the optimizer's name and defaults, batch size, the module's hparams, early stopping settings), the
training dataset and the model summary, `trainer.callback_metrics` every n epochs (step = epoch) and every n
training steps (step = global step), optional weight checkpoints, and early stopping's results at the end; after
`fit` the trained module is logged as the logged model "model".

Each step runs on its own (`_step`): one that fails is reported once (`report_internal_error`) and counted, and the
others, and training, go on.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracekit.integrations._training_runs import TrainingSettings, logging_step
from tracekit.store.column_limits import PARAM_VALUE_LENGTH

logger = logging.getLogger(__name__)

#: Rows of the training features used to infer the logged model's signature.
SIGNATURE_ROWS = 5
CHECKPOINT_FILE = "latest_checkpoint.pt"
CHECKPOINT_METRICS_FILE = "latest_checkpoint_metrics.json"
CHECKPOINT_FOLDER = "checkpoints"
MODEL_SUMMARY_FILE = "model_summary.txt"


@dataclass
class Settings(TrainingSettings):
    """The options `tracekit.pytorch.autolog()` was called with."""

    log_every_n_epoch: int = 1
    log_every_n_step: int | None = None
    checkpoint: bool = False
    checkpoint_monitor: str = "val_loss"
    checkpoint_mode: str = "min"
    checkpoint_save_best_only: bool = True
    checkpoint_save_freq: str | int = "epoch"


def _step(what: str, action: Callable[[], Any]) -> Any:
    return logging_step("pytorch", what, action)


def scalar_metrics(metrics: Mapping[str, Any], leave_out: Callable[[str], bool]) -> dict[str, float]:
    """The finite scalar values of Lightning's `callback_metrics` (tensors or numbers) whose key `leave_out` does
    not reject."""
    found = {}
    for key, value in metrics.items():
        if leave_out(key):
            continue
        try:
            number = float(value.item() if hasattr(value, "item") else value)
        except (TypeError, ValueError, RuntimeError):  # a tensor of several values, a string
            continue
        if math.isfinite(number):
            found[str(key)] = number
    return found


class MetricAxes:
    """Which of `callback_metrics` belong on the epoch axis and which on the step axis.

    `callback_metrics` holds everything `self.log` recorded, and keeps the last value of each: validation and
    epoch-only metrics stay in it while the next epoch's batches run. A key that first appears at a validation or
    epoch end is an epoch-level metric and is not logged per step. For a metric logged both on step and on epoch
    Lightning keeps `x` (the latest of either), `x_step` and `x_epoch`: with per-step logging on, the plain `x` is
    left out so that no key mixes the two axes.
    """

    def __init__(self, per_step: bool) -> None:
        self.per_step = per_step
        self._epoch_level: set[str] = set()
        self._seen: set[str] = set()

    def note_epoch_end(self, metrics: Mapping[str, Any]) -> None:
        """At a validation or training epoch end: the keys new since the last batch are epoch-level."""
        keys = set(metrics)
        self._epoch_level |= keys - self._seen
        self._seen = keys

    def step_metrics(self, metrics: Mapping[str, Any]) -> dict[str, float]:
        """The per-step values after a training batch."""
        self._seen = set(metrics)
        return scalar_metrics(metrics, lambda key: key.endswith("_epoch") or key in self._epoch_level
                              or f"{key}_step" in metrics)

    def epoch_metrics(self, metrics: Mapping[str, Any]) -> dict[str, float]:
        """The values at a training epoch end."""
        return scalar_metrics(metrics, lambda key: key.endswith("_step")
                              or (self.per_step and f"{key}_epoch" in metrics))


def make_callback_class(base: type) -> type:
    """A callback class deriving from `base` (the Callback of `lightning.pytorch` or of `pytorch_lightning`,
    whichever package the trainer comes from)."""

    class TracekitAutologCallback(base):
        """Logs one `fit` into the run `run_id` (see the module docstring)."""

        def __init__(self, settings: Settings, run_id: str) -> None:
            super().__init__()
            self.settings = settings
            self.run_id = run_id
            self.signature_example: Any = None
            self._best_monitored: float | None = None
            self._axes = MetricAxes(per_step=bool(settings.log_every_n_step))
            # per-step points are queued (asynchronous logging) and waited for at each epoch end, so that the
            # training loop does not wait for a database write every step and failures are still counted
            self._pending_steps: list[Any] = []

        def on_train_start(self, trainer: Any, pl_module: Any) -> None:
            _step("logging the training params", lambda: log_params(training_params(trainer, pl_module),
                                                                    self.run_id))
            if self.settings.log_datasets or self.settings.log_models:
                features, targets = _step("reading the training data", lambda: training_arrays(trainer)) \
                    or (None, None)
                if features is not None:
                    self.signature_example = features[:SIGNATURE_ROWS]
                    if self.settings.log_datasets:
                        _step("logging the training dataset", lambda: log_dataset(features, targets))
            _step("logging the model summary", lambda: log_model_summary(pl_module, self.run_id))

        def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            self._axes.note_epoch_end(trainer.callback_metrics)

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            self._wait_for_steps()
            self._axes.note_epoch_end(trainer.callback_metrics)
            epoch = int(trainer.current_epoch)
            if (epoch + 1) % self.settings.log_every_n_epoch == 0:
                _step("logging epoch metrics", lambda: log_metrics(
                    self._axes.epoch_metrics(trainer.callback_metrics), epoch, self.run_id))
            if self.settings.checkpoint and self.settings.checkpoint_save_freq == "epoch":
                _step("saving a checkpoint", lambda: self._checkpoint(trainer, pl_module))

        def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any,
                               batch_idx: int) -> None:
            every = self.settings.log_every_n_step
            step = int(trainer.global_step)
            if every and step % every == 0:
                pending = _step("logging step metrics", lambda: log_metrics(
                    self._axes.step_metrics(trainer.callback_metrics), step, self.run_id, synchronous=False))
                if pending is not None:
                    self._pending_steps.append(pending)
            freq = self.settings.checkpoint_save_freq
            if self.settings.checkpoint and isinstance(freq, int) and step % freq == 0:
                _step("saving a checkpoint", lambda: self._checkpoint(trainer, pl_module))

        def on_train_end(self, trainer: Any, pl_module: Any) -> None:
            self._wait_for_steps()
            _step("logging early stopping results", lambda: log_early_stopping_results(trainer, self.run_id))

        def _wait_for_steps(self) -> None:
            pending, self._pending_steps = self._pending_steps, []
            for operations in pending:
                _step("logging step metrics", operations.wait)

        def _checkpoint(self, trainer: Any, pl_module: Any) -> None:
            value = trainer.callback_metrics.get(self.settings.checkpoint_monitor)
            monitored = float(value) if value is not None else None
            if self.settings.checkpoint_save_best_only:
                if monitored is None:
                    return  # nothing to compare yet (no validation this epoch)
                if self._best_monitored is not None and not _improved(monitored, self._best_monitored,
                                                                      self.settings.checkpoint_mode):
                    return
                self._best_monitored = monitored
            save_checkpoint(pl_module, self.run_id, {
                "epoch": int(trainer.current_epoch), "global_step": int(trainer.global_step),
                "monitor": self.settings.checkpoint_monitor, "monitored_value": monitored})

    return TracekitAutologCallback


def _improved(value: float, best: float, mode: str) -> bool:
    return value < best if mode == "min" else value > best


def _param_text(value: Any) -> str:
    return str(value)[:PARAM_VALUE_LENGTH]


def training_params(trainer: Any, pl_module: Any) -> dict[str, str]:
    """The params of a fit: epochs, the optimizer's class and defaults (lr, ...), the batch size when the training
    data loader has one, the module's saved hyperparameters and the settings of an EarlyStopping callback."""
    params: dict[str, str] = {"epochs": _param_text(trainer.max_epochs)}
    optimizers = list(getattr(trainer, "optimizers", None) or [])
    if optimizers:
        optimizer = optimizers[0]
        params["optimizer_name"] = type(optimizer).__name__
        for key, value in getattr(optimizer, "defaults", {}).items():
            if isinstance(value, (bool, int, float, str, tuple)) or value is None:
                params[str(key)] = _param_text(value)
    batch_size = getattr(getattr(trainer, "train_dataloader", None), "batch_size", None)
    if batch_size is not None:
        params["batch_size"] = _param_text(batch_size)
    hparams = getattr(pl_module, "hparams", None)
    if isinstance(hparams, Mapping):
        for key, value in hparams.items():
            params.setdefault(str(key), _param_text(value))
    stopper = _early_stopping(trainer)
    if stopper is not None:
        params.update({"monitor": _param_text(stopper.monitor), "mode": _param_text(stopper.mode),
                       "patience": _param_text(stopper.patience), "min_delta": _param_text(abs(stopper.min_delta))})
    return params


def _early_stopping(trainer: Any) -> Any:
    return getattr(trainer, "early_stopping_callback", None)


def log_params(params: Mapping[str, str], run_id: str) -> None:
    """Log params into the run (one transaction)."""
    import tracekit

    tracekit.log_params(params, synchronous=True, run_id=run_id)


def log_metrics(metrics: Mapping[str, float], step: int, run_id: str, synchronous: bool = True) -> Any:
    """Log one point of each metric at `step`; queued (a RunOperations to wait on) unless `synchronous`."""
    import tracekit

    if not metrics:
        return None
    return tracekit.log_metrics(metrics, step=step, synchronous=synchronous, run_id=run_id)


def log_early_stopping_results(trainer: Any, run_id: str) -> None:
    """Where early stopping stopped (`stopped_epoch`, 0 if it never did), `wait_count` and `best_score`."""
    stopper = _early_stopping(trainer)
    if stopper is None:
        return
    results = {"stopped_epoch": float(stopper.stopped_epoch), "wait_count": float(stopper.wait_count)}
    best = getattr(stopper, "best_score", None)
    if best is not None and math.isfinite(float(best)):
        results["best_score"] = float(best)
    log_metrics(results, 0, run_id)


def training_arrays(trainer: Any) -> tuple[Any, Any]:
    """The features (and targets) of a training set held as tensors (a TensorDataset), as numpy arrays; (None,
    None) for any other dataset, whose size autolog cannot know without iterating it."""
    import torch

    loader = getattr(trainer, "train_dataloader", None)
    dataset = getattr(loader, "dataset", None)
    if not isinstance(dataset, torch.utils.data.TensorDataset) or not dataset.tensors:
        return None, None
    features = dataset.tensors[0].detach().cpu().numpy()
    targets = dataset.tensors[1].detach().cpu().numpy() if len(dataset.tensors) > 1 else None
    return features, targets


def log_dataset(features: Any, targets: Any) -> None:
    """The training set as an input of the active run (context "train")."""
    import tracekit
    from tracekit import data

    tracekit.log_input(data.from_numpy(features, targets=targets), context="train")


def log_model_summary(pl_module: Any, run_id: str) -> None:
    """The module's layer table (`ModelSummary`, all depths) as the artifact `model_summary.txt`."""
    import importlib

    import tracekit

    summary = importlib.import_module(f"{lightning_package(type(pl_module))}.utilities.model_summary")
    tracekit.log_text(str(summary.ModelSummary(pl_module, max_depth=-1)), MODEL_SUMMARY_FILE, run_id=run_id)


def lightning_package(cls: type) -> str:
    """The Lightning package a trainer or module class comes from: "pytorch_lightning" or "lightning.pytorch"."""
    if any(klass.__module__.startswith("pytorch_lightning.") for klass in cls.__mro__):
        return "pytorch_lightning"
    return "lightning.pytorch"


def save_checkpoint(pl_module: Any, run_id: str, info: Mapping[str, Any]) -> None:
    """The module's weights (`state_dict`, read back with `torch.load(weights_only=True)`) and what they were
    saved at, replacing the previous checkpoint under `checkpoints/`."""
    import torch

    import tracekit

    with tempfile.TemporaryDirectory(prefix="tracekit-checkpoint-") as scratch:
        path = os.path.join(scratch, CHECKPOINT_FILE)
        torch.save(pl_module.state_dict(), path)
        tracekit.log_artifact(path, CHECKPOINT_FOLDER, run_id=run_id)
    tracekit.log_dict(dict(info), f"{CHECKPOINT_FOLDER}/{CHECKPOINT_METRICS_FILE}", run_id=run_id)


def log_trained_model(settings: Settings, pl_module: Any, signature_example: Any) -> Any:
    """The trained module as the logged model "model" of the active run, with a signature inferred from the
    first training rows when they are known; its ModelInfo."""
    from tracekit.models import infer_signature
    from tracekit.models.pytorch_flavor import TorchPredictor, log_model

    signature = None
    if signature_example is not None:
        signature = _step("inferring the model signature", lambda: infer_signature(
            signature_example, TorchPredictor(pl_module).predict(signature_example)))
    was_training = pl_module.training
    try:
        return log_model(pl_module, name="model", registered_model_name=settings.registered_model_name,
                         signature=signature)
    finally:
        pl_module.train(was_training)
