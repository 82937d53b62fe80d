"""The `local` target's record of its deployments: one JSON file, `deployments.json`, under
TRACEKIT_DEPLOYMENTS_ROOT (~/.tracekit/deployments), beside each deployment's server log.

Writers hold a file lock for their whole read-change-write (so two `tracekit deployments create` at once cannot both
take a name) and replace the file atomically, so a reader never needs the lock and never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tracekit import config
from tracekit.exceptions import ResourceNotFoundError, TracekitException

_FILE = "deployments.json"
_LOCK = "deployments.lock"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def deployments_root() -> Path:
    """The folder holding the record and the logs (TRACEKIT_DEPLOYMENTS_ROOT, else ~/.tracekit/deployments)."""
    configured = config.DEPLOYMENTS_ROOT.get()
    return Path(configured).expanduser() if configured else Path.home() / ".tracekit" / "deployments"


def check_name(name: object) -> str:
    """`name` if it can name a local deployment (it names its log file too); TracekitException otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise TracekitException.invalid_parameter_value(
            f"Invalid deployment name {name!r}: use 1 to 100 letters, digits, '.', '_' or '-', starting with a "
            f"letter or digit.")
    return name


def log_path(name: str) -> Path:
    """Where the server of deployment `name` writes its output."""
    return deployments_root() / "logs" / f"{check_name(name)}.log"


def read_all() -> dict[str, dict[str, Any]]:
    """Every recorded deployment by name (empty when nothing was ever deployed)."""
    path = deployments_root() / _FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        records = json.loads(text)
    except ValueError as error:
        raise TracekitException.invalid_state(
            f"The local deployments record {path} is not valid JSON ({error}); move it aside to start afresh."
        ) from None
    if not isinstance(records, dict):
        raise TracekitException.invalid_state(f"The local deployments record {path} is not a JSON object.")
    return records


def read(name: str) -> dict[str, Any]:
    """The record of deployment `name`; ResourceNotFoundError naming the deployments there are."""
    records = read_all()
    if name not in records:
        known = ", ".join(sorted(records)) or "none"
        raise ResourceNotFoundError(f"No local deployment named {name!r} (deployments: {known}).")
    return dict(records[name])


@contextlib.contextmanager
def transaction() -> Iterator[dict[str, dict[str, Any]]]:
    """Read the records under the writers' lock and yield them for changes; they are written back (atomically) when
    the block ends without an error."""
    root = deployments_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    with open(root / _LOCK, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            records = read_all()
            yield records
            _write(root, records)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(root: Path, records: dict[str, dict[str, Any]]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".deployments-", suffix=".json", dir=root)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(records, file, indent=2, sort_keys=True)
        os.replace(temporary, root / _FILE)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
