"""log_table and load_table: dicts and DataFrames stored as JSON (pandas split orientation), appended to, and read
back from one run or all runs of the experiment."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException

TABLE = {"inputs": ["What is tracekit?", "What is OpenTelemetry?"], "outputs": ["A library", "A standard"],
         "toxicity": [0.0, 0.5]}


def test_a_dict_is_stored_as_split_json_and_loaded_back():
    with tracekit.start_run() as run:
        tracekit.log_table(data=TABLE, artifact_file="qabot_eval_results.json")
    stored = tracekit.artifacts.load_dict(f"runs:/{run.info.run_id}/qabot_eval_results.json")
    assert stored == {"columns": ["inputs", "outputs", "toxicity"],
                      "data": [["What is tracekit?", "A library", 0.0], ["What is OpenTelemetry?", "A standard", 0.5]]}
    loaded = tracekit.load_table("qabot_eval_results.json", run_ids=[run.info.run_id], extra_columns=["run_id"])
    expected = pd.DataFrame(TABLE).assign(run_id=run.info.run_id)
    pd.testing.assert_frame_equal(loaded, expected)


def test_a_dataframe_is_stored_and_logging_again_appends():
    frame = pd.DataFrame(TABLE)
    with tracekit.start_run() as run:
        tracekit.log_table(frame, "eval/results.json")
        tracekit.log_table({"inputs": ["third"], "outputs": ["c"], "toxicity": [1.0]}, "eval/results.json")
    loaded = tracekit.load_table("eval/results.json", run_ids=[run.info.run_id])
    assert loaded["inputs"].tolist() == ["What is tracekit?", "What is OpenTelemetry?", "third"]
    assert loaded["toxicity"].tolist() == [0.0, 0.5, 1.0]


def test_without_run_ids_every_run_of_the_experiment_that_has_the_table_is_read():
    tracekit.set_experiment("tables")
    ids = []
    for score in (0.1, 0.2):
        with tracekit.start_run() as run:
            tracekit.log_table({"score": [score]}, "t.json")
        ids.append(run.info.run_id)
    with tracekit.start_run():
        tracekit.log_text("no table here", "other.txt")
    loaded = tracekit.load_table("t.json", extra_columns=["run_id", "run_name"])
    assert sorted(zip(loaded["run_id"], loaded["score"], strict=True)) == sorted(zip(ids, [0.1, 0.2], strict=True))
    assert loaded["run_name"].notna().all()


def test_missing_tables_and_bad_arguments_are_named():
    with tracekit.start_run() as run:
        tracekit.log_table({"a": [1]}, "t.json")
    with pytest.raises(ResourceNotFoundError, match=f"Run {run.info.run_id} has no table 'other.json'"):
        tracekit.load_table("other.json", run_ids=[run.info.run_id])
    with pytest.raises(ResourceNotFoundError, match="No table 'nowhere.json' was logged in any run of experiment 0"):
        tracekit.load_table("nowhere.json")
    with pytest.raises(TracekitException, match="Unknown extra_columns \\['color'\\]"):
        tracekit.load_table("t.json", run_ids=[run.info.run_id], extra_columns=["color"])
    tracekit.log_table({"run_id": ["x"]}, "clash.json", run_id=run.info.run_id)
    with pytest.raises(TracekitException, match="already has a column 'run_id'; leave it out of extra_columns"):
        tracekit.load_table("clash.json", run_ids=[run.info.run_id], extra_columns=["run_id"])


def test_bad_tables_are_refused_before_anything_is_written():
    with pytest.raises(TracekitException, match="ending in .json"):
        tracekit.log_table(TABLE, "table.csv")
    with pytest.raises(TracekitException, match="same length"):
        tracekit.log_table({"a": [1, 2], "b": [1]}, "t.json")
    with pytest.raises(TracekitException, match="got list"):
        tracekit.log_table([1, 2], "t.json")
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        tracekit.log_table(TABLE, "../t.json")


def test_a_file_that_is_not_a_table_is_reported(tmp_path):
    with tracekit.start_run() as run:
        tracekit.log_text(json.dumps({"not": "split"}), "fake.json")
    with pytest.raises(TracekitException, match="not a table in JSON split orientation"):
        tracekit.load_table("fake.json", run_ids=[run.info.run_id])


def test_a_search_traces_frame_keeps_its_spans_when_logged():
    @tracekit.trace(name="answer")
    def answer(question: str) -> str:
        return "42"

    answer("why?")
    tracekit.flush_trace_async_logging()
    frame = tracekit.search_traces()
    with tracekit.start_run() as run:
        tracekit.log_table(frame[["trace_id", "spans"]], "traces.json")
    loaded = tracekit.load_table("traces.json", run_ids=[run.info.run_id])
    assert [span["name"] for span in loaded["spans"][0]] == ["answer"]
    assert loaded["spans"][0] == frame["spans"][0]
