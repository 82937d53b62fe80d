"""`S3ArtifactRepository`: artifacts as objects under `s3://<bucket>/<prefix>`, through boto3 (the `s3` extra).

Credentials and region come from boto3's usual chain (AWS_* variables, ~/.aws, an IAM role);
TRACEKIT_S3_ENDPOINT_URL (or MLFLOW_S3_ENDPOINT_URL) points at an S3-compatible service. Large files go up in
parts (boto3's managed transfer; threshold and part size in TRACEKIT_S3_MULTIPART_*). An object only becomes
visible once its upload completes, so an interrupted upload never leaves half a file under its key; downloads go
through a temporary file and a rename. Every error from the service names the bucket, the key and its message.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tracekit import config
from tracekit.artifacts.artifact_paths import join_artifact_path, normalize_artifact_path
from tracekit.artifacts.local_files import atomic_file, existing_local_path, walk_files
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.exceptions import ResourceNotFoundError, TracekitException

logger = logging.getLogger(__name__)

T = TypeVar("T")

_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NoSuchBucket", "NotFound"}
_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def parse_s3_uri(artifact_uri: str) -> tuple[str, str]:
    """(bucket, key prefix without slashes at either end) of `s3://bucket/prefix`."""
    parts = urlsplit(artifact_uri)
    if parts.scheme.lower() != "s3" or not parts.netloc:
        raise TracekitException.invalid_parameter_value(
            f"Invalid S3 artifact URI {artifact_uri!r}: write it as s3://<bucket>/<prefix>.")
    if parts.query or parts.fragment:
        raise TracekitException.invalid_parameter_value(
            f"Invalid S3 artifact URI {artifact_uri!r}: it takes no '?' query or '#' fragment.")
    return parts.netloc, parts.path.strip("/")


def _s3_client() -> Any:
    """A boto3 S3 client for the current settings, shared (boto3 clients are thread-safe)."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as error:
        raise TracekitException.invalid_parameter_value(
            "s3:// artifact URIs need boto3: pip install 'tracekit[s3]'.") from error
    endpoint = config.S3_ENDPOINT_URL.get() or None
    verify = not config.S3_IGNORE_TLS.get()
    # Credentials are part of the key so that a process (a test) changing them gets a client that uses them.
    identity = tuple(os.environ.get(name) for name in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION",
        "AWS_REGION", "AWS_CA_BUNDLE"))
    key = (endpoint, verify, identity)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = boto3.client("s3", endpoint_url=endpoint, verify=verify,
                                  config=Config(retries={"mode": "standard"}))
            _clients[key] = client
    return client


