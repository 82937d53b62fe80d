"""Clients logging and reading `tracekit-artifacts:` URIs through a real tracking server (uvicorn on 127.0.0.1):
round trips, the server named in the URI or taken from the tracking URI, credentials, and a large file streamed
through a server process whose memory does not grow with it."""

from __future__ import annotations

import os

import pytest
from server_helpers import PeakRss, ThreadedServer

import tracekit
from tracekit.artifacts import get_artifact_repository
from tracekit.artifacts.proxied_repository import ProxiedArtifactRepository
from tracekit.exceptions import TracekitException
from tracekit.server import ServerSettings, create_app


@pytest.fixture
def served_run(artifact_server):
    """The tracking URI set to the server; a `tracekit-artifacts:` repository for one run's artifacts."""
    tracekit.set_tracking_uri(artifact_server.url)
    return get_artifact_repository("tracekit-artifacts:/1/abc123/artifacts")


def test_the_scheme_is_served_by_the_proxied_repository(served_run):
    assert isinstance(served_run, ProxiedArtifactRepository)


def test_files_and_folders_round_trip_through_the_server(served_run, artifact_server, tmp_path):
    local = tmp_path / "local"
    (local / "nested").mkdir(parents=True)
    (local / "a.txt").write_text("alpha")
    (local / "nested" / "b.json").write_text('{"b": 2}')
    single = tmp_path / "model.bin"
    single.write_bytes(os.urandom(300_000))

    served_run.log_artifacts(str(local), "data")
    served_run.log_artifact(str(single))
    stored = artifact_server.destination / "1/abc123/artifacts"
    assert (stored / "data/nested/b.json").read_text() == '{"b": 2}'
    assert (stored / "model.bin").read_bytes() == single.read_bytes()

    assert [(i.path, i.is_dir, i.file_size) for i in served_run.list_artifacts()] == [
        ("data", True, None), ("model.bin", False, 300_000)]
    assert [i.path for i in served_run.list_artifacts("data")] == ["data/a.txt", "data/nested"]

    target = tmp_path / "back"
    target.mkdir()
    folder = served_run.download_artifacts("data", str(target))
    assert open(os.path.join(folder, "nested", "b.json")).read() == '{"b": 2}'
    assert open(served_run.download_artifacts("model.bin", str(target)), "rb").read() == single.read_bytes()
    assert not [name for name in os.listdir(target) if name.startswith(".tracekit")]

    served_run.delete_artifacts("data")
    assert [i.path for i in served_run.list_artifacts()] == ["model.bin"]


def test_a_uri_naming_the_server_works_whatever_the_tracking_uri(artifact_server, tmp_path):
    # The tracking URI is still the test's SQLite file.
    repository = get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{artifact_server.port}/shared")
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    repository.log_artifact(str(source), "docs")
    assert (artifact_server.destination / "shared/docs/notes.txt").read_text() == "hello"
    assert [i.path for i in repository.list_artifacts("docs")] == ["docs/notes.txt"]


def test_a_uri_without_a_server_needs_an_http_tracking_uri():
    with pytest.raises(TracekitException, match=r"set_tracking_uri\('http://host:port'\)"):
        get_artifact_repository("tracekit-artifacts:/1/run/artifacts")


def test_bad_paths_and_missing_files_fail_on_the_client_with_their_names(served_run, tmp_path):
    with pytest.raises(TracekitException, match=r"'\.\.' segments"):
        served_run.list_artifacts("../other-run")
    with pytest.raises(TracekitException, match="missing.txt"):
        served_run.log_artifact(str(tmp_path / "missing.txt"))
    with pytest.raises(TracekitException, match="No artifact file '1/abc123/artifacts/none.txt'"):
        served_run.download_artifacts("none.txt", str(tmp_path))
    with pytest.raises(TracekitException, match="name a path"):
        get_artifact_repository("tracekit-artifacts:/").delete_artifacts()


