"""PyTorch Lightning `Trainer.fit` with `tracekit.pytorch.autolog()` against the same fit without it.

    python benchmarks/lightning_autolog.py [--rows 4096] [--epochs 5] [--batch-size 64] [--repeats 3]

Model: a 2-layer MLP (20 -> 64 -> 1) on synthetic regression data held as a TensorDataset, a validation set a quarter
that size, CPU only, no Lightning logger, progress bar or checkpoints. Baseline: the fit with autolog off. tracekit:
the fit with autolog on, each fit starting and ending its own run in a SQLite store with local artifacts (params,
per-epoch metrics, the model summary, the training set as an input, the trained model logged with a signature);
again with `log_models=False`; and with per-step metrics (`log_every_n_step=1`). Figures are medians of `--repeats`
fits, the variants interleaved so other processes' load hits them alike, in CPU time of the process
(`time.process_time`) and wall time; peak RSS is read after one untimed fit without autolog, and again at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
# The example's module: a logged model's class must be importable, which a class of this script (__main__) is not.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import lightning  # noqa: E402
import torch  # noqa: E402
from _measure import peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    # The logged model is rebuilt from its class's import path: take the class from this file imported as a module
    # (benchmarks/ is on sys.path), not from __main__.
    from lightning_autolog import Regressor
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(args.rows, 20, generator=generator)
    targets = features[:, :1] * 2.0 - features[:, 1:2] + 0.1 * torch.randn(args.rows, 1, generator=generator)
    validation = args.rows // 4
    train = DataLoader(TensorDataset(features[validation:], targets[validation:]), batch_size=args.batch_size)
    val = DataLoader(TensorDataset(features[:validation], targets[:validation]), batch_size=args.batch_size)
    workdir = tempfile.mkdtemp(prefix="tracekit-bench-")
    tracekit.set_tracking_uri(f"sqlite:///{workdir}/bench.db")
    tracekit.search_runs(output_format="list")  # the store is created and migrated before anything is timed

    def fit() -> tuple[float, float]:
        torch.manual_seed(0)
        trainer = lightning.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, logger=False,
                                    enable_checkpointing=False, enable_progress_bar=False,
                                    enable_model_summary=False, default_root_dir=workdir, num_sanity_val_steps=0)
        start, start_cpu = time.perf_counter(), time.process_time()
        trainer.fit(Regressor(inputs=20, hidden=64, lr=0.01), train, val)
        return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000

    variants = (("autolog off (baseline)", None), ("autolog", {}), ("autolog, log_models=False", {"log_models": False}),
                ("autolog, log_every_n_step=1", {"log_every_n_step": 1}))
    tracekit.pytorch.autolog(disable=True)
    fit()  # untimed, without autolog: warms up and gives the peak RSS of training alone
    baseline_rss = peak_rss_mb()
    timings: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.repeats):
        for variant, options in variants:
            if options is None:
                tracekit.pytorch.autolog(disable=True)
            else:
                tracekit.pytorch.autolog(silent=True, **options)
            timings.setdefault(variant, []).append(fit())
            tracekit.pytorch.autolog(disable=True)
    steps = args.epochs * len(train)
    print(f"Lightning fit: {args.rows - validation:,} training rows, {args.epochs} epochs, {steps} steps, "
          f"median of {args.repeats} (interleaved); load average {os.getloadavg()[0]:.2f}")
    print(f"{'variant':<30} {'cpu ms':>9} {'ratio':>7} {'wall ms':>9} {'ratio':>7} {'added cpu ms':>13}")
    base_wall = statistics.median(wall for wall, _ in timings[variants[0][0]])
    base_cpu = statistics.median(cpu for _, cpu in timings[variants[0][0]])
    for variant, _ in variants:
        wall = statistics.median(w for w, _ in timings[variant])
        cpu = statistics.median(c for _, c in timings[variant])
        print(f"{variant:<30} {cpu:>9.1f} {cpu / base_cpu:>7.2f} {wall:>9.1f} {wall / base_wall:>7.2f} "
              f"{cpu - base_cpu:>13.1f}")
    runs = len(tracekit.search_runs(output_format="list", max_results=1000))
    models = len(tracekit.search_logged_models(output_format="list"))
    print(f"runs logged: {runs}, logged models: {models}")
    print(f"peak RSS: {baseline_rss:.0f} MB training alone, {peak_rss_mb():.0f} MB at the end")


if __name__ == "__main__":
    main()
