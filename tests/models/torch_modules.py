"""Small PyTorch modules for the flavor tests, in a module of their own so a saved model can import them again."""

from __future__ import annotations

import torch
from torch import nn


class TwoLayerRegressor(nn.Module):
    """A regressor whose shape comes from its constructor arguments."""

    def __init__(self, inputs: int, hidden: int = 4) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(inputs, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.dropout = nn.Dropout(p=0.5)  # on in train mode: predictions must come from eval mode

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(self.dropout(features))


class NoArguments(nn.Module):
    """A module built without any constructor argument."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 2)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear(features)
