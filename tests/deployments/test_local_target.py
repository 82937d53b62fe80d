"""The built-in `local` deployment target through `tracekit.deployments.get_deploy_client("local")`: real
`tracekit models serve` processes on 127.0.0.1, their record, their traces, and what happens when a recorded
process is gone or its pid belongs to someone else."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest

import tracekit
from tracekit.deployments import get_deploy_client
from tracekit.deployments.local_processes import is_running
from tracekit.exceptions import ResourceNotFoundError, TracekitException


@pytest.fixture
def client():
    return get_deploy_client("local")


def test_create_serves_the_model_and_get_and_list_describe_it(client, iris_model, body):
    model_uri, _, expected = iris_model
    created = client.create_deployment("iris", model_uri)
    assert created["status"] == "running" and created["model_uri"] == model_uri
    assert created["url"].startswith("http://127.0.0.1:") and is_running(created["pid"], None)
    assert httpx.get(f"{created['url']}/ping").status_code == 200
    assert client.get_deployment("iris") == created
    assert [deployment["name"] for deployment in client.list_deployments()] == ["iris"]
    assert client.predict("iris", body) == {"predictions": expected}


def test_predict_takes_a_dataframe(client, iris_model, rows):
    model_uri, _, expected = iris_model
    client.create_deployment("iris", model_uri)
    assert client.predict(deployment_name="iris", inputs=rows) == {"predictions": expected}


def test_each_request_is_a_trace_linked_to_the_model_and_tagged_with_the_deployment(client, iris_model, body):
    model_uri, model_id, _ = iris_model
    client.create_deployment("iris", model_uri)
    client.predict("iris", body)

    def stored():
        return tracekit.search_traces(model_id=model_id, return_type="list")

    from waiting import wait_until

    assert wait_until(lambda: len(stored()) == 1, timeout=30)
    trace = stored()[0]
    assert trace.info.tags["tracekit.deploymentName"] == "iris"
    assert trace.info.tags["tracekit.servedModelUri"] == model_uri


def test_a_bad_request_is_an_error_with_the_servers_message(client, iris_model, rows):
    model_uri, _, _ = iris_model
    client.create_deployment("iris", model_uri)
    with pytest.raises(TracekitException, match=r"answered 400: .*petal width \(cm\)"):
        client.predict("iris", rows.drop(columns=["petal width (cm)"]))


def test_a_second_deployment_with_the_same_name_is_refused(client, iris_model, constant_model):
    model_uri, _, _ = iris_model
    first = client.create_deployment("iris", model_uri)
    with pytest.raises(TracekitException, match="named 'iris' already exists"):
        client.create_deployment("iris", constant_model)
    assert client.get_deployment("iris")["pid"] == first["pid"]


def test_update_restarts_the_server_on_its_port_with_the_new_model(client, iris_model, constant_model, body):
    model_uri, _, expected = iris_model
    first = client.create_deployment("iris", model_uri)
    updated = client.update_deployment("iris", model_uri=constant_model)
    assert updated["model_uri"] == constant_model and updated["url"] == first["url"]
    assert updated["pid"] != first["pid"] and not is_running(first["pid"], None)
    assert client.predict("iris", body) == {"predictions": [2, 2]} != {"predictions": expected}


def test_an_update_whose_server_cannot_start_leaves_the_deployment_failed(client, iris_model, tmp_path):
    model_uri, _, _ = iris_model
    client.create_deployment("iris", model_uri)
    with pytest.raises(TracekitException, match="marked failed"):
        client.update_deployment("iris", model_uri=str(tmp_path / "no-such-model"))
    assert client.get_deployment("iris")["status"] == "failed"
    client.delete_deployment("iris")
    assert client.list_deployments() == []


def test_delete_stops_the_server_and_forgets_the_deployment(client, iris_model):
    model_uri, _, _ = iris_model
    created = client.create_deployment("iris", model_uri)
    client.delete_deployment("iris")
    assert not is_running(created["pid"], None)
    assert client.list_deployments() == []
    with pytest.raises(ResourceNotFoundError, match="No local deployment named 'iris'"):
        client.get_deployment("iris")


def test_a_model_that_does_not_load_is_refused_with_the_servers_output_and_nothing_recorded(client, tmp_path):
    with pytest.raises(TracekitException, match="exited with code 1 before answering") as raised:
        client.create_deployment("broken", str(tmp_path / "no-such-model"))
    assert "no-such-model" in raised.value.message
    assert client.list_deployments() == []


def test_a_process_that_died_is_reported_stale(client, iris_model, body):
    model_uri, _, _ = iris_model
    created = client.create_deployment("iris", model_uri)
    os.killpg(created["pid"], signal.SIGKILL)
    from waiting import wait_until

    assert wait_until(lambda: client.get_deployment("iris")["status"] == "stale", timeout=10)
    with pytest.raises(TracekitException, match="is stale"):
        client.predict("iris", body)
    client.delete_deployment("iris")
    assert client.list_deployments() == []


def test_a_recorded_pid_now_held_by_another_process_is_stale_and_never_signalled(client, iris_model,
                                                                                deployments_root):
    model_uri, _, _ = iris_model
    client.create_deployment("iris", model_uri)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record_path = deployments_root / "deployments.json"
        records = json.loads(record_path.read_text())
        real_pid = records["iris"]["pid"]
        records["iris"]["pid"] = bystander.pid  # as if the server died and the system reused its pid
        record_path.write_text(json.dumps(records))
        assert client.get_deployment("iris")["status"] == "stale"
        client.delete_deployment("iris")
        assert bystander.poll() is None, "delete signalled a process that is not the deployment's"
    finally:
        bystander.kill()
        bystander.wait()
    os.killpg(real_pid, signal.SIGTERM)


@pytest.mark.parametrize(("config", "message"), [
    ({"replicas": "2"}, "Unknown config key"),
    ({"workers": "many"}, "workers='many' must be a whole number"),
    ({"env_manager": "conda"}, "'conda' is not supported"),
    ({"timeout": "-1"}, "timeout='-1'"),
])
def test_bad_config_is_refused_before_anything_starts(client, iris_model, config, message):
    model_uri, _, _ = iris_model
    with pytest.raises(TracekitException, match=message):
        client.create_deployment("iris", model_uri, config=config)
    assert client.list_deployments() == []


@pytest.mark.parametrize("name", ["../escape", "", "a/b", ".hidden", "x" * 101])
def test_a_name_that_could_not_name_a_file_is_refused(client, iris_model, name):
    model_uri, _, _ = iris_model
    with pytest.raises(TracekitException, match="Invalid deployment name"):
        client.create_deployment(name, model_uri)


def test_another_flavor_is_refused(client, iris_model):
    model_uri, _, _ = iris_model
    with pytest.raises(TracekitException, match="python_function flavor only"):
        client.create_deployment("iris", model_uri, flavor="sagemaker")
