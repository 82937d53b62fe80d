"""`ProxiedArtifactRepository`: artifacts behind a tracking server (`tracekit server --serve-artifacts`).

`tracekit-artifacts:/<path>` is served by the tracking server of the current tracking URI (which must then be
http(s)://...); `tracekit-artifacts://host:port/<path>` by the server at host:port (over https when the tracking URI
is https, else http). Requests go through that server's `TrackingServerClient` (the pooled HTTP client, credentials
and error answers every REST store of the URI shares). Files move in chunks both ways: an upload is sent from the
open file as it is read, a download is written to a temporary file beside the target and renamed when complete
(`atomic_file`).
"""

from __future__ import annotations

import logging
import os
from urllib.parse import quote, urlsplit

from tracekit.artifacts.artifact_paths import join_artifact_path, normalize_artifact_path
from tracekit.artifacts.local_files import atomic_file, existing_local_path, walk_files
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.artifacts.repository_registry import artifact_uri_scheme
from tracekit.exceptions import TracekitException
from tracekit.store.uri import HTTP_SCHEMES, get_scheme, redact_uri

logger = logging.getLogger(__name__)

SCHEME = "tracekit-artifacts"
ARTIFACTS_API = "/api/v1/artifacts"
_CHUNK_BYTES = 1 << 20


def server_uri_for(artifact_uri: str) -> str:
    """The tracking server serving `artifact_uri` (`http(s)://host:port[/prefix]`), or TracekitException saying
    what to set."""
    from tracekit.tracking_uri import get_tracking_uri

    parts = urlsplit(artifact_uri)
    tracking_uri = get_tracking_uri()
    tracking_scheme = get_scheme(tracking_uri)
    if parts.netloc:
        return f"{'https' if tracking_scheme == 'https' else 'http'}://{parts.netloc}"
    if tracking_scheme not in HTTP_SCHEMES:
        raise TracekitException.invalid_parameter_value(
            f"The artifact URI {artifact_uri!r} is served by a tracking server, but the tracking URI is "
            f"{redact_uri(tracking_uri)!r}, not an http(s):// server. Set the tracking URI to the server that wrote "
            f"it (tracekit.set_tracking_uri('http://host:port') or TRACEKIT_TRACKING_URI), or name the server in "
            f"the URI: {SCHEME}://host:port/<path>.")
    return tracking_uri


class ProxiedArtifactRepository(ArtifactRepository):
    """Files under a `tracekit-artifacts:` URI, read and written through the tracking server's artifact routes.

    >>> repository = ProxiedArtifactRepository("tracekit-artifacts:/1/0123abcd/artifacts")
    >>> repository.log_artifact("model.pkl", "model")
    >>> repository.list_artifacts("model")
    [FileInfo(path='model/model.pkl', is_dir=False, file_size=1234)]
    """

    def __init__(self, artifact_uri: str) -> None:
        super().__init__(artifact_uri)
        from tracekit.store.backend import get_backend
        from tracekit.store.rest.client import TrackingServerClient

        if artifact_uri_scheme(artifact_uri) != SCHEME:
            raise TracekitException.invalid_parameter_value(
                f"Not a {SCHEME}: URI: {artifact_uri!r}.")
        server_uri = server_uri_for(artifact_uri)
        shared = getattr(get_backend(server_uri).resource, "client", None)
        # The URI's own store (RestStore) shares its client; a plugin store for http(s) may have none to share.
        self._client = shared if isinstance(shared, TrackingServerClient) else TrackingServerClient(server_uri)
        self._root = normalize_artifact_path(urlsplit(artifact_uri).path.lstrip("/"), allow_root=True)

    def _remote(self, *parts: str | None) -> str:
        return join_artifact_path(self._root, *parts)

    @staticmethod
    def _file_route(remote: str) -> str:
        return f"{ARTIFACTS_API}/files/{quote(remote, safe='/')}"

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        """Upload the file `local_file` into `artifact_path` (streamed from the file, never read whole)."""
        source = existing_local_path(local_file, "file")
        remote = self._remote(artifact_path, os.path.basename(source))
        with open(source, "rb") as body:
            # Sent in 1 MB reads (httpx reads a file 64 KB at a time), with its length declared up front.
            headers = {"Content-Type": "application/octet-stream",
                       "Content-Length": str(os.fstat(body.fileno()).st_size)}
            chunks = iter(lambda: body.read(_CHUNK_BYTES), b"")
            self._client.send("PUT", self._file_route(remote), content=chunks, headers=headers).close()

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        """Upload every file under `local_dir` into `artifact_path`, keeping the folder structure."""
        source = existing_local_path(local_dir, "directory")
        for local_file, relative in walk_files(source):
            folder = relative.rpartition("/")[0]
            self.log_artifact(local_file, join_artifact_path(artifact_path, folder) or None)

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """The direct children of `path`, with paths relative to this repository's root."""
        remote = self._remote(path)
        answer = self._client.request("GET", f"{ARTIFACTS_API}/list", params={"path": remote})
        prefix = f"{self._root}/" if self._root else ""
        infos = []
        for entry in answer.get("files", []):
            entry_path = str(entry["path"])
            if not entry_path.startswith(prefix):
                continue
            infos.append(FileInfo(entry_path[len(prefix):], bool(entry["is_dir"]), entry.get("file_size")))
        return sorted(infos, key=lambda info: info.path)

    def _download_file(self, remote_file_path: str, local_path: str) -> None:
        response = self._client.send("GET", self._file_route(self._remote(remote_file_path)), stream=True)
        try:
            with atomic_file(local_path) as out:
                for chunk in response.iter_bytes(_CHUNK_BYTES):
                    out.write(chunk)
        finally:
            response.close()

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        """Delete the file or folder `artifact_path` (everything under this repository's root when None)."""
        remote = self._remote(artifact_path)
        if not remote:
            raise TracekitException.invalid_parameter_value(
                f"Refusing to delete every artifact of the server behind {self.artifact_uri!r}: name a path.")
        self._client.send("DELETE", self._file_route(remote)).close()
