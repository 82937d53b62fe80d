"""The spill folder: traces the store could not take yet, kept on local disk until it answers again.

Each process appends to its own `<pid>-<ns>.open` file (JSON lines, one trace per line). A file is sealed to
`.jsonl` when it is replayed or the process exits; a replaying process claims a file by renaming it, so two
processes never replay the same one, and it deletes the file only after the store took every trace in it. Files left
`.open` by a process that died are claimable too. Stores upsert by trace id, so a trace delivered twice (a replay
interrupted half way) is still stored once.

Location: `TRACEKIT_SPILL_DIR`, default `~/.tracekit/spill`, one sub-folder per destination.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from tracekit import config
from tracekit.entities import Trace
from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

_OPEN = ".open"
_SEALED = ".jsonl"
_CLAIMED = ".claimed"

# The `<pid>-<ns>` stems of the spill files this process wrote: its own traces, as opposed to an earlier process's,
# which `tracing.stats()` counts apart.
_written_here: set[str] = set()


def _stem(path: Path) -> str:
    return path.name.split(".", 1)[0]


def default_spill_root() -> Path:
    """TRACEKIT_SPILL_DIR, or ~/.tracekit/spill."""
    configured = config.SPILL_DIR.get()
    return Path(configured).expanduser() if configured else Path.home() / ".tracekit" / "spill"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_pid(path: Path) -> int | None:
    # <pid>-<ns>.open, <pid>-<ns>.jsonl, <pid>-<ns>.jsonl.claimed-<claimer pid>
    name = path.name
    try:
        if _CLAIMED in name:
            return int(name.rsplit("-", 1)[1])
        return int(name.split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def files_in_use(folder: Path) -> set[Path]:
    """The spill files in one destination's `folder` that a running process is writing or replaying now (left alone
    by `tracekit spill purge`: that process still counts on them)."""
    if not folder.is_dir():
        return set()
    in_use = set()
    for path in folder.iterdir():
        if path.name.endswith(_OPEN) or _CLAIMED in path.name:
            owner = _owner_pid(path)
            if owner is not None and _pid_alive(owner) and owner != os.getpid():
                in_use.add(path)
    return in_use


class SpillFolder:
    """Append-only spill files for one destination (a tracking URI, say)."""

    def __init__(self, destination: str, root: Path | None = None) -> None:
        digest = hashlib.sha256(destination.encode("utf-8")).hexdigest()[:16]
        self.path = (root or default_spill_root()) / digest
        self.destination = destination
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self._file_path: Path | None = None

    def write(self, traces: Sequence[Trace]) -> None:
        """Append traces to this process's open file; raises OSError if the disk refuses."""
        lines = "".join(trace.to_json() + "\n" for trace in traces)
        with self._lock:
            if self._file is None:
                self.path.mkdir(parents=True, exist_ok=True)
                (self.path / "DESTINATION").write_text(self.destination + "\n", encoding="utf-8")
                self._file_path = self.path / f"{os.getpid()}-{time.time_ns()}{_OPEN}"
                _written_here.add(_stem(self._file_path))
                self._file = open(self._file_path, "a", encoding="utf-8")  # noqa: SIM115 - kept open on purpose
            self._file.write(lines)
            self._file.flush()

    def seal(self) -> None:
        """Close this process's open file and make it claimable."""
        with self._lock:
            if self._file is None:
                return
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            assert self._file_path is not None
            self._file_path.rename(self._file_path.with_suffix(_SEALED))
            self._file = None
            self._file_path = None

    def has_pending(self) -> bool:
        """Whether anything waits to be replayed (including this process's own open file)."""
        with self._lock:
            if self._file is not None:
                return True
        return bool(self._claimable())

    def _claimable(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        found = []
        for path in self.path.iterdir():
            name = path.name
            if name.endswith(_SEALED):
                found.append(path)
            elif name.endswith(_OPEN) or _CLAIMED in name:
                owner = _owner_pid(path)
                if owner is not None and not _pid_alive(owner):
                    found.append(path)
        return sorted(found)

    def claim_all(self) -> list[Path]:
        """Seal this process's file, then claim every replayable file; returns the claimed paths."""
        self.seal()
        claimed = []
        for path in self._claimable():
            base = path.name.split(_CLAIMED)[0]
            if base.endswith(_OPEN):
                base = base[: -len(_OPEN)] + _SEALED
            target = self.path / f"{base}{_CLAIMED}-{os.getpid()}"
            try:
                path.rename(target)
            except FileNotFoundError:
                continue  # another process claimed it first
            claimed.append(target)
        return claimed

    @staticmethod
    def written_here(path: Path) -> bool:
        """Whether this process wrote the spill file at `path` (open, sealed or claimed)."""
        return _stem(path) in _written_here

    def release(self, claimed: Path) -> None:
        """Give a claimed file back (its replay failed) so a later attempt takes it again."""
        base = claimed.name.split(_CLAIMED)[0]
        try:
            claimed.rename(self.path / base)
        except FileNotFoundError:
            pass

    @staticmethod
    def read_batches(claimed: Path, batch_size: int) -> Iterator[tuple[list[Trace], list[str]]]:
        """Yield (traces, unreadable lines) batches from a claimed file (a line is unreadable when a process died
        while writing it, say)."""
        batch: list[Trace] = []
        bad: list[str] = []
        with open(claimed, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    batch.append(Trace.from_json(line))
                except TracekitException:
                    bad.append(line.rstrip("\n"))
                    continue
                if len(batch) >= batch_size:
                    yield batch, bad
                    batch, bad = [], []
        if batch or bad:
            yield batch, bad
