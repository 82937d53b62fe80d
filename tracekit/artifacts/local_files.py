"""Local file helpers every artifact repository shares: write a file so that it appears whole or not at all, and
check a source file before reading it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from tracekit.exceptions import ResourceNotFoundError, TracekitException

# Files being written carry this prefix until they are renamed; listings skip them.
PARTIAL_FILE_PREFIX = ".tracekit-partial-"
_COPY_BUFFER_BYTES = 1024 * 1024


@contextlib.contextmanager
def atomic_file(destination: str) -> Iterator[BinaryIO]:
    """A binary file to write, renamed to `destination` (its folder created) only when the block ends without
    error; an interrupted write leaves no file under `destination`, and the partial one is removed.

    >>> with atomic_file("/data/run/artifacts/model.pkl") as out:
    ...     out.write(payload)
    """
    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=folder, prefix=PARTIAL_FILE_PREFIX)
    try:
        with os.fdopen(descriptor, "wb") as out:
            yield out
        os.replace(partial, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


def copy_file_atomically(source: str, destination: str) -> None:
    """Copy the file `source` to `destination` through `atomic_file`, keeping its modification time."""
    with open(source, "rb") as reader, atomic_file(destination) as writer:
        shutil.copyfileobj(reader, writer, _COPY_BUFFER_BYTES)
    with contextlib.suppress(OSError):
        shutil.copystat(source, destination)


def existing_local_path(local_path: str | os.PathLike[str], kind: str | None = None) -> str:
    """`local_path` as a string if something is there, of `kind` "file" or "directory" when given;
    TracekitException naming the path otherwise."""
    path = os.fspath(local_path)
    noun = kind or "file"
    if not os.path.exists(path):
        raise ResourceNotFoundError(f"The local {noun} {path!r} does not exist; give the path of a {noun} to log.")
    if kind == "file" and not os.path.isfile(path):
        raise TracekitException.invalid_parameter_value(
            f"The local path {path!r} is not a file; use log_artifacts() to log the contents of a directory.")
    if kind == "directory" and not os.path.isdir(path):
        raise TracekitException.invalid_parameter_value(
            f"The local path {path!r} is not a directory; use log_artifact() to log a single file.")
    return path


def walk_files(local_dir: str, skip: str | None = None) -> Iterator[tuple[str, str]]:
    """(absolute path, POSIX path relative to `local_dir`) of every file under `local_dir`, sorted. Symlinked
    folders are not entered, so a link cannot pull in a tree from elsewhere; nor is the folder `skip` (an
    artifact root inside `local_dir`, which would otherwise be copied into itself)."""
    skipped = os.path.realpath(skip) if skip is not None else None
    for folder, subfolders, files in os.walk(local_dir):
        subfolders[:] = sorted(name for name in subfolders
                               if os.path.realpath(os.path.join(folder, name)) != skipped)
        relative_folder = os.path.relpath(folder, local_dir)
        for name in sorted(files):
            relative = name if relative_folder == "." else f"{relative_folder}/{name}".replace(os.sep, "/")
            yield os.path.join(folder, name), relative
