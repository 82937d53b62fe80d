"""The artifact routes of the tracking server (/api/v1/artifacts): upload, download, list and delete files of the
artifacts destination; every hostile path refused with 400; uploads under their own size limit; auth as for the rest
of the API; --no-serve-artifacts and --artifacts-only."""

from __future__ import annotations

import base64
import http.client
import os
import socket
import tempfile

import pytest
from server_helpers import ThreadedServer
from waiting import wait_until

from tracekit.artifacts import ArtifactRepository, register_artifact_repository
from tracekit.artifacts.local_repository import LocalArtifactRepository
from tracekit.server import ServerSettings, create_app

FILES = "/api/v1/artifacts/files"
LIST = "/api/v1/artifacts/list"


@pytest.fixture
def destination(tmp_path):
    return tmp_path / "served"


@pytest.fixture
def artifacts_api(make_client, destination):
    return make_client(artifacts_destination=str(destination))


@pytest.fixture
def outside(tmp_path):
    """A folder beside the destination holding a secret, and a symlink to it inside the destination."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("not yours")
    return folder


def test_a_file_is_uploaded_listed_downloaded_and_deleted(artifacts_api, destination):
    answer = artifacts_api.put(f"{FILES}/1/run/artifacts/plots/roc.txt", content=b"area 0.93")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "1/run/artifacts/plots/roc.txt", "file_size": 9}
    assert (destination / "1/run/artifacts/plots/roc.txt").read_bytes() == b"area 0.93"

    listed = artifacts_api.get(LIST, params={"path": "1/run/artifacts"}).json()
    assert listed == {"files": [{"path": "1/run/artifacts/plots", "is_dir": True, "file_size": None}]}
    assert artifacts_api.get(LIST, params={"path": "1/run/artifacts/plots"}).json()["files"] == [
        {"path": "1/run/artifacts/plots/roc.txt", "is_dir": False, "file_size": 9}]

    download = artifacts_api.get(f"{FILES}/1/run/artifacts/plots/roc.txt")
    assert download.status_code == 200
    assert download.content == b"area 0.93"
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]

    assert artifacts_api.delete(f"{FILES}/1/run/artifacts/plots").status_code == 204
    assert not (destination / "1/run/artifacts/plots").exists()
    assert artifacts_api.get(LIST, params={"path": "1/run/artifacts"}).json() == {"files": []}


def test_an_upload_replaces_the_file_and_names_with_spaces_and_unicode_work(artifacts_api, destination):
    artifacts_api.put(f"{FILES}/a/b%20c/r%C3%A9sum%C3%A9.txt", content=b"old")
    artifacts_api.put(f"{FILES}/a/b%20c/r%C3%A9sum%C3%A9.txt", content=b"new")
    assert (destination / "a/b c/résumé.txt").read_bytes() == b"new"
    assert artifacts_api.get(f"{FILES}/a/b%20c/r%C3%A9sum%C3%A9.txt").content == b"new"


def test_a_missing_file_is_404_and_a_folder_download_is_400(artifacts_api):
    missing = artifacts_api.get(f"{FILES}/nothing/here.txt")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST" and "nothing/here.txt" in missing.json()["message"]
    artifacts_api.put(f"{FILES}/folder/file.txt", content=b"x")
    folder = artifacts_api.get(f"{FILES}/folder")
    assert folder.status_code == 400 and "is a folder" in folder.json()["message"]


HOSTILE_FILE_PATHS = [
    "%2e%2e/escaped.txt",                 # ..
    "a/%2e%2e/%2e%2e/escaped.txt",        # a/../../
    "..%2f..%2fescaped.txt",              # ../../ with encoded slashes
    "%2F%2E%2E%2Fescaped.txt",            # /../ upper-case escapes
    "%2ftmp%2fescaped.txt",               # /tmp/escaped.txt: absolute
    "a%5c..%5cescaped.txt",               # backslashes
    "a/escaped%00.txt",                   # NUL byte
    "C:%5cescaped.txt",                   # a drive letter
    "",                                   # the root itself
]


@pytest.mark.parametrize("path", HOSTILE_FILE_PATHS)
def test_hostile_paths_are_refused_with_400_by_every_file_route(artifacts_api, tmp_path, path):
    for method in ("PUT", "GET", "DELETE"):
        answer = artifacts_api.request(method, f"{FILES}/{path}", content=b"payload" if method == "PUT" else None)
        assert answer.status_code == 400, (method, path, answer.text)
        assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert "Invalid artifact path" in answer.json()["message"]
    assert not list(tmp_path.rglob("escaped*"))


@pytest.mark.parametrize("path", ["..", "../outside", "a/../../outside", "/etc", "a\\..\\b", "C:/x"])
def test_hostile_list_paths_are_refused_with_400(artifacts_api, path):
    answer = artifacts_api.get(LIST, params={"path": path})
    assert answer.status_code == 400, answer.text
    assert "Invalid artifact path" in answer.json()["message"]


def test_a_literal_dot_dot_in_the_request_line_is_refused(tmp_path, destination, outside):
    """What a hand-written client sends as it is (httpx would remove the `..` before sending)."""
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 's.db'}",
                                                      artifacts_destination=str(destination)))).start()
    try:
        for method in ("GET", "PUT", "DELETE"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request(method, f"{FILES}/../outside/secret.txt", body=b"x" if method == "PUT" else None)
            answer = connection.getresponse()
            assert answer.status == 400, (method, answer.read())
            connection.close()
    finally:
        server.stop()
    assert (outside / "secret.txt").read_text() == "not yours"


def test_symlinks_out_of_the_destination_are_refused(artifacts_api, destination, outside):
    destination.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, destination / "link")
    os.symlink(outside / "secret.txt", destination / "secret-link.txt")
    for path in ("link/secret.txt", "secret-link.txt"):
        read = artifacts_api.get(f"{FILES}/{path}")
        assert read.status_code == 400 and "symlink" in read.json()["message"], read.text
        assert "not yours" not in read.text
    write = artifacts_api.put(f"{FILES}/link/planted.txt", content=b"planted")
    assert write.status_code == 400
    assert not (outside / "planted.txt").exists()
    assert artifacts_api.get(LIST, params={"path": "link"}).status_code == 400
    assert artifacts_api.delete(f"{FILES}/link/secret.txt").status_code == 400
    assert (outside / "secret.txt").read_text() == "not yours"
    # The listing of the root leaves the links out rather than describing what lies outside.
    assert artifacts_api.get(LIST).json() == {"files": []}


def test_uploads_have_their_own_limit_above_the_json_body_limit(make_client, destination):
    api = make_client(artifacts_destination=str(destination), max_body_bytes=1024, max_artifact_bytes=100_000)
    assert api.put(f"{FILES}/big.bin", content=os.urandom(50_000)).status_code == 200
    assert (destination / "big.bin").stat().st_size == 50_000
    declared = api.put(f"{FILES}/too-big.bin", content=os.urandom(100_001))
    assert declared.status_code == 413 and "--max-artifact-bytes" in declared.json()["message"]

    def chunks():  # no Content-Length: the server counts as the body arrives
        for _ in range(30):
            yield os.urandom(10_000)

    streamed = api.put(f"{FILES}/too-big-chunked.bin", content=chunks())
    assert streamed.status_code == 413 and "--max-artifact-bytes" in streamed.json()["message"]
    assert not (destination / "too-big-chunked.bin").exists()
    assert not [name for name in os.listdir(destination) if name.startswith(".tracekit")]


def test_an_interrupted_upload_leaves_no_file(tmp_path, destination):
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 's.db'}",
                                                      artifacts_destination=str(destination)))).start()

    def partial_files() -> list:
        return list(destination.rglob(".tracekit-partial-*")) if destination.exists() else []

    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(f"PUT {FILES}/run/half.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n"
                        .encode() + b"x" * 200_000)
            assert wait_until(partial_files, timeout=10, interval=0.01), "the upload never began"
            assert not (destination / "run/half.bin").exists()
        # The client went away half way: the server drops the partial file and stores nothing.
        assert wait_until(lambda: not partial_files(), timeout=10, interval=0.01)
        assert not (destination / "run/half.bin").exists()
    finally:
        server.stop()


def test_artifact_routes_require_credentials_when_the_server_has_auth(make_client, destination, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SERVER_USERS", "alice:pw-1234")
    api = make_client(auth="basic", artifacts_destination=str(destination))
    good = {"Authorization": "Basic " + base64.b64encode(b"alice:pw-1234").decode()}
    for method, path in (("PUT", f"{FILES}/a.txt"), ("GET", f"{FILES}/a.txt"), ("DELETE", f"{FILES}/a.txt"),
                         ("GET", LIST)):
        refused = api.request(method, path, content=b"data" if method == "PUT" else None)
        assert refused.status_code == 401, (method, path)
    assert not (destination / "a.txt").exists()
    assert api.put(f"{FILES}/a.txt", content=b"data", headers=good).status_code == 200
    assert api.get(f"{FILES}/a.txt", headers=good).content == b"data"


def test_no_serve_artifacts_answers_a_clear_error(make_client, destination):
    api = make_client(serve_artifacts=False, artifacts_destination=str(destination))
    for method, path in (("PUT", f"{FILES}/a.txt"), ("GET", f"{FILES}/a.txt"), ("GET", LIST)):
        answer = api.request(method, path, content=b"data" if method == "PUT" else None)
        assert answer.status_code == 501
        assert answer.json()["error_code"] == "NOT_IMPLEMENTED"
        assert "--no-serve-artifacts" in answer.json()["message"]
    assert not destination.exists()
    experiment_id = api.post("/api/v1/experiments", json={"name": "direct"}).json()["experiment_id"]
    location = api.get(f"/api/v1/experiments/{experiment_id}").json()["artifact_location"]
    assert not str(location).startswith("tracekit-artifacts:")


def test_experiments_created_through_a_serving_server_get_proxied_locations(artifacts_api):
    experiment_id = artifacts_api.post("/api/v1/experiments", json={"name": "proxied"}).json()["experiment_id"]
    experiment = artifacts_api.get(f"/api/v1/experiments/{experiment_id}").json()
    assert experiment["artifact_location"] == f"tracekit-artifacts:/{experiment_id}"
    run = artifacts_api.post("/api/v1/runs", json={"experiment_id": experiment_id, "start_time": 1}).json()
    assert run["info"]["artifact_uri"] == f"tracekit-artifacts:/{experiment_id}/{run['info']['run_id']}/artifacts"
    default = artifacts_api.get("/api/v1/experiments/0").json()
    assert default["artifact_location"] == "tracekit-artifacts:/0"


def test_artifacts_only_serves_artifacts_without_a_backend_store(make_client, tmp_path, destination):
    never_opened = tmp_path / "no-such-folder" / "tracking.db"
    api = make_client(artifacts_only=True, backend_store_uri=f"sqlite:///{never_opened}",
                      artifacts_destination=str(destination))
    assert api.get("/health").json() == {"status": "OK"}
    assert api.put(f"{FILES}/only.txt", content=b"artifact").status_code == 200
    assert api.get(f"{FILES}/only.txt").content == b"artifact"
    for method, path in (("POST", "/api/v1/experiments/search"), ("GET", "/api/v1/runs/abc"),
                         ("POST", "/v1/traces"), ("GET", "/")):
        answer = api.request(method, path)
        assert answer.status_code == 501, (method, path)
        assert "--artifacts-only" in answer.json()["message"]
    assert not never_opened.parent.exists()


def test_artifacts_only_and_no_serve_artifacts_exclude_each_other():
    from tracekit.exceptions import TracekitException

    with pytest.raises(TracekitException, match="exclude each other"):
        ServerSettings(artifacts_only=True, serve_artifacts=False)


def test_a_relative_destination_is_made_absolute(tmp_path):
    settings = ServerSettings(artifacts_destination="my-artifacts")
    assert settings.artifacts_destination == str(tmp_path / "my-artifacts")  # tests run in tmp_path
    assert ServerSettings(artifacts_destination="s3://bucket/prefix").artifacts_destination == "s3://bucket/prefix"
    assert ServerSettings().artifacts_destination == str(tmp_path / "tracekit-artifacts")


class FolderPlugin(ArtifactRepository):
    """A plugin store for the scheme `folder-plugin:` keeping files in a local folder through its own methods (not a
    LocalArtifactRepository), so the server takes the path it takes for S3 and other remote stores: uploads through
    a temporary file and `log_artifact`, downloads through `_download_file` to a temporary copy."""

    def __init__(self, artifact_uri: str) -> None:
        super().__init__(artifact_uri)
        self.files = LocalArtifactRepository(artifact_uri.partition(":")[2])

    def log_artifact(self, local_file, artifact_path=None):
        self.files.log_artifact(local_file, artifact_path)

    def log_artifacts(self, local_dir, artifact_path=None):
        self.files.log_artifacts(local_dir, artifact_path)

    def list_artifacts(self, path=None):
        return self.files.list_artifacts(path)

    def _download_file(self, remote_file_path, local_path):
        self.files._download_file(remote_file_path, local_path)

    def delete_artifacts(self, artifact_path=None):
        self.files.delete_artifacts(artifact_path)


@pytest.fixture
def plugin_api(make_client, destination):
    register_artifact_repository("folder-plugin", FolderPlugin)
    yield make_client(artifacts_destination=f"folder-plugin:{destination}")
    register_artifact_repository("folder-plugin", None)


def test_a_destination_served_by_a_plugin_store_round_trips(plugin_api, destination, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the server's temporary copies go here
    payload = os.urandom(3 * 1024 * 1024 + 5)
    assert plugin_api.put(f"{FILES}/exp/run/weights.bin", content=payload).status_code == 200
    assert (destination / "exp/run/weights.bin").read_bytes() == payload
    assert plugin_api.get(LIST, params={"path": "exp/run"}).json()["files"] == [
        {"path": "exp/run/weights.bin", "is_dir": False, "file_size": len(payload)}]
    assert plugin_api.get(f"{FILES}/exp/run/weights.bin").content == payload
    assert plugin_api.get(f"{FILES}/exp/run/missing.bin").status_code == 404
    assert plugin_api.get(f"{FILES}/exp/run").status_code == 400
    assert plugin_api.get(f"{FILES}/%2e%2e/x").status_code == 400
    assert not list(scratch.iterdir()), "temporary uploads and downloads are removed"


def test_an_upload_onto_a_folder_or_under_a_file_is_refused(artifacts_api):
    artifacts_api.put(f"{FILES}/taken/file.txt", content=b"x")
    onto_folder = artifacts_api.put(f"{FILES}/taken", content=b"y")
    assert onto_folder.status_code == 400 and "taken" in onto_folder.json()["message"]
    under_file = artifacts_api.put(f"{FILES}/taken/file.txt/inner.txt", content=b"z")
    assert under_file.status_code == 400
    assert artifacts_api.get(f"{FILES}/taken/file.txt").content == b"x"


def test_the_command_line_starts_an_artifacts_only_server_without_a_database(server_process, destination):
    import httpx

    unreachable = "postgresql://nobody@127.0.0.1:1/none"  # never connected to in --artifacts-only mode
    server = server_process(unreachable, "--artifacts-only", "--artifacts-destination", str(destination)).start()
    assert httpx.put(f"{server.url}{FILES}/cli/file.txt", content=b"via the CLI").status_code == 200
    assert (destination / "cli/file.txt").read_bytes() == b"via the CLI"
    refused = httpx.post(f"{server.url}/api/v1/experiments/search", json={})
    assert refused.status_code == 501 and "--artifacts-only" in refused.json()["message"]


def test_the_command_line_turns_artifact_serving_off(server_process, destination):
    import httpx

    server = server_process(None, "--no-serve-artifacts", "--artifacts-destination", str(destination)).start()
    answer = httpx.put(f"{server.url}{FILES}/x.txt", content=b"x")
    assert answer.status_code == 501 and "--no-serve-artifacts" in answer.json()["message"]
