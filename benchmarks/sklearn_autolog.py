"""scikit-learn `fit` with `tracekit.sklearn.autolog()` against the same `fit` without it, on a 10,000-row dataset.

    python benchmarks/sklearn_autolog.py [--rows 10000] [--repeats 3]

Estimators: LogisticRegression and RandomForestClassifier(n_estimators=50) on 20 double features (a pandas
DataFrame) with a binary label. Baseline: `fit` with autolog off. tracekit: `fit` with autolog on, each call starting
and ending its own run in a SQLite store with local artifacts (params, training metrics computed on the 10,000
training rows, the training dataset as an input, the model logged with a signature); again with `log_models=False`.
Figures are medians of `--repeats` fits, the variants interleaved; peak RSS is read after one untimed fit of each
estimator without autolog, and again at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    workdir = tempfile.mkdtemp(prefix="tracekit-bench-")
    tracekit.set_tracking_uri(f"sqlite:///{workdir}/bench.db")
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(args.rows, 20)), columns=[f"f{i}" for i in range(20)])
    target = ((features["f0"] + 0.5 * features["f1"] + rng.normal(scale=0.5, size=args.rows)) > 0).astype(int)
    estimators = {
        "LogisticRegression": lambda: LogisticRegression(max_iter=500),
        "RandomForest(50 trees)": lambda: RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1),
    }

    tracekit.search_runs(output_format="list")  # the store is created and migrated before anything is timed
    variants = (("autolog off (baseline)", None), ("autolog", {}), ("autolog, log_models=False", {"log_models": False}))
    timings: dict[tuple[str, str], list[float]] = {}
    tracekit.sklearn.autolog(disable=True)
    for make in estimators.values():
        make().fit(features, target)  # untimed, without autolog: the peak RSS of training alone
    baseline_rss = peak_rss_mb()
    # Interleaved (baseline, autolog, ... per repeat) so that load from other processes hits every variant alike.
    for _ in range(args.repeats):
        for name, make in estimators.items():
            for variant, options in variants:
                if options is None:
                    tracekit.sklearn.autolog(disable=True)
                else:
                    tracekit.sklearn.autolog(**options)
                timings.setdefault((name, variant), []).append(median_ms(lambda make=make: make().fit(
                    features, target), 1))
                tracekit.sklearn.autolog(disable=True)
    print(f"sklearn fit on {args.rows:,} rows x 20 features, median of {args.repeats} (interleaved)")
    print(f"{'estimator':<24} {'variant':<26} {'ms':>9} {'ratio':>7} {'added ms':>9}")
    for name in estimators:
        baseline = statistics.median(timings[(name, variants[0][0])])
        for variant, _ in variants:
            elapsed = statistics.median(timings[(name, variant)])
            print(f"{name:<24} {variant:<26} {elapsed:>9.1f} {elapsed / baseline:>7.2f} {elapsed - baseline:>9.1f}")
    runs = len(tracekit.search_runs(output_format="list", max_results=1000))
    print(f"runs logged: {runs}")
    print(f"peak RSS: {baseline_rss:.0f} MB training alone, {peak_rss_mb():.0f} MB at the end")


if __name__ == "__main__":
    main()
