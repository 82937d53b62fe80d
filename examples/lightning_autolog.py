"""Autolog PyTorch Lightning training: one `Trainer.fit` becomes a run with params, per-epoch metrics, early
stopping's results, the model summary, the dataset and the trained model, which loads back and predicts.

    python examples/lightning_autolog.py        # needs torch and lightning: pip install "tracekit[pytorch]"
"""

from __future__ import annotations

import tempfile

import lightning
import torch
from lightning.pytorch.callbacks import EarlyStopping
from lightning_regressor import Regressor
from torch.utils.data import DataLoader, TensorDataset

import tracekit


def main() -> None:
    tracekit.set_experiment("lightning-autolog")
    tracekit.pytorch.autolog()
    torch.manual_seed(0)
    features = torch.randn(512, 4)
    targets = features @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]]) + 0.05 * torch.randn(512, 1)
    train = DataLoader(TensorDataset(features[128:], targets[128:]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(features[:128], targets[:128]), batch_size=64)
    trainer = lightning.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False,
                                default_root_dir=tempfile.mkdtemp(),
                                callbacks=[EarlyStopping(monitor="val_loss", patience=2)])
    trainer.fit(Regressor(), train, val)  # starts and ends its own run

    run = tracekit.last_active_run()
    params = run.data.params
    print(f"run {run.info.run_name}: {run.info.status}")
    print(f"params: epochs={params['epochs']} optimizer={params['optimizer_name']} lr={params['lr']} "
          f"batch_size={params['batch_size']} hidden={params['hidden']} monitor={params['monitor']}")
    for metric in tracekit.get_metric_history(run.info.run_id, "val_loss"):
        print(f"  epoch {metric.step}: val_loss = {metric.value:.4f}")
    print(f"stopped_epoch = {run.data.metrics['stopped_epoch']:.0f}")
    artifacts = [item.path for item in tracekit.TracekitClient().list_artifacts(run.info.run_id)]
    print(f"artifacts: {artifacts}")

    [logged] = tracekit.search_logged_models(filter_string=f"source_run_id = '{run.info.run_id}'",
                                             output_format="list")
    model = tracekit.pyfunc.load_model(f"models:/{logged.model_id}")
    predicted = model.predict(features[:3].numpy())
    print(f"logged model {logged.name!r} predicts {[round(float(value), 2) for value in predicted[:, 0]]} "
          f"for targets {[round(float(value), 2) for value in targets[:3, 0]]}")


if __name__ == "__main__":
    main()
