"""Relative artifact paths, checked: nothing a caller (or a client of the tracking server) sends may leave the root."""

from __future__ import annotations

import posixpath
import re

from tracekit.exceptions import TracekitException

_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def normalize_artifact_path(path: str | None, *, allow_root: bool = False) -> str:
    """`path` as a clean relative POSIX path ("" for the root when `allow_root`), or TracekitException naming it.

    Refused: absolute paths, Windows drive letters, `..` segments, NUL bytes and backslashes (so a path means the
    same on every store and operating system).

    >>> normalize_artifact_path("plots/./roc.png")
    'plots/roc.png'
    """
    if path is None or path in ("", ".", "/"):
        if path == "/" or not allow_root:
            raise _refused(path, "it names the root, not a file or folder under it" if path is not None
                           else "no path was given")
        return ""
    if not isinstance(path, str):
        raise _refused(path, f"expected a string, got {type(path).__name__}")
    if "\x00" in path or "\\" in path:
        raise _refused(path, "NUL bytes and backslashes are not allowed")
    if path.startswith("/") or _DRIVE_RE.match(path):
        raise _refused(path, "it is absolute; give a path relative to the artifact root")
    if ".." in path.split("/"):
        raise _refused(path, "'..' segments would leave the artifact root")
    normalized = posixpath.normpath(path)
    return "" if normalized == "." else normalized


def join_artifact_path(*parts: str | None) -> str:
    """The checked relative path made of `parts` (None and empty parts skipped; each part is checked, so an absolute
    part is refused rather than silently made relative).

    >>> join_artifact_path("model", None, "data/", "x.pkl")
    'model/data/x.pkl'
    """
    checked = [normalize_artifact_path(part, allow_root=True) for part in parts if part]
    return normalize_artifact_path("/".join(part for part in checked if part), allow_root=True)


def _refused(path: object, why: str) -> TracekitException:
    return TracekitException.invalid_parameter_value(f"Invalid artifact path {path!r}: {why}.")
