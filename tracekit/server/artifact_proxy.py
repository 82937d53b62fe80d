"""`ServedArtifacts`: the artifacts destination a tracking server proxies for `tracekit-artifacts:` URIs.

A client's `tracekit-artifacts:/<path>` is `<destination>/<path>` here, read and written through the destination's
own `ArtifactRepository` (`get_artifact_repository(destination)`: a local folder, S3, or a plugin's store). Every
path a client sends is hostile: it is normalized here (`normalize_artifact_path` refuses `..`, absolute paths, NUL
bytes and backslashes, after the framework has decoded `%2e%2e` and `%2f`), and the repository checks it again
(a local folder refuses a path whose real path, symlinks resolved, leaves the folder).

Nothing is held whole in memory: an upload is written in chunks to a temporary file that is then handed to the
repository, or, for a local destination, to a temporary name in the destination renamed when complete (either way a
client that goes away half way leaves nothing under the final name); a download is streamed from the file (a local
destination's own file, or a temporary copy fetched from a remote store).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from typing import BinaryIO

from anyio import to_thread
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from tracekit.artifacts.artifact_paths import normalize_artifact_path
from tracekit.artifacts.local_files import atomic_file
from tracekit.artifacts.local_repository import LocalArtifactRepository
from tracekit.artifacts.repository import ArtifactRepository, FileInfo
from tracekit.artifacts.repository_registry import get_artifact_repository
from tracekit.exceptions import ResourceNotFoundError, TracekitException

logger = logging.getLogger(__name__)

# Upload chunks are gathered to this size before each write, so the disk sees few large writes.
WRITE_BYTES = 1 << 20
# Downloaded files are sent as opaque bytes: a browser never renders an uploaded HTML or SVG file as a page of this
# server (the explorer previews them from the bytes itself).
_DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'",
                     "Cache-Control": "no-store"}


async def _write_chunks(body: AsyncIterator[bytes], out: BinaryIO) -> int:
    """Write the chunks of `body` to `out` in writes of about WRITE_BYTES, off the event loop; the bytes written."""
    size = 0
    pending = bytearray()
    async for chunk in body:
        pending += chunk
        size += len(chunk)
        if len(pending) >= WRITE_BYTES:
            await to_thread.run_sync(out.write, pending)
            pending = bytearray()
    if pending:
        await to_thread.run_sync(out.write, pending)
    return size


class ArtifactFileResponse(FileResponse):
    """A file answer read and sent in 1 MB chunks (Starlette's default of 64 KB costs a loop turn per 64 KB)."""

    chunk_size = WRITE_BYTES


class ServedArtifacts:
    """The destination behind this server's artifact routes; methods take the client's relative paths."""

    def __init__(self, destination: str) -> None:
        self.destination = destination
        self.repository: ArtifactRepository = get_artifact_repository(destination)

    def __repr__(self) -> str:
        return f"ServedArtifacts({self.destination!r})"

    def checked_path(self, path: str | None, *, allow_root: bool = False) -> str:
        """`path` normalized, or TracekitException (400) naming it when it could leave the destination."""
        return normalize_artifact_path(path, allow_root=allow_root)

    async def receive_upload(self, path: str, body: AsyncIterator[bytes]) -> int:
        """Store the streamed `body` as the file `path`; returns its size in bytes. Nothing appears under `path`
        until the whole body has arrived."""
        relative = self.checked_path(path)
        if isinstance(self.repository, LocalArtifactRepository):
            # Straight into the destination under a temporary name, renamed when complete: one write of the data.
            target = self.repository._checked(relative)
            try:
                with atomic_file(target) as out:
                    size = await _write_chunks(body, out)
            except (IsADirectoryError, NotADirectoryError, FileExistsError) as error:
                raise TracekitException.invalid_parameter_value(
                    f"Cannot store the artifact {relative!r}: it or a folder on its path is taken by an entry of the "
                    f"other kind (a folder where the file goes, or a file where a folder goes): {error.strerror}."
                ) from error
        else:
            parent, _, name = relative.rpartition("/")
            workdir = tempfile.mkdtemp(prefix="tracekit-upload-")
            try:
                local_file = os.path.join(workdir, name)
                with open(local_file, "wb") as out:
                    size = await _write_chunks(body, out)
                await to_thread.run_sync(self.repository.log_artifact, local_file, parent or None)
            finally:
                await to_thread.run_sync(shutil.rmtree, workdir, True)
        logger.debug("Stored artifact %s (%d bytes).", relative, size)
        return size

    def list(self, path: str | None) -> list[FileInfo]:
        """The direct children of `path` (the root when None or empty), paths relative to the destination."""
        relative = self.checked_path(path or None, allow_root=True)
        return self.repository.list_artifacts(relative or None)

    def delete(self, path: str) -> None:
        """Delete the file or folder `path` (never the whole destination)."""
        self.repository.delete_artifacts(self.checked_path(path))

    def download(self, path: str) -> ArtifactFileResponse:
        """A streamed answer with the file `path`; ResourceNotFoundError (404) when there is none, 400 for a folder."""
        relative = self.checked_path(path)
        name = relative.rpartition("/")[2]
        if isinstance(self.repository, LocalArtifactRepository):
            # The destination's own file, streamed as it is; `_checked` refuses symlinks leading out of the folder.
            local_file = self.repository._checked(relative)
            self._check_is_file(relative, os.path.isdir(local_file), os.path.isfile(local_file))
            return ArtifactFileResponse(local_file, media_type="application/octet-stream", filename=name,
                                headers=_DOWNLOAD_HEADERS)
        entry = self._entry(relative)
        self._check_is_file(relative, entry is not None and entry.is_dir, entry is not None and not entry.is_dir)
        workdir = tempfile.mkdtemp(prefix="tracekit-download-")
        local_file = os.path.join(workdir, name)
        try:
            self.repository._download_file(relative, local_file)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        return ArtifactFileResponse(local_file, media_type="application/octet-stream", filename=name,
                                    headers=_DOWNLOAD_HEADERS, background=BackgroundTask(shutil.rmtree, workdir, True))

    def _entry(self, relative: str) -> FileInfo | None:
        parent = relative.rpartition("/")[0]
        return next((info for info in self.repository.list_artifacts(parent or None) if info.path == relative), None)

    @staticmethod
    def _check_is_file(relative: str, is_dir: bool, is_file: bool) -> None:
        if is_dir:
            raise TracekitException.invalid_parameter_value(
                f"The artifact {relative!r} is a folder: list it with GET /api/v1/artifacts/list?path=... and "
                "download its files one by one.")
        if not is_file:
            raise ResourceNotFoundError(f"No artifact file {relative!r} on this server.")
