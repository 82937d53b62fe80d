"""search_runs: filters on params, metrics, tags and attributes compiled to SQL, ordering, paging, DataFrame."""

from __future__ import annotations

import math
import time

import pandas as pd
import pytest

import tracekit
from tracekit import InvalidFilterError, ViewType
from tracekit.store.backend import get_backend


@pytest.fixture
def three_runs(tracking_uri):
    """Runs a (m=1.55, release 1.1.0-RC), b (m=2.5, 1.2.0-GA) and c (no metric, FAILED) in experiment "exp",
    started in that order (a few ms apart, so that newest-first is well defined)."""
    experiment_id = tracekit.create_experiment("exp")
    with tracekit.start_run(experiment_id=experiment_id, run_name="a") as a:
        tracekit.log_metric("m", 1.55)
        tracekit.log_param("model", "rf")
        tracekit.set_tag("s.release", "1.1.0-RC")
    time.sleep(0.003)
    with tracekit.start_run(experiment_id=experiment_id, run_name="b") as b:
        tracekit.log_metric("m", 2.50)
        tracekit.log_param("model", "xgb")
        tracekit.set_tag("s.release", "1.2.0-GA")
    time.sleep(0.003)
    with pytest.raises(RuntimeError):
        with tracekit.start_run(experiment_id=experiment_id, run_name="c") as c:
            tracekit.log_param("model", "rf")
            raise RuntimeError
    return experiment_id, {"a": a.info.run_id, "b": b.info.run_id, "c": c.info.run_id}


def run_names(frame: pd.DataFrame) -> list[str]:
    return list(frame["run_name"])


def search(experiment_id: str, filter_string: str = "", **kwargs) -> list[str]:
    return run_names(tracekit.search_runs([experiment_id], filter_string, **kwargs))


def test_default_order_is_newest_first(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id) == ["c", "b", "a"]


def test_order_by_metric_puts_missing_values_last(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id, order_by=["metrics.m DESC"]) == ["b", "a", "c"]
    assert search(experiment_id, order_by=["metrics.m"]) == ["a", "b", "c"]
    assert search(experiment_id, "metrics.m > 1 AND params.model != 'svm'", order_by=["metrics.m DESC"]) == ["b", "a"]


def test_order_by_param_tag_and_attribute(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id, order_by=["params.model DESC", "run_name"]) == ["b", "a", "c"]
    assert search(experiment_id, order_by=["tags.`s.release`"]) == ["a", "b", "c"]
    assert search(experiment_id, order_by=["attributes.run_name DESC"]) == ["c", "b", "a"]
    assert search(experiment_id, order_by=["start_time ASC"]) == ["a", "b", "c"]


def test_metric_filters_compare_numbers(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id, "metrics.m > 2") == ["b"]
    assert search(experiment_id, "metrics.m <= 2.5", order_by=["run_name"]) == ["a", "b"]
    assert search(experiment_id, "metrics.m = 1.55") == ["a"]
    assert search(experiment_id, "metrics.m != 1.55") == ["b"]
    assert search(experiment_id, "metrics.missing > 0") == []


def test_param_and_tag_filters(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id, "params.model = 'rf'") == ["c", "a"]
    assert search(experiment_id, "tags.s.release ILIKE '%rc%'") == ["a"]
    assert search(experiment_id, "tags.`s.release` LIKE '1.2%'") == ["b"]
    assert search(experiment_id, "params.model IN ('xgb', 'svm')") == ["b"]


def test_attribute_filters(three_runs):
    experiment_id, ids = three_runs
    assert search(experiment_id, "attributes.status = 'FAILED'") == ["c"]
    assert search(experiment_id, "status != 'failed'") == ["b", "a"]
    assert search(experiment_id, "attributes.run_name = 'a'") == ["a"]
    assert search(experiment_id, f"run_id = '{ids['b']}'") == ["b"]


def test_and_or_parentheses(three_runs):
    experiment_id, _ = three_runs
    assert search(experiment_id, "params.model = 'rf' AND (metrics.m > 1 OR status = 'FAILED')") == ["c", "a"]


def test_children_of_a_run_by_the_parent_tag(tracking_uri):
    with tracekit.start_run(run_name="sweep") as parent:
        for lr in (0.1, 0.01):
            with tracekit.start_run(nested=True, run_name=f"lr-{lr}"):
                tracekit.log_params({"learning_rate": lr})
    with tracekit.start_run(run_name="unrelated"):
        pass
    children = tracekit.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                                    order_by=["params.learning_rate"])
    assert list(children["params.learning_rate"]) == ["0.01", "0.1"]


