"""Autolog XGBoost and LightGBM training: each `train` becomes a run with its params, every eval metric per
iteration, early-stopping results, feature importance and the model (saved in the library's own format), which loads
back and predicts the same.

    python examples/gbm_autolog.py          # pip install "tracekit[xgboost,lightgbm]"
"""

from __future__ import annotations

import lightgbm
import numpy as np
import pandas as pd
import xgboost

import tracekit


def churn_data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(2_000, 6)), columns=[f"f{i}" for i in range(6)])
    churned = (features["f0"] + features["f1"] * features["f2"] + rng.normal(scale=0.7, size=2_000)) > 0
    return features, churned.astype(int)


def describe(title: str) -> str:
    run = tracekit.last_active_run()
    history = tracekit.get_metric_history(run.info.run_id, "valid-logloss") or tracekit.get_metric_history(
        run.info.run_id, "valid-binary_logloss")
    print(f"{title}: run {run.info.status}, {len(run.data.params)} params, {len(history)} iterations of validation "
          f"loss, best_iteration={int(run.data.metrics['best_iteration'])}")
    artifacts = [item.path for item in tracekit.MlflowClient().list_artifacts(run.info.run_id)]
    print(f"  artifacts: {artifacts}")
    return run.info.run_id


def main() -> None:
    tracekit.set_experiment("churn-boosting")
    tracekit.xgboost.autolog(importance_types=["weight", "gain"])
    tracekit.lightgbm.autolog()
    features, labels = churn_data()
    train_x, valid_x, train_y, valid_y = features[:1_500], features[1_500:], labels[:1_500], labels[1_500:]

    dtrain, dvalid = xgboost.DMatrix(train_x, label=train_y), xgboost.DMatrix(valid_x, label=valid_y)
    booster = xgboost.train({"objective": "binary:logistic", "eta": 0.3}, dtrain, num_boost_round=200,
                            evals=[(dvalid, "valid")], early_stopping_rounds=5, verbose_eval=False)
    run_id = describe("xgboost.train")
    [logged] = tracekit.search_logged_models(filter_string=f"source_run_id = '{run_id}'", output_format="list")
    same = np.allclose(tracekit.pyfunc.load_model(f"models:/{logged.model_id}").predict(valid_x),
                       booster.predict(dvalid))
    print(f"  logged model {logged.name!r} predicts the same: {same}")

    train_set = lightgbm.Dataset(train_x, label=train_y)
    lightgbm.train({"objective": "binary", "verbose": -1}, train_set, num_boost_round=200,
                   valid_sets=[lightgbm.Dataset(valid_x, label=valid_y, reference=train_set)], valid_names=["valid"],
                   callbacks=[lightgbm.early_stopping(5, verbose=False)])
    describe("lightgbm.train")


if __name__ == "__main__":
    main()