def test_the_client_sends_the_tracking_credentials(tmp_path, server_db, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SERVER_TOKENS", "tok-artifacts-0123")
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db, auth="bearer",
                                                      artifacts_destination=str(tmp_path / "served")))).start()
    try:
        source = tmp_path / "secret.txt"
        source.write_text("classified")
        tracekit.set_tracking_uri(server.url)
        with pytest.raises(TracekitException, match="HTTP 401"):
            get_artifact_repository("tracekit-artifacts:/x").log_artifact(str(source))
        monkeypatch.setenv("TRACEKIT_TRACKING_TOKEN", "tok-artifacts-0123")
        tracekit.set_tracking_uri(f"{server.url}/")  # another URI text: a new client reads the token
        get_artifact_repository("tracekit-artifacts:/x").log_artifact(str(source))
        assert (tmp_path / "served/x/secret.txt").read_text() == "classified"
    finally:
        server.stop()


def test_a_large_file_streams_through_a_server_process_without_its_memory_growing_by_the_file(
        server_process, tmp_path):
    size = 50 * 1024 * 1024
    destination = tmp_path / "served"
    server = server_process(None, "--artifacts-destination", str(destination)).start()
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        for _ in range(size // (1 << 20)):
            out.write(os.urandom(1 << 20))
    repository = get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{server.port}/large")

    with PeakRss(server.process.pid) as upload:
        repository.log_artifact(str(big))
    assert (destination / "large/big.bin").stat().st_size == size
    back = tmp_path / "back"
    back.mkdir()
    with PeakRss(server.process.pid) as download:
        downloaded = repository.download_artifacts("big.bin", str(back))
    assert os.path.getsize(downloaded) == size
    with open(downloaded, "rb") as got, open(big, "rb") as sent:
        assert got.read() == sent.read()
    # A bound well above normal (a few MB of chunks and buffers), far below the file's size.
    assert upload.peak - upload.start < size / 2, f"upload grew the server by {upload.peak - upload.start} bytes"
    assert download.peak - download.start < size / 2, f"download grew it by {download.peak - download.start} bytes"


def test_the_fluent_api_logs_and_reads_a_runs_artifacts_through_the_server(artifact_server, tmp_path):
    tracekit.set_tracking_uri(artifact_server.url)
    with tracekit.start_run() as run:
        tracekit.log_text("hello from the client", "notes/hello.txt")
        tracekit.log_dict({"lr": 0.01}, "config.yaml")
        tracekit.log_table({"x": [1, 2], "y": ["a", "b"]}, "table.json")
        artifact_uri = tracekit.get_artifact_uri()
    assert artifact_uri == f"tracekit-artifacts:/0/{run.info.run_id}/artifacts"
    stored = artifact_server.destination / "0" / run.info.run_id / "artifacts"
    assert (stored / "notes/hello.txt").read_text() == "hello from the client"
    assert tracekit.artifacts.load_text(f"runs:/{run.info.run_id}/notes/hello.txt") == "hello from the client"
    assert tracekit.artifacts.load_dict(f"{artifact_uri}/config.yaml") == {"lr": 0.01}
    assert [i.path for i in tracekit.artifacts.list_artifacts(run_id=run.info.run_id)] == [
        "config.yaml", "notes", "table.json"]
    table = tracekit.load_table("table.json", run_ids=[run.info.run_id])
    assert list(table["y"]) == ["a", "b"]
    folder = tracekit.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="notes",
                                                   dst_path=str(tmp_path))
    assert open(os.path.join(folder, "hello.txt")).read() == "hello from the client"


def test_deleting_a_trace_through_the_server_removes_its_large_values_from_the_destination(artifact_server,
                                                                                            monkeypatch):
    monkeypatch.setenv("TRACEKIT_MAX_INLINE_BYTES", "10000")
    tracekit.set_tracking_uri(artifact_server.url)

    @tracekit.trace
    def echo(prompt: str) -> str:
        return prompt

    echo("p" * 50_000)
    trace_id = tracekit.get_last_active_trace_id()
    trace = tracekit.get_trace(trace_id)
    assert trace.data.root_span.inputs == {"prompt": "p" * 50_000}
    folder = artifact_server.destination / "0" / "traces" / trace_id
    assert list(folder.rglob("*.json"))

    assert tracekit.delete_traces(trace.info.experiment_id, trace_ids=[trace_id]) == 1

    assert not folder.exists()
