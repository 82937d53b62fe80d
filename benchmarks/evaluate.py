"""`tracekit.models.evaluate` on a 100,000-row binary classifier dataset, beside computing the same metrics with
scikit-learn directly, in one run.

    python benchmarks/evaluate.py [--rows 100000] [--repeats 3]

Model: a scikit-learn LogisticRegression on 10 double features, logged with `tracekit.sklearn.log_model` into a
SQLite store with local artifacts and loaded with `pyfunc.load_model`. Baseline: `predict`, `predict_proba` and
`score` of the estimator, then the confusion counts, accuracy, precision, recall, f1, log loss, ROC AUC and PR AUC
with `sklearn.metrics` (the default evaluator's binary metrics, nothing logged). tracekit: `evaluate(model_uri, ...,
model_type="classifier")` as a user calls it (signature enforcement, the predict trace, metrics logged to a new run
and linked to the model, confusion matrix, ROC and PR plots as PNGs, the `mlflow.datasets` tag, the 100,000-row
results table as a JSON artifact), and again with `evaluator_config={"log_eval_results_table": False}`. Figures
are medians of `--repeats` runs; peak RSS is read after the baseline and again at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402


class DiscardTraces(TraceExporter):
    def export(self, traces) -> None:
        pass


def sklearn_directly(estimator, features: pd.DataFrame, target: pd.Series) -> dict[str, float]:
    """The default evaluator's binary classifier metrics computed straight with scikit-learn."""
    from sklearn import metrics as sk

    predicted = estimator.predict(features)
    proba = estimator.predict_proba(features)
    tn, fp, fn, tp = sk.confusion_matrix(target, predicted).ravel()
    precision, recall, _ = sk.precision_recall_curve(target, proba[:, 1])
    return {"true_negatives": tn, "false_positives": fp, "false_negatives": fn, "true_positives": tp,
            "accuracy_score": sk.accuracy_score(target, predicted),
            "precision_score": sk.precision_score(target, predicted),
            "recall_score": sk.recall_score(target, predicted), "f1_score": sk.f1_score(target, predicted),
            "log_loss": sk.log_loss(target, proba), "roc_auc": sk.roc_auc_score(target, proba[:, 1]),
            "precision_recall_auc": sk.auc(recall, precision), "score": estimator.score(features, target)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression

    workdir = tempfile.mkdtemp(prefix="tracekit-bench-")
    tracekit.set_tracking_uri(f"sqlite:///{workdir}/bench.db")
    tracekit.tracing.set_exporter(DiscardTraces())
    rng = np.random.default_rng(0)
    columns = [f"f{i}" for i in range(10)]
    features = pd.DataFrame(rng.normal(size=(args.rows, 10)), columns=columns)
    target = ((features["f0"] + 0.5 * features["f1"] + rng.normal(scale=0.5, size=args.rows)) > 0).astype(int)
    estimator = LogisticRegression().fit(features, target)
    with tracekit.start_run():
        info = tracekit.sklearn.log_model(estimator, name="bench", input_example=features.head(3))
    data = features.assign(label=target)

    baseline_ms = median_ms(lambda: sklearn_directly(estimator, features, target), args.repeats)
    baseline_rss = peak_rss_mb()
    expected = sklearn_directly(estimator, features, target)

    results = []

    def run_evaluate(config: dict | None = None) -> None:
        results[:] = [tracekit.models.evaluate(info.model_uri, data, targets="label", model_type="classifier",
                                                evaluator_config=config)]  # the last one only

    full_ms = median_ms(run_evaluate, args.repeats)
    no_table_ms = median_ms(lambda: run_evaluate({"log_eval_results_table": False}), args.repeats)
    for name, value in expected.items():
        assert abs(results[-1].metrics[name] - float(value)) < 1e-9, name

    print(f"{args.rows:,} rows x 10 features, binary LogisticRegression; median of {args.repeats}")
    print(f"{'':55}{'ms':>10}{'ratio':>9}")
    print(f"{'scikit-learn directly (predict, proba, score, metrics)':55}{baseline_ms:10.1f}{1.0:9.2f}")
    print(f"{'evaluate(model_uri, ...) with plots and results table':55}{full_ms:10.1f}"
          f"{full_ms / baseline_ms:9.2f}")
    print(f"{'evaluate(...) without the results table':55}{no_table_ms:10.1f}{no_table_ms / baseline_ms:9.2f}")
    print(f"peak RSS: {baseline_rss:.0f} MB after the baseline, {peak_rss_mb():.0f} MB at the end")


if __name__ == "__main__":
    main()
