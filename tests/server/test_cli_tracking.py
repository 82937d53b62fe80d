"""`tracekit experiments search` and `tracekit runs search`, against a SQLite file and a tracking server alike."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from click.testing import CliRunner

from tracekit.cli import main
from tracekit.entities import Metric, Run
from tracekit.store.backend import close_backends, get_backend
from tracekit.store.sql.tracking import SqlTrackingStore


@pytest.fixture(autouse=True)
def _forget_stores():
    yield
    close_backends()


@pytest.fixture(params=["sqlite", "http"])
def tracked(request, server_db):
    """(tracking URI, experiment id, run ids by name): an experiment with three runs, read from the server's SQLite
    file directly or through the server over HTTP."""
    store = SqlTrackingStore(get_backend(server_db).traces.database)
    experiment_id = store.create_experiment("sweep", tags={"team": "nlp"})
    store.create_experiment("other")
    runs = {}
    for number, accuracy in enumerate((0.8, 0.95, math.nan)):
        run = store.create_run(experiment_id, f"run-{number}", 1_700_000_000_000 + number)
        store.log_batch(run.info.run_id, [Metric("accuracy", accuracy, 1_700_000_000_100)], {"lr": str(number)})
        store.update_run_info(run.info.run_id, "FINISHED", 1_700_000_001_500 + number)
        runs[run.info.run_name] = run.info.run_id
    if request.param == "sqlite":
        return server_db, experiment_id, runs
    return request.getfixturevalue("live_server").url, experiment_id, runs


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_experiments_search_prints_a_table(tracked):
    uri, experiment_id, _ = tracked
    result = run("experiments", "search", "--tracking-uri", uri, "--filter", "tags.team = 'nlp'")
    assert "1 experiment(s)" in result.output and "sweep" in result.output and "team=nlp" in result.output
    assert "other" not in result.output


def test_experiments_search_as_json_and_csv(tracked):
    uri, experiment_id, _ = tracked
    as_json = json.loads(run("experiments", "search", "--tracking-uri", uri, "--order-by", "name ASC",
                             "-o", "json").stdout)
    assert [e["name"] for e in as_json] == ["Default", "other", "sweep"]
    rows = list(csv.DictReader(io.StringIO(run("experiments", "search", "--tracking-uri", uri, "--max-results", "1",
                                               "--order-by", "name DESC", "-o", "csv").stdout)))
    assert [(row["experiment_id"], row["name"], json.loads(row["tags"])) for row in rows] == \
        [(experiment_id, "sweep", {"team": "nlp"})]


def test_runs_search_filters_on_a_metric_and_prints_a_table(tracked):
    uri, experiment_id, runs = tracked
    result = run("runs", "search", "--tracking-uri", uri, "-x", experiment_id, "--filter", "metrics.accuracy > 0.9")
    assert "1 run(s)" in result.output and runs["run-1"] in result.output and "accuracy=0.95" in result.output
    assert runs["run-0"] not in result.output


def test_runs_search_as_json_round_trips_runs_with_nan_as_null(tracked):
    uri, experiment_id, runs = tracked
    found = json.loads(run("runs", "search", "--tracking-uri", uri, "-x", experiment_id, "-o", "json").stdout)
    assert [r["info"]["run_name"] for r in found] == ["run-2", "run-1", "run-0"]
    assert found[0]["data"]["metrics"] == {"accuracy": None}
    assert math.isnan(Run.from_dict(found[0]).data.metrics["accuracy"])


def test_runs_search_as_csv_has_search_runs_columns(tracked):
    uri, _, runs = tracked
    text = run("runs", "search", "--tracking-uri", uri, "--all-experiments", "--order-by", "metrics.accuracy DESC",
               "-o", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["run_id"] for row in rows][:2] == [runs["run-1"], runs["run-0"]]
    assert {"metrics.accuracy", "params.lr", "tags.mlflow.runName", "start_time"} <= set(rows[0])


def test_runs_search_with_a_bad_filter_fails_with_the_grammar_message(tracked):
    uri, _, _ = tracked
    result = CliRunner().invoke(main, ["runs", "search", "--tracking-uri", uri, "--filter", "metrics.x >"])
    assert result.exit_code != 0 and "Invalid filter" in result.output


@pytest.mark.parametrize("command", [["experiments", "search"], ["runs", "search"]])
def test_help_lists_every_option(command):
    text = run(*command, "--help").output
    for option in ("--tracking-uri", "--filter", "--order-by", "--view-type", "--max-results", "--output"):
        assert option in text
