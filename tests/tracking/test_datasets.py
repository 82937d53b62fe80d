"""Datasets: `tracekit.data` describes DataFrames and arrays (name, digest, source, schema, profile); `log_input`
records them as run inputs on every database; metrics logged with `dataset=` carry the dataset and
`search_logged_models(datasets=...)` compares only those metrics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.data.digest import SAMPLE_ROWS
from tracekit.entities import LoggedModelInput
from tracekit.types import Schema


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.0, 2.0, 3.0], "text": ["a", "b", "c"], "label": [0, 1, 0]})


# --- tracekit.data --------------------------------------------------------------------------------------------------
def test_from_pandas_describes_the_frame(frame):
    dataset = tracekit.data.from_pandas(frame, source="s3://bucket/train.parquet", targets="label", name="train")
    record = dataset.to_record()
    assert (record.name, record.source_type, json.loads(record.source)) == (
        "train", "s3", {"uri": "s3://bucket/train.parquet"})
    assert json.loads(record.profile) == {"num_rows": 3, "num_columns": 3, "targets": "label"}
    schema = Schema.from_json(record.schema)
    assert [(spec.name, spec.type.name) for spec in schema.inputs] == [("x", "double"), ("text", "string"),
                                                                       ("label", "long")]
    assert dataset.df is frame and dataset.targets == "label"


def test_defaults_name_the_dataset_and_say_it_was_built_in_code(frame):
    dataset = tracekit.data.from_pandas(frame)
    assert dataset.name == "dataset"
    assert (dataset.source.source_type, dataset.to_record().source) == ("code", "{}")
    assert tracekit.data.from_pandas(frame, source="data/train.csv").source.source_type == "local"
    assert tracekit.data.from_pandas(frame, source="https://example.com/d.csv").source.source_type == "http"


def test_digest_is_stable_and_follows_the_content(frame):
    first = tracekit.data.from_pandas(frame).digest
    assert first == tracekit.data.from_pandas(frame.copy()).digest
    changed = frame.copy()
    changed.loc[1, "x"] = 2.5
    assert tracekit.data.from_pandas(changed).digest != first
    assert tracekit.data.from_pandas(frame.rename(columns={"x": "y"})).digest != first
    assert tracekit.data.from_pandas(frame, digest="my-digest").digest == "my-digest"


def test_digest_of_a_huge_frame_reads_a_bounded_sample_yet_sees_changes_in_it():
    rows = SAMPLE_ROWS * 50
    big = pd.DataFrame({"a": np.arange(rows), "b": np.arange(rows) * 0.5})
    digest = tracekit.data.from_pandas(big).digest
    changed = big.copy()
    changed.iloc[0, 0] = -1  # the head is always hashed
    assert tracekit.data.from_pandas(changed).digest != digest
    longer = pd.concat([big, big.tail(1)], ignore_index=True)  # the shape is hashed too
    assert tracekit.data.from_pandas(longer).digest != digest


def test_frames_with_unhashable_cells_still_get_a_digest():
    frame = pd.DataFrame({"messages": [[{"role": "user"}], [{"role": "bot"}]]})
    dataset = tracekit.data.from_pandas(frame, name="chats")
    assert len(dataset.digest) == 16


def test_from_numpy_describes_features_and_targets():
    features = np.arange(12, dtype=np.float64).reshape(4, 3)
    dataset = tracekit.data.from_numpy(features, source="data.csv", targets=np.array([0, 1, 0, 1]), name="xy")
    profile = json.loads(dataset.to_record().profile)
    assert profile == {"num_rows": 4, "num_columns": 3, "features_shape": [4, 3], "targets_shape": [4]}
    assert Schema.from_json(dataset.to_record().schema).is_tensor_spec()
    assert dataset.digest != tracekit.data.from_numpy(features, targets=np.array([1, 1, 0, 1])).digest
    named = tracekit.data.from_numpy({"a": np.zeros((2, 2)), "b": np.ones(2)})
    assert json.loads(named.to_record().profile)["features_shape"] == {"a": [2, 2], "b": [2]}


def test_bad_dataset_input_names_what_is_wrong(frame):
    with pytest.raises(TracekitException, match="targets column 'nope' is not a column"):
        tracekit.data.from_pandas(frame, targets="nope")
    with pytest.raises(TracekitException, match="from_pandas\\(\\) takes a pandas DataFrame, got list"):
        tracekit.data.from_pandas([1, 2])
    with pytest.raises(TracekitException, match="features must be a numpy array"):
        tracekit.data.from_numpy("not an array")
    with pytest.raises(TracekitException, match="source is a path or URI string"):
        tracekit.data.from_pandas(frame, source=42)
    with pytest.raises(TracekitException, match="digest is a non-empty string of at most 36"):
        tracekit.data.from_pandas(frame, digest="x" * 37)


# --- log_input and run inputs -----------------------------------------------------------------------------------------
def test_logged_input_is_on_the_run_with_its_context_and_tags(tracking_uri, frame):
    dataset = tracekit.data.from_pandas(frame, source="data/train.csv", targets="label", name="train")
    with tracekit.start_run() as run:
        tracekit.log_input(dataset, context="training", tags={"split": "80%"})
    inputs = tracekit.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset == dataset.to_record()
    assert inputs[0].context == "training"
    assert {tag.key: tag.value for tag in inputs[0].tags} == {"mlflow.data.context": "training", "split": "80%"}


def test_a_dataset_is_recorded_once_per_experiment_and_shared_by_runs(tracking_uri, frame):
    dataset = tracekit.data.from_pandas(frame, name="train")
    runs = []
    for context in ("training", "eval"):
        with tracekit.start_run() as run:
            tracekit.log_input(dataset, context=context)
            tracekit.log_input(dataset, context=context)  # logging it twice keeps one input
        runs.append(run.info.run_id)
    found = tracekit.search_runs(output_format="list")
    by_id = {run.info.run_id: run for run in found}
    assert [by_id[run_id].inputs.dataset_inputs[0].context for run_id in runs] == ["training", "eval"]
    assert all(len(by_id[run_id].inputs.dataset_inputs) == 1 for run_id in runs)
    from tracekit.store.backend import get_backend
    from tracekit.store.sql.schema import datasets

    with get_backend().tracking.database.reading() as connection:
        assert connection.execute(datasets.select()).all().__len__() == 1


def test_model_inputs_are_recorded_and_unknown_models_refused(tracking_uri):
    model = tracekit.create_external_model(name="base")
    with tracekit.start_run() as run:
        tracekit.log_input(model=LoggedModelInput(model.model_id))
        with pytest.raises(ResourceNotFoundError, match="m-0+.*cannot be logged as an input"):
            tracekit.log_input(model="m-" + "0" * 32)
    assert tracekit.get_run(run.info.run_id).inputs.model_inputs == [LoggedModelInput(model.model_id)]


def test_log_input_refuses_what_is_not_a_dataset(tracking_uri, frame):
    with tracekit.start_run():
        with pytest.raises(TracekitException, match="log_input\\(\\) takes a dataset from tracekit.data"):
            tracekit.log_input(frame)
        with pytest.raises(TracekitException, match="needs a dataset"):
            tracekit.log_input()


def test_runs_without_inputs_have_empty_inputs(tracking_uri):
    with tracekit.start_run() as run:
        pass
    inputs = tracekit.get_run(run.info.run_id).inputs
    assert (inputs.dataset_inputs, inputs.model_inputs) == ([], [])


# --- metrics linked to datasets and models ---------------------------------------------------------------------------
def test_metric_logged_with_a_dataset_records_it_and_links_it(tracking_uri, frame):
    dataset = tracekit.data.from_pandas(frame, name="validation")
    model = tracekit.create_external_model(name="ckpt")
    with tracekit.start_run() as run:
        for step in range(3):
            tracekit.log_metric("accuracy", [0.8, 0.81, 0.82][step], step=step, model_id=model.model_id,
                                dataset=dataset)
    history = tracekit.get_metric_history(run.info.run_id, "accuracy")
    assert {(point.dataset_name, point.dataset_digest, point.model_id) for point in history} == {
        ("validation", dataset.digest, model.model_id)}
    stored = tracekit.get_logged_model(model.model_id).metrics
    assert [(m.key, m.value, m.dataset_name) for m in stored] == [("accuracy", 0.82, "validation")]
    inputs = tracekit.get_run(run.info.run_id).inputs.dataset_inputs
    assert [i.dataset.name for i in inputs] == ["validation"]


def _model_scored(name: str, scores: dict) -> str:
    model = tracekit.create_external_model(name=name)
    for dataset, value in scores.items():
        tracekit.log_metric("accuracy", value, model_id=model.model_id, dataset=dataset)
    return model.model_id


def test_search_logged_models_compares_metrics_on_the_given_datasets(tracking_uri, frame):
    train = tracekit.data.from_pandas(frame, name="train")
    test = tracekit.data.from_pandas(frame.head(2), name="test_set")
    with tracekit.start_run():
        _model_scored("overfit", {train: 0.99, test: 0.70})
        _model_scored("general", {train: 0.90, test: 0.93})

    def names(**kwargs) -> list[str]:
        return sorted(m.name for m in tracekit.search_logged_models(output_format="list", **kwargs))

    assert names(filter_string="metrics.accuracy > 0.92", datasets=[{"dataset_name": "test_set"}]) == ["general"]
    assert names(filter_string="metrics.accuracy > 0.95", datasets=[{"dataset_name": "train"}]) == ["overfit"]
    assert names(filter_string="metrics.accuracy > 0.8", datasets=[
        {"dataset_name": "train", "dataset_digest": train.digest}]) == ["general", "overfit"]
    assert names(filter_string="metrics.accuracy > 0.8", datasets=[
        {"dataset_name": "train", "dataset_digest": "other"}]) == []
    assert names(filter_string="metrics.accuracy > 0.92", datasets=[
        {"dataset_name": "train"}, {"dataset_name": "test_set"}]) == ["general", "overfit"]
    # Datasets only narrow metric comparisons: other filters and no filter are unchanged.
    assert names(datasets=[{"dataset_name": "nothing"}]) == ["general", "overfit"]


def test_dataset_search_uses_each_models_latest_point_on_the_dataset(tracking_uri, frame):
    test = tracekit.data.from_pandas(frame, name="test_set")
    model = tracekit.create_external_model(name="m")
    with tracekit.start_run():
        tracekit.log_metric("loss", 0.1, step=0, model_id=model.model_id, dataset=test)
        tracekit.log_metric("loss", 0.9, step=1, model_id=model.model_id, dataset=test)
    on_test = [{"dataset_name": "test_set"}]
    assert tracekit.search_logged_models(filter_string="metrics.loss < 0.5", datasets=on_test,
                                         output_format="list") == []
    assert len(tracekit.search_logged_models(filter_string="metrics.loss > 0.5", datasets=on_test,
                                             output_format="list")) == 1


def test_dataset_filters_are_checked(tracking_uri):
    with pytest.raises(TracekitException, match="datasets must be a list"):
        tracekit.search_logged_models(datasets="test_set")
    with pytest.raises(TracekitException, match="unknown keys \\['name'\\]"):
        tracekit.search_logged_models(datasets=[{"name": "x"}])


def test_oversized_dataset_records_are_refused_before_the_database(tracking_uri, frame):
    with pytest.raises(TracekitException, match="at most 4000 characters"):
        tracekit.data.from_pandas(frame, source="s3://bucket/" + "k" * 5000)
    from tracekit.entities import Dataset, DatasetInput
    from tracekit.store.backend import get_backend

    with tracekit.start_run() as run:
        huge = Dataset(name="d", digest="abc", source_type="local", source="{}", profile="x" * 20_000)
        with pytest.raises(TracekitException, match="profile of dataset 'd' is 20000 characters long"):
            get_backend().tracking.log_inputs(run.info.run_id, [DatasetInput(huge)])
