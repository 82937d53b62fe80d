"""Autolog scikit-learn training: one `fit` becomes a run with params, training metrics, the dataset and the model;
a grid search adds the best candidates as child runs; `model.score` on test data adds a post-training metric.

    python examples/sklearn_autolog.py          # needs scikit-learn: pip install "tracekit[sklearn]"
"""

from __future__ import annotations

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split

import tracekit


def main() -> None:
    tracekit.set_experiment("iris-autolog")
    tracekit.sklearn.autolog(max_tuning_runs=3, log_input_examples=True)
    features, target = load_iris(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(  # noqa: N806 - the names become metric suffixes
        features, target, test_size=0.3, random_state=0)

    classifier = LogisticRegression(max_iter=500).fit(X_train, y_train)  # starts and ends its own run
    classifier.score(X_test, y_test)  # logged into that run as LogisticRegression_score_X_test
    run = tracekit.last_active_run()
    print(f"run {run.info.run_name}: {run.info.status}, estimator {run.data.tags['estimator_name']}")
    print(f"params: C={run.data.params['C']} max_iter={run.data.params['max_iter']}")
    for key in sorted(run.data.metrics):
        print(f"  {key} = {run.data.metrics[key]:.3f}")
    contexts = [tag.value for item in run.inputs.dataset_inputs for tag in item.tags]
    print(f"dataset inputs: {contexts}")

    [logged] = tracekit.search_logged_models(filter_string=f"source_run_id = '{run.info.run_id}'",
                                             output_format="list")
    loaded = tracekit.sklearn.load_model(f"models:/{logged.model_id}")
    print(f"logged model {logged.name!r} predicts {loaded.predict(X_test.head(5)).tolist()}")

    search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3)
    search.fit(X_train, y_train)
    parent = tracekit.last_active_run()
    print(f"grid search: best_C={parent.data.params['best_C']} "
          f"best_cv_score={parent.data.metrics['best_cv_score']:.3f}")
    children = tracekit.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                                    order_by=["metrics.rank_test_score"], output_format="list")
    for child in children:
        print(f"  candidate C={child.data.params['C']}: mean_test_score="
              f"{child.data.metrics['mean_test_score']:.3f} rank={int(child.data.metrics['rank_test_score'])}")


if __name__ == "__main__":
    main()
