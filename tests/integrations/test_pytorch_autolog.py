"""PyTorch Lightning autolog with real Lightning on a tiny module and synthetic data (CPU, a few epochs), on the
test's SQLite store, read back through the public API."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.tracing.safety import internal_error_counts

torch = pytest.importorskip("torch")
lightning = pytest.importorskip("lightning")
from lightning.pytorch.callbacks import Callback, EarlyStopping  # noqa: E402
from lightning_modules import TinyRegressor, loaders, quiet_trainer, synthetic_data  # noqa: E402

import tracekit.integrations.pytorch as pytorch_autolog  # noqa: E402

EPOCHS = 3


class EpochRecorder(Callback):
    """The user's own callback: what Lightning reported at the end of each training epoch."""

    def __init__(self) -> None:
        self.val_losses: list[float] = []

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        self.val_losses.append(float(trainer.callback_metrics["val_loss"]))


@pytest.fixture
def module():
    torch.manual_seed(0)
    return TinyRegressor(inputs=3, lr=0.05)


def fit(tmp_path, module, max_epochs: int = EPOCHS, **trainer_options):
    trainer = quiet_trainer(tmp_path, max_epochs=max_epochs, **trainer_options)
    trainer.fit(module, *loaders())
    return trainer


def history(run, key: str) -> list[tuple[int, float]]:
    return [(metric.step, metric.value) for metric in tracekit.get_metric_history(run.info.run_id, key)]


def the_logged_model():
    [logged] = tracekit.search_logged_models(output_format="list")
    return logged


def test_fit_without_a_run_logs_params_and_metrics_per_epoch(tmp_path, module):
    tracekit.pytorch.autolog()
    recorder = EpochRecorder()

    fit(tmp_path, module, callbacks=[recorder])

    run = tracekit.last_active_run()
    assert tracekit.active_run() is None and run.info.status == "FINISHED"
    params = run.data.params
    assert params["epochs"] == str(EPOCHS) and params["optimizer_name"] == "SGD"
    assert params["lr"] == "0.05" and params["momentum"] == "0.5" and params["weight_decay"] == "0"
    assert params["batch_size"] == "16" and params["inputs"] == "3"
    val_history = history(run, "val_loss")
    assert [step for step, _ in val_history] == list(range(EPOCHS))
    assert [value for _, value in val_history] == pytest.approx(recorder.val_losses)
    assert recorder.val_losses[-1] < recorder.val_losses[0]  # it did train
    assert [step for step, _ in history(run, "train_loss_epoch")] == list(range(EPOCHS))
    assert "train_loss_step" not in run.data.metrics  # per-step values only with log_every_n_step


def test_the_users_callback_list_is_left_as_it_was(tmp_path, module):
    tracekit.pytorch.autolog()
    recorder = EpochRecorder()
    callbacks = [recorder]
    trainer = quiet_trainer(tmp_path, max_epochs=1, callbacks=callbacks)
    before = list(trainer.callbacks)

    trainer.fit(module, *loaders())

    assert callbacks == [recorder]
    assert trainer.callbacks == before


def test_trained_model_is_a_logged_model_that_predicts_like_the_module(tmp_path, module):
    tracekit.pytorch.autolog()

    fit(tmp_path, module)

    logged = the_logged_model()
    assert logged.name == "model" and logged.source_run_id == tracekit.last_active_run().info.run_id
    features = synthetic_data(rows=10, seed=7).tensors[0]
    module.eval()
    with torch.no_grad():
        expected = module(features).numpy()
    loaded = tracekit.pytorch.load_model(f"models:/{logged.model_id}")
    assert isinstance(loaded, TinyRegressor) and loaded.hparams["lr"] == 0.05
    with torch.no_grad():
        np.testing.assert_allclose(loaded(features).numpy(), expected, rtol=1e-6)
    pyfunc = tracekit.pyfunc.load_model(f"models:/{logged.model_id}")
    np.testing.assert_allclose(pyfunc.predict(features.numpy()), expected, rtol=1e-6)
    signature = pyfunc.metadata.signature
    assert signature.inputs.to_dict() == [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]


def test_model_summary_and_training_dataset_are_recorded(tmp_path, module):
    tracekit.pytorch.autolog()

    fit(tmp_path, module, max_epochs=1)

    run = tracekit.last_active_run()
    summary = tracekit.artifacts.load_text(f"{run.info.artifact_uri}/model_summary.txt")
    assert "linear" in summary and "Linear" in summary and "Trainable params" in summary
    [dataset_input] = run.inputs.dataset_inputs
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == "train"
    assert '"num_rows": 64' in dataset_input.dataset.profile


def test_log_models_and_log_datasets_false_log_neither(tmp_path, module):
    tracekit.pytorch.autolog(log_models=False, log_datasets=False)

    fit(tmp_path, module, max_epochs=1)

    run = tracekit.last_active_run()
    assert tracekit.search_logged_models(output_format="list") == []
    assert run.inputs.dataset_inputs == []
    assert "val_loss" in run.data.metrics


