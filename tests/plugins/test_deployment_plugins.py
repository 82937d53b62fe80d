"""Deployment targets as plugins (entry-point group `tracekit.deployments`): the example plugin's `file-plugin`
target driven through `tracekit deployments ... -t file-plugin:<folder>`, and the loading rules for broken,
incomplete and clashing target modules."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

import tracekit
from tracekit.cli import main
from tracekit.deployments import BaseDeploymentClient, get_deploy_client, installed_targets
from tracekit.deployments.targets import DEPLOYMENTS_GROUP
from tracekit.exceptions import TracekitException

COMPLETE_TARGET = """
    from tracekit.plugins import BaseDeploymentClient

    class EchoClient(BaseDeploymentClient):
        def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
            return {"name": name}
        def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
            return {"name": name}
        def delete_deployment(self, name, config=None, endpoint=None):
            pass
        def list_deployments(self, endpoint=None):
            return [{"name": "echoed", "target_uri": self.target_uri}]
        def get_deployment(self, name, endpoint=None):
            return {"name": name}
        def predict(self, deployment_name=None, inputs=None, endpoint=None):
            return {"predictions": inputs}

    def run_local(name, model_uri, flavor=None, config=None):
        pass

    def target_help():
        return "echoes"
"""

INCOMPLETE_TARGET = """
    from tracekit.plugins import BaseDeploymentClient

    class HalfClient(BaseDeploymentClient):
        def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
            return {"name": name}

    def target_help():
        return "half"
"""


def run(*args: str):
    return CliRunner().invoke(main, ["deployments", *args])


@pytest.fixture
def logged_model(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    features, target = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(features, target)
    info = tracekit.sklearn.log_model(model, name="iris_lr", input_example=features.head(3))
    rows = features.head(2)
    body = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
    return info.model_uri, body, model.predict(rows).tolist()


def test_the_example_plugins_target_through_the_cli(example_plugin, logged_model, tmp_path):
    model_uri, body, expected = logged_model
    target = f"file-plugin:{tmp_path / 'deployments'}"
    assert "file-plugin" in installed_targets()

    created = run("create", "-t", target, "--name", "iris", "-m", model_uri, "-C", "owner=me")
    assert created.exit_code == 0, created.output
    assert json.loads(created.output) == {"name": "iris", "model_uri": model_uri, "flavor": None,
                                          "config": {"owner": "me"}}
    assert (tmp_path / "deployments" / "iris.json").is_file()
    assert [d["name"] for d in json.loads(run("list", "-t", target).output)] == ["iris"]
    assert json.loads(run("get", "-t", target, "--name", "iris").output)["model_uri"] == model_uri

    (tmp_path / "in.json").write_text(json.dumps(body))
    predicted = run("predict", "-t", target, "--name", "iris", "-I", str(tmp_path / "in.json"))
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.output.strip().splitlines()[-1]) == {"predictions": expected}

    updated = run("update", "-t", target, "--name", "iris", "-C", "owner=you")
    assert json.loads(updated.output)["config"] == {"owner": "you"}
    assert "<folder>/<name>.json" in run("help", "-t", target).output
    ran = run("run-local", "-t", target, "--name", "iris", "-m", model_uri)
    assert ran.exit_code == 0 and "loads" in ran.output
    assert run("delete", "-t", target, "--name", "iris").exit_code == 0
    assert json.loads(run("list", "-t", target).output) == []


def test_the_example_plugins_client_is_the_one_get_deploy_client_returns(example_plugin, tmp_path):
    client = get_deploy_client(f"file-plugin:{tmp_path}")
    assert isinstance(client, BaseDeploymentClient) and type(client).__name__ == "FileDeploymentClient"
    assert client.target_uri == f"file-plugin:{tmp_path}"


def test_a_plugin_target_is_found_by_its_entry_point_name(plugin_site):
    plugin_site.install("echo-target", "echo_target", COMPLETE_TARGET, DEPLOYMENTS_GROUP,
                        ["echo = echo_target"])
    assert installed_targets() == ["echo", "local"]
    listed = run("list", "-t", "echo:/somewhere")
    assert listed.exit_code == 0
    assert json.loads(listed.output) == [{"name": "echoed", "target_uri": "echo:/somewhere"}]
    assert run("help", "-t", "echo").output.strip() == "echoes"
    unknown = run("list", "-t", "nope")
    assert "Installed: echo, local" in unknown.output


def test_an_incomplete_target_module_names_what_it_lacks(plugin_site):
    plugin_site.install("half-target", "half_target", INCOMPLETE_TARGET, DEPLOYMENTS_GROUP, ["half = half_target"])
    with pytest.raises(TracekitException) as raised:
        get_deploy_client("half")
    message = raised.value.message
    assert "does not implement the contract" in message and "no run_local() function" in message
    assert "HalfClient leaves delete_deployment, get_deployment, list_deployments, predict, update_deployment " \
           "unimplemented" in message


def test_a_target_that_fails_to_import_is_reported_once_and_local_still_works(plugin_site, caplog):
    plugin_site.install("broken-target", "broken_target", "raise RuntimeError('no cloud credentials')",
                        DEPLOYMENTS_GROUP, ["broken = broken_target"])
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins.loading"):
        for _ in range(2):
            with pytest.raises(TracekitException, match="broken-target.*RuntimeError: no cloud credentials"):
                get_deploy_client("broken")
    assert len([r for r in caplog.records if "broken_target" in r.getMessage()]) == 1
    assert get_deploy_client("local").list_deployments() == []


def test_two_plugins_claiming_one_target_is_an_error_naming_both(plugin_site):
    plugin_site.install("echo-one", "echo_one", COMPLETE_TARGET, DEPLOYMENTS_GROUP, ["echo = echo_one"])
    plugin_site.install("echo-two", "echo_two", COMPLETE_TARGET, DEPLOYMENTS_GROUP, ["echo = echo_two"])
    with pytest.raises(TracekitException, match="echo_one.*echo-one.*echo_two.*echo-two|echo_two.*echo_one"):
        get_deploy_client("echo")


def test_a_plugin_named_local_replaces_the_built_in_target_as_in_every_group(plugin_site):
    plugin_site.install("fake-local", "fake_local", COMPLETE_TARGET, DEPLOYMENTS_GROUP, ["local = fake_local"])
    client = get_deploy_client("local")
    assert type(client).__module__ == "fake_local"
    assert installed_targets().count("local") == 1


def test_the_base_class_is_importable_from_tracekit_plugins():
    from tracekit import plugins

    assert plugins.BaseDeploymentClient is BaseDeploymentClient is tracekit.deployments.BaseDeploymentClient
