"""`tracekit.pytorch`: MLflow's `mlflow.pytorch` for tracekit; `autolog()` logs every PyTorch Lightning
`Trainer.fit` as a training run. Save, log and load `torch.nn.Module`s (LightningModules too) as their weights plus
the class and constructor arguments that rebuild them; they load back as modules in eval mode (`load_model`) or as
pyfunc models (`tracekit.pyfunc.load_model`). Weights are read with `torch.load(weights_only=True)`; whole-module
pickling is an explicit, unsafe opt-in (`serialization_format="pickle"`, `allow_pickle=True`).
Needs the `pytorch` extra (`pip install "tracekit[pytorch]"`).

>>> info = tracekit.pytorch.log_model(net, name="regressor", init_kwargs={"hidden": 8}, input_example=x[:3])
>>> tracekit.pytorch.load_model(info.model_uri)(torch.as_tensor(x))
"""

from collections.abc import Mapping
from typing import Any

from tracekit.models.pytorch_flavor import (
    FLAVOR_NAME,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_STATE_DICT,
    SUPPORTED_SERIALIZATION_FORMATS,
    _load_pyfunc,
    load_model,
    log_model,
    save_model,
)


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
    from tracekit.autologging import cancel_pending
    from tracekit.integrations import pytorch as integration

    cancel_pending("pytorch")

    integration.autolog(
        log_every_n_epoch=log_every_n_epoch, log_every_n_step=log_every_n_step, log_models=log_models,
        log_datasets=log_datasets, disable=disable, exclusive=exclusive,
        disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent,
        registered_model_name=registered_model_name, extra_tags=extra_tags, checkpoint=checkpoint,
        checkpoint_monitor=checkpoint_monitor, checkpoint_mode=checkpoint_mode,
        checkpoint_save_best_only=checkpoint_save_best_only, checkpoint_save_freq=checkpoint_save_freq)


__all__ = ["FLAVOR_NAME", "SERIALIZATION_FORMAT_PICKLE", "SERIALIZATION_FORMAT_STATE_DICT",
           "SUPPORTED_SERIALIZATION_FORMATS", "_load_pyfunc", "autolog", "load_model", "log_model", "save_model"]
