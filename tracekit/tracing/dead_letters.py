"""The dead-letter file: traces a destination refused for good, kept with the reason instead of being retried.

A trace the destination will never take (a value its database cannot store, a trace over the tracking server's body
limit, a 4xx answer) would block every batch it is in; the export queue isolates it and writes it here, in the
`dead` sub-folder of the destination's spill folder, one JSON object per line:
`{"trace_id", "reason", "rejected_at" (ms since the epoch), "destination", "trace"}` (`trace` is null and `line`
holds the text for a spill-file line that could not be read back). `tracekit spill list --dead` shows them.

The JSON is ASCII-only, so even text no store accepts (lone surrogates) is written, and read back, unchanged.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tracekit.entities import Trace

DEAD_FOLDER = "dead"


class DeadLetters:
    """The dead-letter files of one destination (`<spill folder>/dead/<pid>-<ns>.jsonl`, one per process)."""

    def __init__(self, spill_folder: Path, destination: str) -> None:
        self.path = spill_folder / DEAD_FOLDER
        self.destination = destination
        self._lock = threading.Lock()
        self._file_path: Path | None = None

    def write(self, refused: Sequence[tuple[Trace, str]]) -> None:
        """Append refused traces with their reasons; raises OSError if the disk refuses."""
        now_ms = int(time.time() * 1000)
        self._append([self._record(trace.info.trace_id, reason, now_ms, trace=_trace_dict(trace))
                      for trace, reason in refused])

    def write_lines(self, lines: Sequence[str], reason: str) -> None:
        """Append spill-file lines that could not be read back as traces (kept as text)."""
        now_ms = int(time.time() * 1000)
        self._append([self._record(None, reason, now_ms, trace=None, line=line) for line in lines])

    def _record(self, trace_id: str | None, reason: str, now_ms: int, **content: Any) -> str:
        record = {"trace_id": trace_id, "reason": reason, "rejected_at": now_ms, "destination": self.destination,
                  **content}
        return json.dumps(record, ensure_ascii=True, default=repr) + "\n"

    def _append(self, records: list[str]) -> None:
        if not records:
            return
        with self._lock:
            if self._file_path is None or self._file_path.parent != self.path:
                self.path.mkdir(parents=True, exist_ok=True)
                self._file_path = self.path / f"{os.getpid()}-{time.time_ns()}.jsonl"
            with open(self._file_path, "a", encoding="ascii") as handle:
                handle.write("".join(records))
                handle.flush()
                os.fsync(handle.fileno())


def _trace_dict(trace: Trace) -> dict[str, Any] | str:
    try:
        return trace.to_dict()
    except Exception as error:  # noqa: BLE001 - keep at least its id and the reason
        return f"the trace could not be converted: {type(error).__name__}: {error}"


def read_dead_letters(spill_folder: Path) -> Iterator[dict[str, Any]]:
    """Every dead-letter record under one destination's spill folder, oldest file first."""
    folder = spill_folder / DEAD_FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="ascii", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = {"trace_id": None, "reason": "unreadable dead-letter line", "line": line}
                record["file"] = str(path)
                yield record
