"""`tracekit traces search/get`, `tracekit server`, `tracekit db upgrade` from the command line, against a SQLite
file and a tracking server alike."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from server_helpers import build_trace

from tracekit.cli import main
from tracekit.store.backend import close_backends
from tracekit.store.sql.traces import SqlTraceStore


@pytest.fixture(autouse=True)
def _forget_stores():
    yield
    close_backends()


@pytest.fixture(params=["sqlite", "http"])
def stored(request, server_db):
    """(tracking URI, traces stored there): the server's SQLite file directly, or the server over HTTP."""
    traces = [build_trace(tags={"n": str(i)}, inputs={"question": f"q{i}"}) for i in range(7)]
    SqlTraceStore(server_db).write_traces(traces)
    if request.param == "sqlite":
        return server_db, traces
    return request.getfixturevalue("live_server").url, traces


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_search_prints_a_table(stored):
    uri, traces = stored
    result = run("traces", "search", "--tracking-uri", uri, "--max-results", "3")
    assert result.exit_code == 0, result.output
    newest = [t.info.trace_id for t in reversed(traces)][:3]
    for trace_id in newest:
        assert trace_id in result.output
    assert traces[0].info.trace_id not in result.output
    assert "3 trace(s)" in result.output


def test_search_pages_through_to_max_results(stored, monkeypatch):
    import tracekit.cli.trace_commands

    monkeypatch.setattr(tracekit.cli.trace_commands, "SEARCH_PAGE", 2)
    uri, traces = stored
    result = run("traces", "search", "--tracking-uri", uri, "--max-results", "5", "--output", "json")
    assert [t["info"]["trace_id"] for t in json.loads(result.stdout)] == \
        [t.info.trace_id for t in reversed(traces)][:5]


def test_search_with_filter_as_json_and_csv(stored):
    uri, traces = stored
    as_json = run("traces", "search", "--tracking-uri", uri, "--filter", "tags.n = '4'", "--output", "json")
    found = json.loads(as_json.stdout)
    assert [t["info"]["trace_id"] for t in found] == [traces[4].info.trace_id]
    assert len(found[0]["data"]["spans"]) == 3
    as_csv = run("traces", "search", "--tracking-uri", uri, "--filter", "tags.n IN ('1', '2')", "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["trace_id"] for row in rows] == [traces[2].info.trace_id, traces[1].info.trace_id]
    assert json.loads(rows[0]["tags"]) == {"n": "2"} and rows[0]["name"] == "root"


def test_bad_filter_is_an_error_message_not_a_traceback(stored):
    uri, _ = stored
    result = CliRunner().invoke(main, ["traces", "search", "--tracking-uri", uri, "--filter", "nonsense = 1"])
    assert result.exit_code == 1
    assert "unknown field 'nonsense'" in result.output and "Traceback" not in result.output


def test_get_prints_the_span_tree_with_durations(stored):
    uri, traces = stored
    trace = traces[0]
    result = run("traces", "get", "--tracking-uri", uri, trace.info.trace_id)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    root_line = next(line for line in lines if "root" in line and "CHAIN" in line)
    child_line = next(line for line in lines if "retrieve" in line)
    assert "100.0 ms" in root_line and "OK" in root_line
    assert "RETRIEVER" in child_line and "2.0 ms" in child_line
    assert lines.index(root_line) < lines.index(child_line)
    assert child_line.index("retrieve") > root_line.index("root")  # nested under the root
    assert "n = 0" in result.output


def test_get_as_json_and_unknown_id(stored):
    uri, traces = stored
    result = run("traces", "get", "--tracking-uri", uri, traces[1].info.trace_id, "-o", "json")
    assert json.loads(result.stdout) == traces[1].to_dict()
    missing = CliRunner().invoke(main, ["traces", "get", "--tracking-uri", uri, f"tr-{'9' * 32}"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_unreachable_tracking_server_is_a_clear_error():
    result = CliRunner().invoke(main, ["traces", "search", "--tracking-uri", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Cannot reach the tracking server http://127.0.0.1:9" in result.output


@pytest.mark.parametrize("command, expected", [
    (["--help"], ["server", "traces", "db"]),
    (["server", "--help"], ["--backend-store-uri", "--host", "--port", "--workers", "--auth", "--users-file",
                            "--tokens-file", "--max-body-bytes", "/v1/traces", "TRACEKIT_TRACKING_TOKEN"]),
    (["traces", "search", "--help"], ["--filter", "--max-results", "--output", "table|json|csv",
                                      "--tracking-uri", "--experiment-id", "--order-by"]),
    (["traces", "get", "--help"], ["TRACE_ID", "--output", "--tracking-uri"]),
    (["db", "upgrade", "--help"], ["URI"]),
])
def test_every_command_has_a_complete_help(command, expected):
    result = run(*command)
    assert result.exit_code == 0
    for text in expected:
        assert text in result.output


def test_db_upgrade_creates_a_new_database(tmp_path):
    result = run("db", "upgrade", f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == 0
    assert "Upgraded to revision" in result.output
