"""Evaluate a logged scikit-learn classifier, add a metric of your own, and gate a new model on thresholds.

    python examples/evaluate_model.py          # needs scikit-learn and matplotlib: pip install "tracekit[sklearn]"
"""

from __future__ import annotations

from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import tracekit
from tracekit.models import MetricThreshold, make_metric


def false_alarm_rate(predictions, targets, metrics):
    """Share of healthy cases (label 0 is malignant here, 1 benign) flagged as malignant."""
    benign = targets == 1
    return float((predictions[benign] == 0).mean())


def main() -> None:
    tracekit.set_experiment("breast-cancer")
    features, target = load_breast_cancer(return_X_y=True, as_frame=True)
    train_x, test_x, train_y, test_y = train_test_split(features, target, test_size=0.3, random_state=0)
    test_data = test_x.assign(label=test_y)

    with tracekit.start_run(run_name="baseline-tree"):
        tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(train_x, train_y)
        baseline_info = tracekit.sklearn.log_model(tree, name="tree", input_example=train_x.head(2))
        baseline = tracekit.models.evaluate(baseline_info.model_uri, test_data, targets="label",
                                            model_type="classifier")

    with tracekit.start_run(run_name="candidate-logistic") as run:
        classifier = make_pipeline(StandardScaler(), LogisticRegression()).fit(train_x, train_y)
        info = tracekit.sklearn.log_model(classifier, name="logistic", input_example=train_x.head(2))
        result = tracekit.models.evaluate(
            info.model_uri, test_data, targets="label", model_type="classifier",
            extra_metrics=[make_metric(eval_fn=false_alarm_rate, greater_is_better=False)])

    print(f"run {run.info.run_id == result.run_id}: accuracy {result.metrics['accuracy_score']:.3f}, "
          f"f1 {result.metrics['f1_score']:.3f}, roc_auc {result.metrics['roc_auc']:.3f}, "
          f"false alarms {result.metrics['false_alarm_rate']:.3f}")
    print(f"baseline accuracy {baseline.metrics['accuracy_score']:.3f}")
    print(f"artifacts: {sorted(result.artifacts)}")
    table = result.tables["eval_results_table"]
    print(f"results table: {len(table)} rows, last columns {list(table.columns[-2:])}")
    linked = {metric.key for metric in tracekit.get_logged_model(info.model_id).metrics}
    print(f"metrics linked to the logged model: {'accuracy_score' in linked and 'false_alarm_rate' in linked}")
    traces = tracekit.search_traces(model_id=info.model_id, return_type="list")
    print(f"prediction traces of the candidate: {len(traces)}")

    thresholds = {"accuracy_score": MetricThreshold(threshold=0.9, min_absolute_change=0.01, greater_is_better=True),
                  "false_alarm_rate": MetricThreshold(threshold=0.1, greater_is_better=False)}
    tracekit.models.validate_evaluation_results(thresholds, result, baseline)
    print("candidate passes the thresholds against the baseline")
    try:
        tracekit.models.validate_evaluation_results(thresholds, baseline, result)
    except tracekit.models.ModelValidationFailedException as error:
        print(f"baseline fails {len(error.failures)} check(s): {error.failures[0].split(':')[0]}")


if __name__ == "__main__":
    main()
