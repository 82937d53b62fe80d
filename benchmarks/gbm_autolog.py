"""XGBoost and LightGBM training with `tracekit.xgboost.autolog()` / `tracekit.lightgbm.autolog()` against the same
training without it, on a 10,000-row dataset.

    python benchmarks/gbm_autolog.py [--rows 10000] [--rounds 100] [--repeats 3]

Calls: `xgboost.train` and `lightgbm.train` for `--rounds` rounds with a training and a 2,000-row validation set
evaluated every round (two metrics each: the per-iteration metrics autolog logs), and `XGBClassifier.fit` /
`LGBMClassifier.fit` with the same rounds and a validation set, and `xgboost.cv` / `lightgbm.cv` (3 folds, the same
rounds and two metrics: autolog logs params and 2 x 2 x rounds mean/std points, no model), on 20 double features (a
pandas DataFrame) with a binary label. Baseline: the call with autolog off. tracekit: the call with autolog on,
each starting and ending its own run in a SQLite store with local artifacts (params, 4 x rounds metric points,
feature importance, the dataset as an input, the model logged in the library's format with a signature); again with
`log_models=False`. Figures are medians of `--repeats` calls, the variants interleaved, in wall time and in this
process's CPU time (less moved by other load on a shared machine); peak RSS is read after one untimed call of each
without autolog, and at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    # LightGBM 4.6+ prefers eval_X/eval_y to eval_set; eval_set works on every 4.x.
    warnings.filterwarnings("ignore", message=".*eval_set.*is deprecated")

    import lightgbm
    import xgboost

    workdir = tempfile.mkdtemp(prefix="tracekit-bench-")
    tracekit.set_tracking_uri(f"sqlite:///{workdir}/bench.db")
    rng = np.random.default_rng(0)
    rows = args.rows + 2_000
    frame = pd.DataFrame(rng.normal(size=(rows, 20)), columns=[f"f{i}" for i in range(20)])
    target = ((frame["f0"] + 0.5 * frame["f1"] * frame["f2"] + rng.normal(scale=0.5, size=rows)) > 0).astype(int)
    features, labels = frame.iloc[:args.rows], target.iloc[:args.rows]
    valid_features, valid_labels = frame.iloc[args.rows:], target.iloc[args.rows:]
    rounds = args.rounds

    def xgb_train() -> object:
        dtrain = xgboost.DMatrix(features, label=labels)
        dvalid = xgboost.DMatrix(valid_features, label=valid_labels)
        return xgboost.train({"objective": "binary:logistic", "eval_metric": ["logloss", "auc"], "nthread": 1},
                             dtrain, num_boost_round=rounds, evals=[(dtrain, "train"), (dvalid, "valid")],
                             verbose_eval=False)

    def xgb_fit() -> object:
        return xgboost.XGBClassifier(n_estimators=rounds, eval_metric=["logloss", "auc"], n_jobs=1).fit(
            features, labels, eval_set=[(features, labels), (valid_features, valid_labels)], verbose=False)

    def lgb_train() -> object:
        train = lightgbm.Dataset(features, label=labels)
        valid = lightgbm.Dataset(valid_features, label=valid_labels, reference=train)
        return lightgbm.train({"objective": "binary", "metric": ["binary_logloss", "auc"], "verbose": -1,
                               "num_threads": 1}, train, num_boost_round=rounds, valid_sets=[train, valid],
                              valid_names=["train", "valid"])

    def lgb_fit() -> object:
        return lightgbm.LGBMClassifier(n_estimators=rounds, verbose=-1, n_jobs=1).fit(
            features, labels, eval_set=[(features, labels), (valid_features, valid_labels)],
            eval_metric=["binary_logloss", "auc"])

    def xgb_cv() -> object:
        return xgboost.cv({"objective": "binary:logistic", "eval_metric": ["logloss", "auc"], "nthread": 1},
                          xgboost.DMatrix(features, label=labels), num_boost_round=rounds, nfold=3)

    def lgb_cv() -> object:
        return lightgbm.cv({"objective": "binary", "metric": ["binary_logloss", "auc"], "verbose": -1,
                            "num_threads": 1}, lightgbm.Dataset(features, label=labels), num_boost_round=rounds,
                           nfold=3)

    calls = {"xgboost.train": xgb_train, "XGBClassifier.fit": xgb_fit, "lightgbm.train": lgb_train,
             "LGBMClassifier.fit": lgb_fit, "xgboost.cv": xgb_cv, "lightgbm.cv": lgb_cv}
    variants = (("autolog off (baseline)", None), ("autolog", {}), ("autolog, log_models=False", {"log_models": False}))

    def switch(options: dict[str, bool] | None) -> None:
        if options is None:
            tracekit.xgboost.autolog(disable=True)
            tracekit.lightgbm.autolog(disable=True)
        else:
            tracekit.xgboost.autolog(**options)
            tracekit.lightgbm.autolog(**options)

    tracekit.search_runs(output_format="list")  # the store is created and migrated before anything is timed
    switch(None)
    for call in calls.values():
        call()  # untimed, without autolog: the peak RSS of training alone
    baseline_rss = peak_rss_mb()
    timings: dict[tuple[str, str], list[tuple[float, float]]] = {}
    # Interleaved (baseline, autolog, ... per repeat) so that load from other processes hits every variant alike.
    for _ in range(args.repeats):
        for name, call in calls.items():
            for variant, options in variants:
                switch(options)
                timings.setdefault((name, variant), []).append(timed(call))
                switch(None)
    load = os.getloadavg()
    print(f"XGBoost {xgboost.__version__} / LightGBM {lightgbm.__version__}: {rounds} rounds on {args.rows:,} rows x "
          f"20 features, train + 2,000-row valid set evaluated each round, 1 thread; median of {args.repeats} "
          f"(interleaved); load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print(f"{'call':<20} {'variant':<26} {'wall ms':>9} {'ratio':>6} {'cpu ms':>9} {'ratio':>6} {'added cpu ms':>12}")
    for name in calls:
        base_wall = statistics.median(t[0] for t in timings[(name, variants[0][0])])
        base_cpu = statistics.median(t[1] for t in timings[(name, variants[0][0])])
        for variant, _ in variants:
            wall = statistics.median(t[0] for t in timings[(name, variant)])
            cpu = statistics.median(t[1] for t in timings[(name, variant)])
            print(f"{name:<20} {variant:<26} {wall:>9.1f} {wall / base_wall:>6.2f} {cpu:>9.1f} {cpu / base_cpu:>6.2f} "
                  f"{cpu - base_cpu:>12.1f}")
    runs = tracekit.search_runs(output_format="list", max_results=1000)
    last = runs[0] if runs else None
    points = sum(len(tracekit.get_metric_history(last.info.run_id, key)) for key in last.data.metrics) if last else 0
    print(f"runs logged: {len(runs)} (metric points in the last one: {points})")
    print(f"peak RSS: {baseline_rss:.0f} MB training alone, {peak_rss_mb():.0f} MB at the end")


if __name__ == "__main__":
    main()