def test_dataframe_columns_and_types(three_runs):
    experiment_id, ids = three_runs
    frame = tracekit.search_runs([experiment_id], order_by=["run_name"])
    assert list(frame.columns[:7]) == ["run_id", "experiment_id", "status", "artifact_uri", "start_time",
                                       "end_time", "run_name"]
    assert {"metrics.m", "params.model", "tags.s.release", "tags.mlflow.runName"} <= set(frame.columns)
    assert list(frame["run_id"]) == [ids["a"], ids["b"], ids["c"]]
    assert list(frame["status"]) == ["FINISHED", "FINISHED", "FAILED"]
    assert frame["metrics.m"].dtype == "float64"
    assert frame["metrics.m"].iloc[0] == 1.55 and math.isnan(frame["metrics.m"].iloc[2])
    assert frame["tags.s.release"].iloc[2] is None
    assert str(frame["start_time"].dtype).startswith("datetime64") and frame["start_time"].dt.tz is not None


def test_empty_result_is_an_empty_dataframe_with_the_base_columns(three_runs):
    experiment_id, _ = three_runs
    frame = tracekit.search_runs([experiment_id], "metrics.m > 100")
    assert len(frame) == 0 and "run_id" in frame.columns


def test_list_output(three_runs):
    experiment_id, _ = three_runs
    (run,) = tracekit.search_runs([experiment_id], "metrics.m > 2", output_format="list")
    assert isinstance(run, tracekit.Run)
    assert run.data.metrics == {"m": 2.5} and run.data.params == {"model": "xgb"}


def test_max_results_and_page_tokens(three_runs):
    experiment_id, _ = three_runs
    assert len(tracekit.search_runs([experiment_id], max_results=2)) == 2
    store = get_backend().tracking
    first = store.search_runs([experiment_id], max_results=2)
    second = store.search_runs([experiment_id], max_results=2, page_token=first.token)
    assert [r.info.run_name for r in first] == ["c", "b"]
    assert [r.info.run_name for r in second] == ["a"] and second.token is None
    with pytest.raises(InvalidFilterError, match="different search"):
        store.search_runs([experiment_id], "status = 'FAILED'", max_results=2, page_token=first.token)


def test_deleted_runs_are_skipped_unless_asked_for(three_runs):
    experiment_id, ids = three_runs
    tracekit.delete_run(ids["a"])
    assert search(experiment_id) == ["c", "b"]
    assert search(experiment_id, run_view_type=ViewType.DELETED_ONLY) == ["a"]
    assert search(experiment_id, run_view_type=ViewType.ALL) == ["c", "b", "a"]


def test_default_experiment_is_the_current_one_and_names_or_all_can_be_given(three_runs):
    experiment_id, _ = three_runs
    with tracekit.start_run(run_name="in-default"):
        pass
    assert run_names(tracekit.search_runs()) == ["in-default"]
    assert run_names(tracekit.search_runs(experiment_names=["exp"])) == ["c", "b", "a"]
    assert len(tracekit.search_runs(search_all_experiments=True)) == 4
    tracekit.set_experiment(experiment_id=experiment_id)
    assert len(tracekit.search_runs()) == 3
    with pytest.raises(tracekit.TracekitException, match="not both"):
        tracekit.search_runs(["0"], experiment_names=["exp"])


def test_bad_filter_says_where_and_lists_the_run_fields():
    with pytest.raises(InvalidFilterError) as raised:
        tracekit.search_runs(filter_string="metrics.acc > 0.9 AND colour = 'red'")
    message = str(raised.value)
    assert "unknown field 'colour' at position 22" in message
    for name in ("params.<name>", "metrics.<name>", "tags.<key>", "status", "run_name", "start_time"):
        assert name in message


def test_metric_compared_to_a_string_is_an_error():
    with pytest.raises(InvalidFilterError, match="field 'metrics.acc' needs a number"):
        tracekit.search_runs(filter_string="metrics.acc > 'high'")


def test_invalid_status_lists_the_run_statuses():
    with pytest.raises(InvalidFilterError, match="RUNNING, SCHEDULED, FINISHED, FAILED, KILLED"):
        tracekit.search_runs(filter_string="attributes.status = 'DONE'")


def test_bad_order_by_lists_the_sortable_fields():
    with pytest.raises(InvalidFilterError, match="cannot order by 'colour'.*metrics.<name>"):
        tracekit.search_runs(order_by=["colour DESC"])


def test_bad_output_format():
    with pytest.raises(tracekit.TracekitException, match="output_format"):
        tracekit.search_runs(output_format="json")
