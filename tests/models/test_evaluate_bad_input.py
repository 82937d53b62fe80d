"""Bad input to `evaluate` gets a TracekitException saying what was wrong and what to do, and a run evaluate started
for it ends FAILED."""

from __future__ import annotations

import pandas as pd
import pytest

import tracekit
from tracekit.exceptions import TracekitException

DATA = pd.DataFrame({"x": [0.1, 0.7, 0.4], "label": [0, 1, 0]})


def threshold(frame):
    return (frame["x"] > 0.5).astype(int)


@pytest.mark.parametrize("arguments, message", [
    ({"model_type": "classifier"}, r"model_type='classifier' needs targets: pass targets="),
    ({"model_type": "classifier", "targets": "y"}, r"targets='y' is not a column of the data\. Columns: x, label"),
    ({"model_type": "classifier", "targets": [0, 1, 0]}, "targets= is the name of its label column"),
    ({"model_type": "ranker", "targets": "label"}, r"Unknown model_type 'ranker'\. The default evaluator supports: "
                                                  r"classifier, regressor, question-answering"),
    ({"targets": "label"}, r"Pass model_type= \(one of classifier"),
    ({"model_type": "classifier", "targets": "label", "evaluators": ["nope"]},
     r"No evaluator is named 'nope'\. Available: default"),
    ({"model_type": "classifier", "targets": "label", "env_manager": "conda"}, "env_manager='conda' is not supported"),
    ({"model_type": "classifier", "targets": "label", "feature_names": ["z"]}, r"feature_names \['z'\] are not"),
])
def test_bad_arguments_are_named(arguments, message):
    with pytest.raises(TracekitException, match=message):
        tracekit.models.evaluate(threshold, DATA, **arguments)


def test_targets_of_the_wrong_length_are_refused():
    with pytest.raises(TracekitException, match="targets has 2 labels for 3 rows of data"):
        tracekit.models.evaluate(lambda frame: [0] * len(frame), [[0.1], [0.7], [0.4]], targets=[0, 1],
                                 model_type="classifier")


def test_a_classifier_with_continuous_targets_is_told_to_use_regressor():
    data = pd.DataFrame({"x": [1.0, 2.0], "price": [10.25, 11.5]})
    with pytest.raises(TracekitException, match=r"continuous numbers \(e\.g\. 10\.25\).*model_type='regressor'"):
        tracekit.models.evaluate(lambda frame: frame["x"], data, targets="price", model_type="classifier")


def test_missing_labels_and_empty_data_are_refused():
    data = pd.DataFrame({"x": [1.0, 2.0], "label": [0, None]})
    with pytest.raises(TracekitException, match="a class label on every row: 1 of the targets are missing"):
        tracekit.models.evaluate(lambda frame: [0, 0], data, targets="label", model_type="classifier")
    with pytest.raises(TracekitException, match="data with no rows"):
        tracekit.models.evaluate(lambda frame: [], DATA.iloc[:0], targets="label", model_type="classifier")


def test_a_regressor_with_text_targets_is_refused():
    data = pd.DataFrame({"x": [1.0, 2.0], "kind": ["cat", "dog"]})
    with pytest.raises(TracekitException, match="model_type='regressor' needs numeric targets, but they hold 'cat'"):
        tracekit.models.evaluate(lambda frame: frame["x"], data, targets="kind", model_type="regressor")


def test_a_model_returning_the_wrong_number_of_predictions_is_named():
    with pytest.raises(TracekitException, match="returned 1 predictions for 3 rows"):
        tracekit.models.evaluate(lambda frame: [1], DATA, targets="label", model_type="classifier")


def test_a_static_dataset_needs_its_predictions_column():
    with pytest.raises(TracekitException, match="pass predictions= naming the column"):
        tracekit.models.evaluate(data=DATA, targets="label", model_type="classifier")
    with pytest.raises(TracekitException, match="predictions='guess' is not a column"):
        tracekit.models.evaluate(data=DATA, targets="label", predictions="guess", model_type="classifier")


def test_retriever_rows_must_be_lists_of_documents():
    data = pd.DataFrame({"docs": ["a b", "c"], "relevant": [["a"], ["c"]]})
    with pytest.raises(TracekitException, match="list of document ids per row in the predictions; row 0 holds str"):
        tracekit.models.evaluate(data=data, predictions="docs", targets="relevant", model_type="retriever")


def test_the_run_evaluate_started_ends_failed_when_the_evaluation_fails():
    with pytest.raises(TracekitException):
        tracekit.models.evaluate(lambda frame: [1], DATA, targets="label", model_type="classifier")
    assert tracekit.active_run() is None
    assert tracekit.last_active_run().info.status == "FAILED"


def test_a_models_own_exception_propagates_unchanged():
    def broken(frame):
        raise KeyError("missing feature")

    with pytest.raises(KeyError, match="missing feature"):
        tracekit.models.evaluate(broken, DATA, targets="label", model_type="classifier")
