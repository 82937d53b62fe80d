"""The LightningModule that `lightning_autolog.py` trains, in a module of its own: a logged PyTorch model is saved
as its weights plus its class's import path, so the class must be importable (not defined in `__main__`)."""

from __future__ import annotations

import lightning
import torch
from torch import nn


class Regressor(lightning.LightningModule):
    """A one-hidden-layer regressor; `save_hyperparameters()` records the constructor arguments that rebuild it."""

    def __init__(self, inputs: int = 4, hidden: int = 16, lr: float = 0.02) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)

    def training_step(self, batch, batch_idx):
        loss = nn.functional.mse_loss(self(batch[0]), batch[1])
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", nn.functional.mse_loss(self(batch[0]), batch[1]))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
