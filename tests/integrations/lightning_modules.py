"""A tiny LightningModule and synthetic data for the autolog tests (a module of its own, so the logged model's
class can be imported again when it is loaded)."""

from __future__ import annotations

import lightning
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TinyRegressor(lightning.LightningModule):
    """y = x·w + b learned by one linear layer; logs train_loss per step and epoch, val_loss per epoch."""

    def __init__(self, inputs: int = 3, lr: float = 0.05) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.linear = nn.Linear(inputs, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear(features)

    def training_step(self, batch, batch_idx):
        features, targets = batch
        loss = nn.functional.mse_loss(self(features), targets)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        features, targets = batch
        self.log("val_loss", nn.functional.mse_loss(self(features), targets))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.5)


class BrokenSummary(TinyRegressor):
    """A module whose hparams are fine but whose parameters cannot be counted by a model summary."""


def synthetic_data(rows: int = 64, inputs: int = 3, seed: int = 0) -> TensorDataset:
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(rows, inputs, generator=generator)
    targets = features @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3 + 0.01 * torch.randn(rows, 1, generator=generator)
    return TensorDataset(features, targets)


def loaders(batch_size: int = 16) -> tuple[DataLoader, DataLoader]:
    return (DataLoader(synthetic_data(), batch_size=batch_size, shuffle=False),
            DataLoader(synthetic_data(rows=32, seed=1), batch_size=batch_size))


def quiet_trainer(tmp_path, max_epochs: int = 3, **options) -> lightning.Trainer:
    """A CPU trainer that writes nothing to the working directory and shows no progress bar."""
    return lightning.Trainer(max_epochs=max_epochs, accelerator="cpu", devices=1, logger=False,
                             enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                             default_root_dir=str(tmp_path / "lightning"), num_sanity_val_steps=0, **options)
