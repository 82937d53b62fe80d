"""`tracekit artifacts list|download|log-artifact|log-artifacts` on a real SQLite store and local artifact folder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import tracekit
from tracekit.cli import main


def _run(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["artifacts", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_log_list_and_download_through_the_command_line(tmp_path):
    uri = tracekit.get_tracking_uri()
    with tracekit.start_run() as run:
        pass
    run_id = run.info.run_id
    (tmp_path / "model.pkl").write_bytes(b"12345")
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "predictions.csv").write_text("id\n1\n")
    tracekit.set_tracking_uri(None)  # the commands get the URI from --tracking-uri

    assert "Logged" in _run("log-artifact", "--local-file", str(tmp_path / "model.pkl"), "--run-id", run_id,
                            "--artifact-path", "model", "--tracking-uri", uri)
    _run("log-artifacts", "--local-dir", str(tmp_path / "outputs"), "--run-id", run_id, "--tracking-uri", uri)
    assert _run("list", "--run-id", run_id, "--tracking-uri", uri).splitlines() == [
        "model/", "predictions.csv\t5"]
    listed = json.loads(_run("list", "--artifact-uri", f"runs:/{run_id}/model", "--tracking-uri", uri,
                             "--output", "json"))
    assert listed == [{"path": "model.pkl", "is_dir": False, "file_size": 5}]
    local = _run("download", "--run-id", run_id, "--artifact-path", "model", "--dst-path", str(tmp_path / "dl"),
                 "--tracking-uri", uri).strip()
    assert Path(local, "model.pkl").read_bytes() == b"12345"


def test_errors_are_one_line_messages(tmp_path):
    with tracekit.start_run() as run:
        pass
    result = CliRunner().invoke(main, ["artifacts", "log-artifact", "--local-file", str(tmp_path / "missing.bin"),
                                       "--run-id", run.info.run_id])
    assert result.exit_code == 1
    assert "missing.bin" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["artifacts", "download", "--run-id", run.info.run_id, "--artifact-path",
                                       "../../etc/passwd"])
    assert result.exit_code == 1 and "Invalid artifact path" in result.output
    result = CliRunner().invoke(main, ["artifacts", "list"])
    assert result.exit_code == 1 and "needs artifact_uri" in result.output
