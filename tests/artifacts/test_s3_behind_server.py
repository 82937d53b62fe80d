"""A tracking server whose artifacts destination is S3 (moto's S3 server on 127.0.0.1): clients log and read
`tracekit-artifacts:` URIs through the server, which streams them to and from the bucket."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import boto3
import pytest

from tracekit import ResourceNotFoundError, TracekitException
from tracekit.artifacts import get_artifact_repository
from tracekit.server import ServerSettings, create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from server_helpers import ThreadedServer  # noqa: E402

MIB = 1024 * 1024


@pytest.fixture
def s3_backed_server(s3_bucket, tmp_path):
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                                                      artifacts_destination=f"s3://{s3_bucket}/served"))).start()
    yield server
    server.stop()


def test_files_round_trip_through_the_server_into_the_bucket(s3_backed_server, s3_bucket, s3_endpoint, tmp_path):
    repository = get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{s3_backed_server.port}/1/run/artifacts")
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(6 * MIB + 3))
    notes = tmp_path / "notes.txt"
    notes.write_text("stored in S3")
    repository.log_artifact(str(weights), "model")
    repository.log_artifact(str(notes))

    head = boto3.client("s3", endpoint_url=s3_endpoint).head_object(
        Bucket=s3_bucket, Key="served/1/run/artifacts/model/weights.bin")
    assert head["ContentLength"] == 6 * MIB + 3
    assert [(i.path, i.is_dir) for i in repository.list_artifacts()] == [("model", True), ("notes.txt", False)]
    (tmp_path / "back").mkdir()
    back = repository.download_artifacts("model/weights.bin", str(tmp_path / "back"))
    assert hashlib.sha256(Path(back).read_bytes()).digest() == hashlib.sha256(weights.read_bytes()).digest()

    with pytest.raises(ResourceNotFoundError, match="missing.txt"):
        repository.download_artifacts("missing.txt", str(tmp_path))
    repository.delete_artifacts("model")
    assert [i.path for i in repository.list_artifacts()] == ["notes.txt"]


def test_hostile_paths_never_reach_the_bucket(s3_backed_server, s3_bucket, s3_endpoint):
    import httpx

    answer = httpx.put(f"{s3_backed_server.url}/api/v1/artifacts/files/%2e%2e/outside.txt", content=b"x")
    assert answer.status_code == 400
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=s3_bucket)
    assert listed.get("KeyCount", 0) == 0
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{s3_backed_server.port}/x").list_artifacts("../y")
