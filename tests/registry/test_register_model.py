"""`tracekit.register_model` and the registry URI: what each kind of source records, what a missing source gets,
and where versions are stored."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException


def test_registering_a_logged_model_records_it_and_its_run(registry_uri, logged_model):
    version = tracekit.register_model(logged_model.model_uri, "classifier", tags={"stage": "candidate"})
    assert (version.name, version.version, version.source) == ("classifier", 1, logged_model.model_uri)
    assert (version.model_id, version.run_id) == (logged_model.model_id, logged_model.source_run_id)
    assert version.run_id is not None and version.tags == {"stage": "candidate"}
    assert tracekit.TracekitClient().get_registered_model("classifier").latest_versions == [version]


def test_registering_again_under_the_name_adds_a_version(registry_uri, logged_model):
    tracekit.register_model(logged_model.model_uri, "classifier")
    assert tracekit.register_model(logged_model.model_uri, "classifier").version == 2


def test_registering_a_run_uri_records_the_run_and_the_model_logged_under_that_name(logged_model):
    uri = f"runs:/{logged_model.source_run_id}/classifier"
    version = tracekit.register_model(uri, "from-run")
    assert (version.source, version.run_id, version.model_id) == (uri, logged_model.source_run_id,
                                                                  logged_model.model_id)
    other = tracekit.register_model(f"runs:/{logged_model.source_run_id}/other/path", "from-run")
    assert (other.run_id, other.model_id) == (logged_model.source_run_id, None)


def test_registering_a_registry_uri_registers_that_versions_source(logged_model):
    tracekit.register_model(logged_model.model_uri, "classifier")
    tracekit.TracekitClient().set_registered_model_alias("classifier", "champion", 1)
    copy = tracekit.register_model("models:/classifier@champion", "promoted")
    assert (copy.name, copy.version, copy.source, copy.model_id) == ("promoted", 1, logged_model.model_uri,
                                                                     logged_model.model_id)


def test_registering_a_model_directory(tmp_path):
    (tmp_path / "model").mkdir()
    version = tracekit.register_model(str(tmp_path / "model"), "local")
    assert (version.source, version.run_id, version.model_id) == (str(tmp_path / "model"), None, None)


@pytest.mark.parametrize(("uri", "message"), [
    ("models:/m-" + "0" * 32, "logged model 'm-0000.*' does not exist"),
    ("runs:/" + "f" * 32 + "/model", "run 'f{32}' does not exist"),
    ("runs:/abc", r"expected runs:/<run_id>/<artifact path>"),
    ("models:/classifier", "a model's name alone does not say which version"),
    ("models:/nobody/1", "Registered model 'nobody' does not exist"),
    ("s3://bucket/model", "expected models:/<model_id>, runs:/<run_id>/<artifact path>"),
    ("/no/such/dir", "no file or directory at '/no/such/dir'"),
])
def test_a_source_that_resolves_to_nothing_is_refused_with_what_was_missing(uri, message):
    with pytest.raises(TracekitException, match=message):
        tracekit.register_model(uri, "classifier")
    with pytest.raises(ResourceNotFoundError):
        tracekit.TracekitClient().get_registered_model("classifier")


def test_a_bad_name_is_refused_before_anything_is_looked_up():
    with pytest.raises(TracekitException, match="contains '/'"):
        tracekit.register_model("models:/m-" + "0" * 32, "team/model")


def test_the_registry_uri_defaults_to_the_tracking_uri(tmp_path):
    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'tracking.db'}")
    assert tracekit.get_registry_uri() == tracekit.get_tracking_uri()


def test_versions_go_to_the_registry_uri_when_it_is_set(tmp_path, logged_model):
    registry = f"sqlite:///{tmp_path / 'registry.db'}"
    tracekit.set_registry_uri(registry)
    assert tracekit.get_registry_uri() == registry
    tracekit.register_model(logged_model.model_uri, "classifier")
    assert tracekit.TracekitClient(registry_uri=registry).get_model_version("classifier", 1).model_id == \
        logged_model.model_id
    tracekit.set_registry_uri(None)
    with pytest.raises(ResourceNotFoundError):
        tracekit.TracekitClient().get_registered_model("classifier")


@pytest.mark.parametrize("variable", ["TRACEKIT_REGISTRY_URI", "MLFLOW_REGISTRY_URI"])
def test_the_registry_uri_comes_from_the_environment(monkeypatch, tmp_path, variable):
    monkeypatch.setenv(variable, f"sqlite:///{tmp_path / 'env.db'}")
    assert tracekit.get_registry_uri() == f"sqlite:///{tmp_path / 'env.db'}"
    assert tracekit.TracekitClient(tracking_uri="sqlite:///other.db").registry_uri == tracekit.get_registry_uri()


def test_a_client_of_another_tracking_uri_uses_its_registry(tmp_path):
    uri = f"sqlite:///{tmp_path / 'client.db'}"
    assert tracekit.TracekitClient(tracking_uri=uri).registry_uri == uri


@pytest.mark.parametrize("uri", ["nosuch://x", "/just/a/path"])
def test_a_registry_uri_nothing_can_serve_is_refused_where_it_is_set(uri):
    with pytest.raises(TracekitException, match="nosuch|sqlite:///"):
        tracekit.set_registry_uri(uri)
    assert tracekit.get_registry_uri() == tracekit.get_tracking_uri()
