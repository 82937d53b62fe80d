"""`tracekit spill purge`: deletes what the spill folder keeps (waiting traces, or with --dead the dead letters) after
showing how much and asking; never a file a running process still writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from tracekit.cli import main as cli

PRODUCER = textwrap.dedent("""
    import tracekit

    @tracekit.trace
    def work(i):
        return i

    for i in range(5):
        work(i)
    tracekit.flush_trace_async_logging()
""")

DOWN_URI = "postgresql://nobody@127.0.0.1:1/down"  # nothing listens there: spilled
WRONG_URI = "postgress://nobody@127.0.0.1/typo"  # no backend serves it: dead letters


@pytest.fixture
def spill_dir(tmp_path):
    """A spill folder holding 5 traces waiting for DOWN_URI and 5 dead letters for WRONG_URI, left by processes
    that have ended."""
    for uri in (DOWN_URI, WRONG_URI):
        env = {**os.environ, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill"), "TRACEKIT_TRACKING_URI": uri,
               "TRACEKIT_EXPORT_RETRY_MAX_SECONDS": "0.2"}
        done = subprocess.run([sys.executable, "-c", PRODUCER], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return tmp_path / "spill"


def _listed(dead: bool) -> list[dict]:
    result = CliRunner().invoke(cli, ["spill", "list", "-o", "json", *(["--dead"] if dead else [])])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_purge_asks_first_and_keeps_everything_on_no(spill_dir):
    result = CliRunner().invoke(cli, ["spill", "purge"], input="n\n")
    assert result.exit_code != 0
    assert "Delete 5 spilled trace(s) in 1 file(s)" in result.output and "Nothing deleted" in result.output
    assert sum(row["traces"] for row in _listed(dead=False)) == 5


def test_purge_deletes_waiting_traces_and_leaves_the_dead_letters(spill_dir):
    result = CliRunner().invoke(cli, ["spill", "purge"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Deleted 5 spilled trace(s)" in result.output
    assert _listed(dead=False) == []
    assert len(_listed(dead=True)) == 5


def test_purge_dead_with_yes_deletes_only_the_dead_letters(spill_dir):
    result = CliRunner().invoke(cli, ["spill", "purge", "--dead", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted 5 dead letter(s)" in result.output
    assert _listed(dead=True) == []
    assert sum(row["traces"] for row in _listed(dead=False)) == 5


def test_purge_of_one_destination(spill_dir):
    down = next(row["destination"] for row in _listed(dead=False))
    result = CliRunner().invoke(cli, ["spill", "purge", "--destination", down, "--dead", "--yes"])
    assert result.exit_code == 0 and "No dead letter(s) to purge" in result.output
    assert len(_listed(dead=True)) == 5


def test_an_unknown_destination_is_named_with_the_ones_there_are(spill_dir):
    result = CliRunner().invoke(cli, ["spill", "purge", "--destination", "sqlite:///nowhere.db", "--yes"])
    assert result.exit_code == 2
    assert "'sqlite:///nowhere.db'" in result.output and "postgresql://nobody@127.0.0.1" in result.output


def test_files_a_running_process_writes_are_left_alone(spill_dir):
    folder = next(path.parent for path in spill_dir.rglob("*.jsonl") if path.parent.name != "dead")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as writer:
        try:
            open_file = folder / f"{writer.pid}-1.open"
            open_file.write_text('{"not": "read"}\n')
            result = CliRunner().invoke(cli, ["spill", "purge", "--yes"])
        finally:
            writer.kill()
    assert result.exit_code == 0, result.output
    assert "1 file(s) in use by a running process are kept" in result.output
    assert open_file.exists() and "Deleted 5 spilled trace(s)" in result.output