def test_every_n_steps_and_every_n_epochs(tmp_path, module):
    tracekit.pytorch.autolog(log_every_n_step=2, log_every_n_epoch=2)

    fit(tmp_path, module, max_epochs=4)  # 4 batches an epoch: global steps 1..16

    run = tracekit.last_active_run()
    assert [step for step, _ in history(run, "train_loss_step")] == [2, 4, 6, 8, 10, 12, 14, 16]
    assert [step for step, _ in history(run, "val_loss")] == [1, 3]
    assert [step for step, _ in history(run, "train_loss_epoch")] == [1, 3]
    assert "train_loss" not in run.data.metrics  # Lightning's latest-of-either copy: no key mixes the two axes


def test_early_stopping_params_and_where_it_stopped(tmp_path, module):
    tracekit.pytorch.autolog()
    # no improvement can be as large as min_delta: it stops after patience + 1 epochs
    stopper = EarlyStopping(monitor="val_loss", mode="min", patience=1, min_delta=100.0)

    fit(tmp_path, module, max_epochs=10, callbacks=[stopper])

    run = tracekit.last_active_run()
    params = run.data.params
    assert (params["monitor"], params["mode"], params["patience"], params["min_delta"]) == (
        "val_loss", "min", "1", "100.0")
    assert run.data.metrics["stopped_epoch"] == stopper.stopped_epoch > 0
    assert run.data.metrics["wait_count"] == stopper.wait_count
    assert len(history(run, "val_loss")) == stopper.stopped_epoch + 1 < 10


def test_an_active_run_is_used_and_left_open(tmp_path, module):
    tracekit.pytorch.autolog()

    with tracekit.start_run() as run:
        fit(tmp_path, module, max_epochs=1)
        assert tracekit.active_run().info.run_id == run.info.run_id

    assert len(tracekit.search_runs(output_format="list")) == 1
    assert "val_loss" in tracekit.get_run(run.info.run_id).data.metrics


def test_exclusive_leaves_the_users_run_alone(tmp_path, module):
    tracekit.pytorch.autolog(exclusive=True)

    with tracekit.start_run() as run:
        fit(tmp_path, module, max_epochs=1)

    assert tracekit.get_run(run.info.run_id).data.metrics == {}
    assert tracekit.search_logged_models(output_format="list") == []


def test_a_failing_fit_ends_the_run_failed_and_raises_unchanged(tmp_path, module):
    tracekit.pytorch.autolog()
    trainer = quiet_trainer(tmp_path, max_epochs=1)
    before = list(trainer.callbacks)

    class Boom(RuntimeError):
        pass

    def explode(*args, **kwargs):
        raise Boom("bad batch")

    module.training_step = explode
    with pytest.raises(Boom, match="bad batch"):
        trainer.fit(module, *loaders())

    assert tracekit.last_active_run().info.status == "FAILED"
    assert tracekit.active_run() is None
    assert trainer.callbacks == before


def test_logging_failures_are_counted_and_training_goes_on(tmp_path, module, internal_warnings, monkeypatch):
    tracekit.pytorch.autolog(log_every_n_step=1)

    def store_down(*args, **kwargs):
        raise ConnectionError("tracking store unreachable")

    monkeypatch.setattr(tracekit, "log_metrics", store_down)
    module.hparams["not_json"] = object()  # the model cannot be rebuilt from its hparams: model logging fails
    recorder = EpochRecorder()

    fit(tmp_path, module, callbacks=[recorder])

    assert len(recorder.val_losses) == EPOCHS  # training ran every epoch
    counts = internal_error_counts()
    assert counts["pytorch autolog: logging epoch metrics"] == EPOCHS
    assert counts["pytorch autolog: logging step metrics"] == EPOCHS * 4  # 64 rows in batches of 16
    assert counts["pytorch autolog: logging the trained model"] == 1
    assert tracekit.last_active_run().info.status == "FINISHED"
    assert any("logging epoch metrics" in record.getMessage() for record in internal_warnings())


def test_checkpoints_hold_weights_that_load_without_pickle(tmp_path, module):
    tracekit.pytorch.autolog(checkpoint=True, checkpoint_monitor="val_loss", log_models=False)

    fit(tmp_path, module)

    run = tracekit.last_active_run()
    folder = tracekit.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="checkpoints",
                                                   dst_path=str(tmp_path / "downloaded"))
    weights = torch.load(f"{folder}/latest_checkpoint.pt", weights_only=True)
    assert torch.equal(weights["linear.weight"], module.linear.weight.detach())
    with open(f"{folder}/latest_checkpoint_metrics.json") as file:
        saved = json.load(file)
    assert saved["monitor"] == "val_loss" and saved["epoch"] == EPOCHS - 1  # the loss fell every epoch
    assert saved["monitored_value"] == pytest.approx(run.data.metrics["val_loss"])


