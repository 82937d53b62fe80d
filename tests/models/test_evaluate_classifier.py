"""`tracekit.models.evaluate` on classifiers: the default evaluator's metrics equal scikit-learn's, are logged to the
run and linked to the logged model, with the confusion matrix and curves as PNG artifacts and the per-row table as a
table artifact; the predictions are traces linked to the model and the run."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn import metrics as sk

import tracekit
from tracekit.artifacts import list_artifacts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features, target = load_breast_cancer(return_X_y=True, as_frame=True)
    features, target = features.iloc[:300, :6], target.iloc[:300]
    classifier = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, target)
    return features, target, classifier


@pytest.fixture
def logged_binary(cancer):
    features, _, classifier = cancer
    with tracekit.start_run():
        return tracekit.sklearn.log_model(classifier, name="cancer", input_example=features.head(2))


def _artifact_bytes(run_id: str, name: str) -> bytes:
    local = tracekit.artifacts.download_artifacts(run_id=run_id, artifact_path=name)
    with open(local, "rb") as file:
        return file.read()


def test_binary_metrics_equal_scikit_learns(cancer, logged_binary):
    features, target, classifier = cancer
    result = tracekit.models.evaluate(logged_binary.model_uri, features.assign(label=target), targets="label",
                                      model_type="classifier")

    predicted = classifier.predict(features)
    positive = classifier.predict_proba(features)[:, 1]
    tn, fp, fn, tp = sk.confusion_matrix(target, predicted).ravel()
    assert result.metrics["true_negatives"] == tn and result.metrics["true_positives"] == tp
    assert result.metrics["false_positives"] == fp and result.metrics["false_negatives"] == fn
    assert result.metrics["accuracy_score"] == pytest.approx(sk.accuracy_score(target, predicted))
    assert result.metrics["precision_score"] == pytest.approx(sk.precision_score(target, predicted))
    assert result.metrics["recall_score"] == pytest.approx(sk.recall_score(target, predicted))
    assert result.metrics["f1_score"] == pytest.approx(sk.f1_score(target, predicted))
    assert result.metrics["log_loss"] == pytest.approx(sk.log_loss(target, classifier.predict_proba(features)))
    assert result.metrics["roc_auc"] == pytest.approx(sk.roc_auc_score(target, positive))
    assert result.metrics["example_count"] == 300
    assert result.metrics["score"] == pytest.approx(classifier.score(features, target))


def test_metrics_are_logged_to_a_new_run_linked_to_the_logged_model(cancer, logged_binary):
    features, target, _ = cancer
    result = tracekit.models.evaluate(logged_binary.model_uri, features.assign(label=target), targets="label",
                                      model_type="classifier")

    assert tracekit.active_run() is None, "the run evaluate started is ended"
    run = tracekit.get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["f1_score"] == pytest.approx(result.metrics["f1_score"])
    model = tracekit.get_logged_model(logged_binary.model_id)
    linked = {metric.key: metric for metric in model.metrics}
    assert linked["accuracy_score"].value == pytest.approx(result.metrics["accuracy_score"])
    assert linked["accuracy_score"].run_id == result.run_id
    datasets = run.data.tags["mlflow.datasets"]
    assert logged_binary.model_id in datasets


def test_an_active_run_receives_the_metrics_and_stays_active(cancer, logged_binary):
    features, target, _ = cancer
    with tracekit.start_run() as run:
        result = tracekit.models.evaluate(logged_binary.model_uri, features.assign(label=target), targets="label",
                                          model_type="classifier")
        assert tracekit.active_run().info.run_id == run.info.run_id
    assert result.run_id == run.info.run_id
    assert tracekit.get_run(run.info.run_id).data.metrics["example_count"] == 300


def test_plots_are_png_artifacts_and_the_table_a_table_artifact(cancer, logged_binary):
    features, target, _ = cancer
    result = tracekit.models.evaluate(logged_binary.model_uri, features.assign(label=target), targets="label",
                                      model_type="classifier")

    logged = {info.path for info in list_artifacts(run_id=result.run_id)}
    assert {"confusion_matrix.png", "roc_curve_plot.png", "precision_recall_curve_plot.png",
            "eval_results_table.json"} <= logged
    for name in ("confusion_matrix.png", "roc_curve_plot.png"):
        assert _artifact_bytes(result.run_id, name).startswith(PNG_MAGIC)
    assert result.artifacts["confusion_matrix"].uri.endswith("/confusion_matrix.png")
    table = result.tables["eval_results_table"]
    assert list(table.columns[-2:]) == ["target", "prediction"] and len(table) == 300
    stored = tracekit.load_table("eval_results_table.json", run_ids=[result.run_id])
    assert stored["prediction"].tolist() == table["prediction"].tolist()


def test_predictions_are_traces_linked_to_the_model_and_the_run(cancer, logged_binary):
    features, target, _ = cancer
    result = tracekit.models.evaluate(logged_binary.model_uri, features.assign(label=target), targets="label",
                                      model_type="classifier")
    tracekit.flush_trace_async_logging()

    traces = tracekit.search_traces(model_id=logged_binary.model_id, return_type="list")
    assert len(traces) == 1
    assert [t.info.trace_id for t in tracekit.search_traces(run_id=result.run_id, return_type="list")] == \
        [traces[0].info.trace_id]
    assert traces[0].data.spans[0].name == "cancer.predict"


def test_multiclass_metrics_average_as_configured(iris, iris_classifier):
    features, target = iris
    model = tracekit.sklearn.log_model(iris_classifier, name="iris", input_example=features.head(2))
    data = features.assign(species=target)
    weighted = tracekit.models.evaluate(model.model_uri, data, targets="species", model_type="classifier")
    macro = tracekit.models.evaluate(model.model_uri, data, targets="species", model_type="classifier",
                                     evaluator_config={"average": "macro"})

    predicted = iris_classifier.predict(features)
    assert weighted.metrics["f1_score"] == pytest.approx(sk.f1_score(target, predicted, average="weighted"))
    assert macro.metrics["precision_score"] == pytest.approx(sk.precision_score(target, predicted, average="macro"))
    assert weighted.metrics["f1_score_micro"] == pytest.approx(sk.f1_score(target, predicted, average="micro"))
    assert weighted.metrics["roc_auc"] == pytest.approx(
        sk.roc_auc_score(target, iris_classifier.predict_proba(features), multi_class="ovr", average="weighted"))
    per_class = weighted.artifacts["per_class_metrics"].content
    assert per_class["positive_class"].tolist() == [0, 1, 2]
    assert per_class["true_positives"].sum() == (predicted == target).sum()


def test_a_static_dataset_is_evaluated_without_a_model():
    data = pd.DataFrame({"label": [0, 1, 1, 0, 1], "guess": [0, 1, 0, 0, 1]})
    result = tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="classifier")

    assert result.metrics["accuracy_score"] == pytest.approx(0.8)
    assert result.metrics["recall_score"] == pytest.approx(2 / 3)
    assert "log_loss" not in result.metrics, "no model, no probabilities"


def test_string_labels_need_a_pos_label():
    data = pd.DataFrame({"label": ["cat", "dog", "dog"], "guess": ["cat", "dog", "cat"]})
    with pytest.raises(tracekit.TracekitException, match="pos_label"):
        tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="classifier")
    result = tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="classifier",
                                      evaluator_config={"pos_label": "dog"})
    assert result.metrics["recall_score"] == pytest.approx(0.5)
    assert result.metrics["precision_score"] == pytest.approx(1.0)


def test_each_database_stores_the_evaluation_linked_to_the_model_id_given(db_uri):
    tracekit.set_tracking_uri(db_uri)
    model = tracekit.create_external_model(name="scored-elsewhere")
    data = pd.DataFrame({"label": [0, 1, 1, 0], "guess": [0, 1, 0, 0]})
    result = tracekit.models.evaluate(data=data, targets="label", predictions="guess", model_type="classifier",
                                      model_id=model.model_id)

    assert tracekit.get_run(result.run_id).data.metrics["accuracy_score"] == 0.75
    linked = {metric.key: metric.value for metric in tracekit.get_logged_model(model.model_id).metrics}
    assert linked["accuracy_score"] == 0.75 and linked["true_positives"] == 1
    stored = tracekit.load_table("eval_results_table.json", run_ids=[result.run_id])
    assert stored["prediction"].tolist() == [0, 1, 0, 0]
