"""S3ArtifactRepository against an S3-compatible server on 127.0.0.1 (moto's standalone server, real HTTP)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import boto3
import pytest

import tracekit
from tracekit import ResourceNotFoundError, TracekitException
from tracekit.artifacts import FileInfo, get_artifact_repository
from tracekit.artifacts.s3_repository import S3ArtifactRepository

MIB = 1024 * 1024


def _client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint)


def test_files_round_trip_through_s3(s3_bucket, files, tmp_path):
    repository = get_artifact_repository(f"s3://{s3_bucket}/team/1/run/artifacts")
    assert isinstance(repository, S3ArtifactRepository)
    repository.log_artifact(str(files / "a.txt"))
    repository.log_artifacts(str(files / "sub"), artifact_path="tree")
    assert repository.list_artifacts() == [FileInfo("a.txt", False, 5), FileInfo("tree", True, None)]
    assert repository.list_artifacts("tree") == [FileInfo("tree/b.bin", False, 3), FileInfo("tree/deeper", True)]
    assert repository.list_artifacts("nothing") == []
    local = Path(repository.download_artifacts("tree", dst_path=str(tmp_path / "out")))
    assert (local / "b.bin").read_bytes() == b"\x00\x01\x02"
    assert (local / "deeper" / "c.txt").read_text() == "gamma"
    assert Path(repository.download_artifacts("a.txt")).read_text() == "alpha"


def test_objects_are_stored_under_the_uri_prefix(s3_bucket, s3_endpoint, files):
    get_artifact_repository(f"s3://{s3_bucket}/prefix/").log_artifacts(str(files))
    keys = sorted(item["Key"] for item in _client(s3_endpoint).list_objects_v2(Bucket=s3_bucket)["Contents"])
    assert keys == ["prefix/a.txt", "prefix/sub/b.bin", "prefix/sub/deeper/c.txt"]
    bucket_root = get_artifact_repository(f"s3://{s3_bucket}")
    assert [info.path for info in bucket_root.list_artifacts()] == ["prefix"]


def test_large_files_go_up_in_parts(s3_bucket, s3_endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_S3_MULTIPART_THRESHOLD_BYTES", str(5 * MIB))
    monkeypatch.setenv("TRACEKIT_S3_MULTIPART_CHUNK_BYTES", str(5 * MIB))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 * MIB))
    repository = get_artifact_repository(f"s3://{s3_bucket}/models")
    repository.log_artifact(str(big), artifact_path="weights")
    head = _client(s3_endpoint).head_object(Bucket=s3_bucket, Key="models/weights/big.bin")
    assert head["ContentLength"] == 11 * MIB
    assert head["ETag"].strip('"').endswith("-3")  # an object assembled from three uploaded parts
    back = repository.download_artifacts("weights/big.bin", dst_path=str(tmp_path / "back"))
    assert hashlib.sha256(Path(back).read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_small_files_go_up_in_one_request(s3_bucket, s3_endpoint, files):
    get_artifact_repository(f"s3://{s3_bucket}").log_artifact(str(files / "a.txt"))
    assert "-" not in _client(s3_endpoint).head_object(Bucket=s3_bucket, Key="a.txt")["ETag"]


def test_listing_and_deleting_read_every_page(s3_bucket, tmp_path):
    source = tmp_path / "many"
    for index in range(7):
        (source / f"folder{index % 3}").mkdir(parents=True, exist_ok=True)
        (source / f"file{index}.txt").write_text(str(index))
        (source / f"folder{index % 3}" / f"inner{index}.txt").write_text(str(index))
    repository = S3ArtifactRepository(f"s3://{s3_bucket}/p")
    repository.list_page_size = 2
    repository.log_artifacts(str(source))
    listed = repository.list_artifacts()
    assert [info.path for info in listed] == [f"file{i}.txt" for i in range(7)] + [f"folder{i}" for i in range(3)]
    assert len(repository.list_artifacts("folder0")) == 3
    repository.delete_artifacts("folder0")
    assert [info.path for info in repository.list_artifacts() if info.is_dir] == ["folder1", "folder2"]
    repository.delete_artifacts("file0.txt")
    assert "file0.txt" not in [info.path for info in repository.list_artifacts()]
    repository.delete_artifacts()
    assert repository.list_artifacts() == []


def test_deleting_a_folder_leaves_siblings_sharing_its_name_prefix(s3_bucket, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "ab.txt").write_text("keep")
    repository = S3ArtifactRepository(f"s3://{s3_bucket}")
    repository.log_artifacts(str(tmp_path))
    repository.delete_artifacts("a")
    assert [info.path for info in repository.list_artifacts()] == ["ab.txt"]


def test_service_errors_name_bucket_key_and_message(s3_endpoint, files, tmp_path):
    repository = S3ArtifactRepository("s3://no-such-bucket-here/prefix")
    with pytest.raises(TracekitException, match=r"bucket 'no-such-bucket-here', key 'prefix/a.txt'.*NoSuchBucket"):
        repository.log_artifact(str(files / "a.txt"))
    with pytest.raises(ResourceNotFoundError, match="'no-such-bucket-here'.*The specified bucket does not exist"):
        repository.list_artifacts()


def test_a_missing_object_is_not_found_and_leaves_no_partial_file(s3_bucket, tmp_path):
    repository = S3ArtifactRepository(f"s3://{s3_bucket}/root")
    with pytest.raises(ResourceNotFoundError, match=f"bucket '{s3_bucket}', key 'root/missing.bin'"):
        repository._download_file("missing.bin", str(tmp_path / "missing.bin"))
    assert os.listdir(tmp_path) == []


def test_an_unreachable_endpoint_is_reported_as_unavailable(s3_endpoint, monkeypatch, files):
    monkeypatch.setenv("TRACEKIT_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    repository = S3ArtifactRepository("s3://bucket/x")
    with pytest.raises(TracekitException, match="bucket 'bucket'.*TRACEKIT_S3_ENDPOINT_URL") as raised:
        repository.list_artifacts()
    assert raised.value.error_code == "TEMPORARILY_UNAVAILABLE"


@pytest.mark.parametrize("hostile", ["../other-run", "/absolute", "a/../../b"])
def test_hostile_paths_are_refused_before_any_request(s3_bucket, files, hostile):
    repository = S3ArtifactRepository(f"s3://{s3_bucket}/runs/1")
    for call in (lambda: repository.log_artifact(str(files / "a.txt"), hostile),
                 lambda: repository.list_artifacts(hostile), lambda: repository.download_artifacts(hostile),
                 lambda: repository.delete_artifacts(hostile)):
        with pytest.raises(TracekitException, match="Invalid artifact path"):
            call()


@pytest.mark.parametrize("uri", ["s3://", "s3:///key", "s3://bucket/key?versionId=1"])
def test_malformed_s3_uris_say_how_to_write_them(uri):
    with pytest.raises(TracekitException, match="Invalid S3 artifact URI"):
        S3ArtifactRepository(uri)


def test_upload_extra_args_are_sent(s3_bucket, s3_endpoint, files, monkeypatch):
    monkeypatch.setenv("TRACEKIT_S3_UPLOAD_EXTRA_ARGS", '{"ServerSideEncryption": "AES256"}')
    S3ArtifactRepository(f"s3://{s3_bucket}").log_artifact(str(files / "a.txt"))
    assert _client(s3_endpoint).head_object(Bucket=s3_bucket, Key="a.txt")["ServerSideEncryption"] == "AES256"
    monkeypatch.setenv("TRACEKIT_S3_UPLOAD_EXTRA_ARGS", "[1]")
    with pytest.raises(TracekitException, match="must be a JSON object"):
        S3ArtifactRepository(f"s3://{s3_bucket}").log_artifact(str(files / "a.txt"))


def test_the_mlflow_endpoint_variable_is_honoured(s3_bucket, s3_endpoint, files, monkeypatch):
    monkeypatch.delenv("TRACEKIT_S3_ENDPOINT_URL")
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", s3_endpoint)
    S3ArtifactRepository(f"s3://{s3_bucket}/m").log_artifact(str(files / "a.txt"))
    assert [info.path for info in S3ArtifactRepository(f"s3://{s3_bucket}/m").list_artifacts()] == ["a.txt"]


def test_runs_of_an_experiment_on_s3_log_and_read_through_the_fluent_api(s3_bucket):
    experiment_id = tracekit.create_experiment("on-s3", artifact_location=f"s3://{s3_bucket}/exp")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        tracekit.log_dict({"lr": 0.01}, "config/params.yaml")
        tracekit.log_table({"q": ["a", "b"], "score": [1, 2]}, "eval.json")
    assert run.info.artifact_uri == f"s3://{s3_bucket}/exp/{run.info.run_id}/artifacts"
    assert tracekit.artifacts.load_dict(f"runs:/{run.info.run_id}/config/params.yaml") == {"lr": 0.01}
    assert tracekit.load_table("eval.json", run_ids=[run.info.run_id])["score"].tolist() == [1, 2]
    assert [info.path for info in tracekit.artifacts.list_artifacts(run_id=run.info.run_id)] == [
        "config", "eval.json"]


def test_planted_keys_that_no_artifact_path_could_name_are_never_downloaded(s3_bucket, s3_endpoint, tmp_path):
    client = _client(s3_endpoint)
    for key in ("run/../evil.txt", "run/..", "run/a\\b.txt", "run/ok.txt", "run/dir//double.txt"):
        client.put_object(Bucket=s3_bucket, Key=key, Body=b"x")
    repository = S3ArtifactRepository(f"s3://{s3_bucket}/run")
    assert [info.path for info in repository.list_artifacts()] == ["dir", "ok.txt"]
    destination = tmp_path / "deep" / "dst"
    repository.download_artifacts(dst_path=str(destination))
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "deep/dst/ok.txt"]
    with pytest.raises(TracekitException, match="Invalid artifact path"):
        repository.download_artifacts("../evil.txt", dst_path=str(destination))
