"""`tracekit deployments ...` against the built-in `local` target: the seed's commands (create, update, delete,
list, get, predict, run-local, help), their options, and the errors a user sees."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner
from waiting import wait_until

from tracekit.cli import main
from tracekit.deployments.local_processes import free_port


def run(*args: str):
    return CliRunner().invoke(main, ["deployments", *args])


def test_create_get_list_predict_delete(iris_model, body, tmp_path):
    model_uri, _, expected = iris_model
    created = run("create", "-t", "local", "--name", "iris", "-m", model_uri, "-C", "workers=1")
    assert created.exit_code == 0, created.output
    described = json.loads(created.output)
    assert described["status"] == "running" and described["config"] == {"workers": 1}

    got = run("get", "-t", "local", "--name", "iris")
    assert got.exit_code == 0 and json.loads(got.output)["pid"] == described["pid"]
    listed = run("list", "-t", "local")
    assert [deployment["name"] for deployment in json.loads(listed.output)] == ["iris"]

    (tmp_path / "in.json").write_text(json.dumps(body))
    predicted = run("predict", "-t", "local", "--name", "iris", "--input-path", str(tmp_path / "in.json"),
                    "--output-path", str(tmp_path / "out.json"))
    assert predicted.exit_code == 0, predicted.output
    assert json.loads((tmp_path / "out.json").read_text()) == {"predictions": expected}

    deleted = run("delete", "-t", "local", "--name", "iris")
    assert deleted.exit_code == 0 and "Deleted deployment 'iris'" in deleted.output
    assert json.loads(run("list", "-t", "local").output) == []


def test_predict_a_csv_file_to_stdout_and_update_the_model(iris_model, constant_model, rows, tmp_path):
    model_uri, _, expected = iris_model
    assert run("create", "-t", "local", "--name", "iris", "-m", model_uri).exit_code == 0
    rows.to_csv(tmp_path / "in.csv", index=False)
    predicted = run("predict", "-t", "local", "--name", "iris", "-I", str(tmp_path / "in.csv"))
    assert json.loads(predicted.output) == {"predictions": expected}
    updated = run("update", "-t", "local", "--name", "iris", "-m", constant_model)
    assert updated.exit_code == 0, updated.output
    predicted = run("predict", "-t", "local", "--name", "iris", "-I", str(tmp_path / "in.csv"))
    assert json.loads(predicted.output) == {"predictions": [2, 2]}


def test_an_unknown_target_lists_the_installed_ones():
    result = run("list", "-t", "sagemaker:/us-east-1")
    assert result.exit_code == 1
    assert "No deployment target named 'sagemaker' is installed. Installed: local" in result.output
    assert "Traceback" not in result.output


def test_help_describes_the_target_and_its_config_keys():
    result = run("help", "-t", "local")
    assert result.exit_code == 0
    assert all(key in result.output for key in ("port:", "workers:", "env_manager:", "timeout:"))


def test_a_config_option_without_a_value_is_a_usage_error(iris_model):
    model_uri, _, _ = iris_model
    result = run("create", "-t", "local", "--name", "iris", "-m", model_uri, "-C", "workers")
    assert result.exit_code == 2 and "'workers' is not KEY=VALUE" in result.output


def test_errors_are_one_line_messages(tmp_path):
    missing = run("get", "-t", "local", "--name", "nothing")
    assert missing.exit_code == 1 and "No local deployment named 'nothing'" in missing.output
    (tmp_path / "bad.json").write_text("{not json")
    bad = run("predict", "-t", "local", "--name", "nothing", "-I", str(tmp_path / "bad.json"))
    assert bad.exit_code == 1 and "is not JSON" in bad.output
    assert "Traceback" not in missing.output + bad.output


def test_run_local_serves_in_the_foreground_until_interrupted(iris_model, body, tmp_path):
    import tracekit

    model_uri, _, expected = iris_model
    port = free_port("127.0.0.1")
    env = {**os.environ, "TRACEKIT_TRACKING_URI": tracekit.get_tracking_uri()}
    with open(tmp_path / "run-local.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "tracekit.cli", "deployments", "run-local", "-t", "local",
                                    "--name", "trial", "-m", model_uri, "-C", f"port={port}"],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        def answers() -> bool:
            assert process.poll() is None, (tmp_path / "run-local.log").read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        assert wait_until(answers, timeout=90, interval=0.2)
        answer = httpx.post(f"http://127.0.0.1:{port}/invocations", json=body, timeout=30)
        assert answer.json() == {"predictions": expected}
        assert json.loads(run("list", "-t", "local").output) == [], "run-local records nothing"
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.mark.parametrize("command", ["create", "update", "delete", "list", "get", "predict", "run-local", "help"])
def test_every_seed_command_exists_and_takes_a_target(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "-t, --target" in result.output
