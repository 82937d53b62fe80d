"""What a loaded pyfunc model adds to predict, beside calling the Python object directly, measured in one run.

    python benchmarks/pyfunc_predict.py [--calls 300] [--repeats 5]

Shapes: a scikit-learn LogisticRegression on a 1-row and a 10,000-row DataFrame of 4 double columns. The pyfunc
side is `tracekit.pyfunc.load_model(...).predict(frame)`: signature enforcement, the trace (root span, inputs and
outputs recorded, exported by the background thread into an exporter that discards) and the estimator's predict;
the baseline is `estimator.predict(frame)`. Also: the same pyfunc predict with TRACEKIT_TRACE_PYFUNC_PREDICT off
(enforcement alone), and `log_model` + `load_model` of the estimator into a SQLite store with local artifacts, beside
pickling and unpickling it. Figures are the best of `--repeats` runs.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402


class DiscardTraces(TraceExporter):
    def export(self, traces) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression

    workdir = tempfile.mkdtemp(prefix="tracekit-bench-")
    tracekit.set_tracking_uri(f"sqlite:///{workdir}/bench.db")
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(500, 4)), columns=["a", "b", "c", "d"])
    estimator = LogisticRegression().fit(train, (train["a"] > 0).astype(int))

    tracekit.sklearn.save_model(estimator, os.path.join(workdir, "model"), input_example=train.head(3))
    model = tracekit.pyfunc.load_model(os.path.join(workdir, "model"))
    tracekit.tracing.set_exporter(DiscardTraces())
    flush = tracekit.flush_trace_async_logging

    def set_predict_tracing(on: bool) -> None:
        os.environ["TRACEKIT_TRACE_PYFUNC_PREDICT"] = "true" if on else "false"
        tracekit.tracing.reset()
        tracekit.tracing.set_exporter(DiscardTraces())

    print(f"{'shape':<22}{'direct µs':>12}{'pyfunc µs':>12}{'ratio':>8}{'untraced µs':>13}{'ratio':>8}")
    for rows in (1, 10_000):
        frame = pd.DataFrame(rng.normal(size=(rows, 4)), columns=["a", "b", "c", "d"])
        calls = args.calls if rows == 1 else max(args.calls // 10, 10)
        best = {"direct": float("inf"), "traced": float("inf"), "untraced": float("inf")}
        # Interleaved, one run of each per round, best of the rounds: a busy machine slows all three alike.
        for _ in range(args.repeats):
            set_predict_tracing(True)
            best["direct"] = min(best["direct"], best_per_call(lambda _i, f=frame: estimator.predict(f), calls, 1,
                                                               flush))
            best["traced"] = min(best["traced"], best_per_call(lambda _i, f=frame: model.predict(f), calls, 1, flush))
            set_predict_tracing(False)
            best["untraced"] = min(best["untraced"], best_per_call(lambda _i, f=frame: model.predict(f), calls, 1,
                                                                   flush))
        set_predict_tracing(True)
        direct, traced, untraced = best["direct"], best["traced"], best["untraced"]
        print(f"{f'{rows:,} row(s)':<22}{direct:>12.1f}{traced:>12.1f}{traced / direct:>8.2f}"
              f"{untraced:>13.1f}{untraced / direct:>8.2f}")

    counter = iter(range(1_000_000))

    def log_and_load() -> None:
        info = tracekit.sklearn.log_model(estimator, name=f"bench-{next(counter)}", input_example=train.head(3))
        tracekit.pyfunc.load_model(info.model_uri)

    def pickle_round_trip() -> None:
        path = os.path.join(workdir, "plain.pkl")
        with open(path, "wb") as file:
            pickle.dump(estimator, file)
        with open(path, "rb") as file:
            pickle.load(file)

    log_and_load()  # first use: imports and store migration out of the measurement
    logged = median_ms(log_and_load, args.repeats)
    baseline = median_ms(pickle_round_trip, args.repeats)
    print(f"\nlog_model + load_model (sklearn, SQLite store, local artifacts): {logged:.1f} ms; pickle to a file and "
          f"back: {baseline:.2f} ms; ratio {logged / baseline:.0f}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