def test_registered_model_name_registers_the_trained_model(tmp_path, module):
    tracekit.pytorch.autolog(registered_model_name="tiny-regressor")

    fit(tmp_path, module, max_epochs=1)

    [version] = tracekit.search_model_versions(filter_string="name = 'tiny-regressor'")
    assert str(version.version) == "1"
    assert version.run_id == tracekit.last_active_run().info.run_id


def test_extra_tags_are_set_on_the_run_autolog_starts(tmp_path, module):
    tracekit.pytorch.autolog(extra_tags={"team": "forecasting"})

    fit(tmp_path, module, max_epochs=1)

    assert tracekit.last_active_run().data.tags["team"] == "forecasting"


def test_tracekit_autolog_turns_it_on_and_disable_turns_it_off(tmp_path, module):
    assert "pytorch" in tracekit.autolog(log_models=False)
    assert pytorch_autolog.is_enabled()
    fit(tmp_path, module, max_epochs=1)
    assert len(tracekit.search_runs(output_format="list")) == 1
    assert tracekit.search_logged_models(output_format="list") == []  # tracekit.autolog's log_models=False

    tracekit.autolog(disable=True)
    assert not pytorch_autolog.is_enabled()
    fit(tmp_path, module, max_epochs=1)
    assert len(tracekit.search_runs(output_format="list")) == 1


def test_explicit_options_take_precedence_over_tracekit_autolog(tmp_path, module):
    tracekit.pytorch.autolog(log_models=True)
    tracekit.autolog(log_models=False)

    fit(tmp_path, module, max_epochs=1)

    assert the_logged_model().name == "model"


def test_pytorch_lightning_trainer_is_autologged_too(tmp_path):
    pytorch_lightning = pytest.importorskip("pytorch_lightning")
    from torch import nn

    class LegacyRegressor(pytorch_lightning.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(3, 1)

        def training_step(self, batch, batch_idx):
            loss = nn.functional.mse_loss(self.linear(batch[0]), batch[1])
            self.log("train_loss", loss, on_epoch=True, on_step=False)
            return loss

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=0.01)

    tracekit.pytorch.autolog(log_models=False)
    trainer = pytorch_lightning.Trainer(max_epochs=2, accelerator="cpu", logger=False, enable_checkpointing=False,
                                        enable_progress_bar=False, enable_model_summary=False,
                                        default_root_dir=str(tmp_path / "pl"))
    trainer.fit(LegacyRegressor(), loaders()[0])

    run = tracekit.last_active_run()
    assert run.data.params["optimizer_name"] == "Adam" and run.data.params["lr"] == "0.01"
    assert [step for step, _ in history(run, "train_loss")] == [0, 1]


@pytest.mark.parametrize("options, message", [
    ({"log_every_n_epoch": 0}, "log_every_n_epoch must be a positive int, got 0"),
    ({"log_every_n_step": -2}, "log_every_n_step must be a positive int or None, got -2"),
    ({"checkpoint_mode": "lowest"}, "checkpoint_mode must be 'min' or 'max'"),
    ({"checkpoint_save_freq": "batch"}, "checkpoint_save_freq must be 'epoch' or a positive int"),
])
def test_bad_options_are_refused_naming_them(options, message):
    with pytest.raises(TracekitException, match=message):
        tracekit.pytorch.autolog(**options)
    assert not pytorch_autolog.is_enabled()


def test_without_lightning_tracekit_autolog_skips_it_quietly_and_the_entry_point_warns(monkeypatch, caplog):
    from tracekit.integrations import _patching as patching

    real = patching.installed_version
    monkeypatch.setattr(patching, "installed_version",
                        lambda name: None if name in ("lightning", "pytorch-lightning") else real(name))
    caplog.set_level(logging.WARNING, logger="tracekit")

    assert "pytorch" not in tracekit.autolog()
    assert not [record for record in caplog.records if "pytorch" in record.getMessage()]
    tracekit.pytorch.autolog()
    assert not pytorch_autolog.is_enabled()
    assert any("'lightning' package is not installed" in record.getMessage() for record in caplog.records)


def test_disable_for_unsupported_versions_keeps_it_off_for_a_newer_lightning(monkeypatch, caplog):
    from tracekit.integrations import _patching as patching

    real = patching.installed_version
    monkeypatch.setattr(patching, "installed_version",
                        lambda name: "9.0.0" if name in ("lightning", "pytorch-lightning") else real(name))
    caplog.set_level(logging.WARNING, logger="tracekit")

    tracekit.pytorch.autolog(disable_for_unsupported_versions=True)
    assert not pytorch_autolog.is_enabled()
    assert any("newer than the newest tested version 2.6" in record.getMessage() for record in caplog.records)
    tracekit.pytorch.autolog()
    assert pytorch_autolog.is_enabled()  # newer versions are tried unless asked not to