class S3ArtifactRepository(ArtifactRepository):
    """Artifacts under `s3://<bucket>/<prefix>`.

    >>> repository = S3ArtifactRepository("s3://ml-artifacts/team/1/<run_id>/artifacts")
    >>> repository.log_artifact("model.pkl", artifact_path="model")
    """

    #: Keys asked for per listing request (S3 answers at most 1000).
    list_page_size = 1000

    def __init__(self, artifact_uri: str) -> None:
        super().__init__(artifact_uri)
        self.bucket, self.prefix = parse_s3_uri(artifact_uri)
        self._client = _s3_client()

    # --- keys and errors --------------------------------------------------------------------------------------------
    def _key(self, relative: str) -> str:
        return "/".join(part for part in (self.prefix, relative) if part)

    def _call(self, what: str, key: str, action: Callable[[], T]) -> T:
        """`action()`, with a failure of the service or the connection as a TracekitException naming bucket and key."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return action()
        except ClientError as error:
            details = error.response.get("Error", {})
            code = str(details.get("Code", ""))
            message = details.get("Message") or str(error)
            text = f"S3 {what} failed for bucket {self.bucket!r}, key {key!r}: {code} {message}".rstrip()
            if code in _NOT_FOUND_CODES:
                raise ResourceNotFoundError(f"{text}.") from error
            raise TracekitException(f"{text}. Check the bucket, the credentials (AWS_* variables) and "
                                    f"TRACEKIT_S3_ENDPOINT_URL.") from error
        except S3UploadFailedError as error:
            raise TracekitException(f"S3 {what} failed for bucket {self.bucket!r}, key {key!r}: {error}.") from error
        except BotoCoreError as error:
            raise TracekitException.temporarily_unavailable(
                f"S3 {what} failed for bucket {self.bucket!r}, key {key!r}: {error}. Check the network, the "
                f"credentials and TRACEKIT_S3_ENDPOINT_URL.") from error

    def _transfer_config(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(multipart_threshold=config.S3_MULTIPART_THRESHOLD_BYTES.get(),
                              multipart_chunksize=config.S3_MULTIPART_CHUNK_BYTES.get())

    @staticmethod
    def _extra_args() -> dict[str, Any] | None:
        raw = config.S3_UPLOAD_EXTRA_ARGS.get()
        if not raw:
            return None
        try:
            extra = json.loads(raw)
        except ValueError as error:
            raise TracekitException.invalid_parameter_value(
                f"{config.S3_UPLOAD_EXTRA_ARGS.name} is not JSON ({error}); give an object such as "
                f'{{"ServerSideEncryption": "AES256"}}.') from error
        if not isinstance(extra, dict):
            raise TracekitException.invalid_parameter_value(
                f"{config.S3_UPLOAD_EXTRA_ARGS.name} must be a JSON object, got {type(extra).__name__}.")
        return extra

    # --- writing ----------------------------------------------------------------------------------------------------
    def _upload(self, local_file: str, relative: str) -> None:
        key = self._key(relative)
        transfer, extra = self._transfer_config(), self._extra_args()
        self._call("upload", key, lambda: self._client.upload_file(local_file, self.bucket, key, ExtraArgs=extra,
                                                                   Config=transfer))

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        """Upload the file `local_file` into the folder `artifact_path` (the root when None), keeping its name."""
        source = existing_local_path(local_file, "file")
        self._upload(source, join_artifact_path(artifact_path, os.path.basename(source)))

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        """Upload every file under `local_dir` into the folder `artifact_path` (the root when None)."""
        source = existing_local_path(local_dir, "directory")
        folder = normalize_artifact_path(artifact_path, allow_root=True)
        for local_file, relative in list(walk_files(source)):
            self._upload(local_file, join_artifact_path(folder, relative))

    # --- reading ----------------------------------------------------------------------------------------------------
    def _pages(self, prefix: str, delimiter: bool) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix,
                                     "PaginationConfig": {"PageSize": self.list_page_size}}
        if delimiter:
            arguments["Delimiter"] = "/"
        pages = iter(paginator.paginate(**arguments))
        while True:
            page = self._call("listing", prefix, lambda: next(pages, None))
            if page is None:
                return
            yield page

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """The direct children of the folder `path` (the root when None), sorted, every page of the listing read."""
        relative = normalize_artifact_path(path, allow_root=True)
        folder_key = self._key(relative)
        prefix = f"{folder_key}/" if folder_key else ""
        found: list[FileInfo] = []
        for page in self._pages(prefix, delimiter=True):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][len(prefix):].rstrip("/")
                if self._listable(name, common["Prefix"]):
                    found.append(FileInfo(f"{relative}/{name}" if relative else name, True, None))
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if self._listable(name, item["Key"]):
                    found.append(FileInfo(f"{relative}/{name}" if relative else name, False, int(item["Size"])))
        return sorted(found, key=lambda info: info.path)

    def _listable(self, name: str, key: str) -> bool:
        """Whether the listed `name` is one clean path segment. An empty one (a folder marker object "folder/",
        or "a//b") is skipped quietly; one no artifact path could name ("..", a backslash) with a warning."""
        if not name or "/" in name:
            return False
        if name in (".", "..") or "\\" in name or "\x00" in name:
            logger.warning("Skipping the S3 object s3://%s/%s in the artifact listing: its name %r is not a valid "
                           "artifact path.", self.bucket, key, name)
            return False
        return True

    def _is_directory(self, artifact_path: str) -> bool:
        prefix = f"{self._key(artifact_path)}/"
        page = self._call("listing", prefix, lambda: self._client.list_objects_v2(
            Bucket=self.bucket, Prefix=prefix, MaxKeys=1))
        return bool(page.get("KeyCount") or page.get("Contents"))

    def _download_file(self, remote_file_path: str, local_path: str) -> None:
        key = self._key(remote_file_path)
        transfer = self._transfer_config()

        def download() -> None:
            with atomic_file(local_path) as out:
                self._client.download_fileobj(self.bucket, key, out, Config=transfer)

        self._call("download", key, download)

    # --- deleting ---------------------------------------------------------------------------------------------------
    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        """Delete the object or every object under the folder `artifact_path` (everything when None)."""
        relative = normalize_artifact_path(artifact_path, allow_root=True)
        key = self._key(relative)
        keys = [key] if relative else []
        prefix = f"{key}/" if key else ""
        for page in self._pages(prefix, delimiter=False):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        for start in range(0, len(keys), _DELETE_BATCH):
            answer = self._call("delete", key or "/", self._deleter(keys[start:start + _DELETE_BATCH]))
            for failure in answer.get("Errors", []):
                raise TracekitException(f"S3 delete failed for bucket {self.bucket!r}, key {failure.get('Key')!r}: "
                                        f"{failure.get('Code')} {failure.get('Message')}.")

    def _deleter(self, keys: list[str]) -> Callable[[], Any]:
        """A call deleting `keys` (at most 1000) in one request."""
        objects = [{"Key": name} for name in keys]
        return lambda: self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
