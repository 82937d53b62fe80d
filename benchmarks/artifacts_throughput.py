"""Artifact throughput through a tracking server, beside a direct local copy, measured in one run.

    python benchmarks/artifacts_throughput.py [--small-files 100] [--small-mb 1] [--large-mb 500]

A `tracekit server` process (uvicorn on 127.0.0.1, SQLite backend) serves artifacts from a local folder; this
process uploads and downloads through `tracekit-artifacts://127.0.0.1:<port>/...` (`ProxiedArtifactRepository`:
streamed PUT and GET). Baselines: the same files copied with shutil (copytree / copyfile) on the same disk. Figures:
MB/s of each, and the server's rate as a fraction of the copy's. Memory: the server process's resident set size
before and at its peak while the large file moves (sampled with psutil every 5 ms), which stays bounded whatever the
file's size, and this client process's peak. Everything lives in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import peak_rss_mb  # noqa: E402

MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen([sys.executable, "-m", "tracekit.cli", "server", "--backend-store-uri",
                                f"sqlite:///{folder / 'server.db'}", "--artifacts-destination",
                                str(folder / "served"), "--port", str(port), "--log-level", "warning"],
                               stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"The server did not start: {(folder / 'server.log').read_text()}")


class PeakRss:
    """The highest RSS of a process (MB), sampled in a thread while the block runs."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.before = self.peak = self.process.memory_info().rss / MB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss / MB)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def rate(megabytes: float, action: Callable[[], object]) -> float:
    """MB/s of one run of `action`, moving `megabytes`."""
    start = time.perf_counter()
    action()
    return megabytes / (time.perf_counter() - start)


def write_random(path: Path, megabytes: int) -> None:
    chunk = os.urandom(MB)  # one random MB repeated: nothing on the path compresses
    with open(path, "wb") as out:
        for _ in range(megabytes):
            out.write(chunk)


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def row(label: str, server: float, local: float) -> None:
    print(f"{label:<28} {server:>10.1f} {local:>12.1f} {server / local:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-files", type=int, default=100)
    parser.add_argument("--small-mb", type=int, default=1)
    parser.add_argument("--large-mb", type=int, default=500)
    args = parser.parse_args()

    from tracekit.artifacts import get_artifact_repository

    folder = Path(tempfile.mkdtemp(prefix="tracekit-artifacts-bench-"))
    process = None
    try:
        process, port = start_server(folder)
        repository = get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{port}/bench")
        small = fresh(folder / "small")
        for index in range(args.small_files):
            write_random(small / f"part-{index:04d}.bin", args.small_mb)
        large = folder / "large.bin"
        write_random(large, args.large_mb)
        small_total = args.small_files * args.small_mb

        print(f"artifact throughput, MB/s ({args.small_files} x {args.small_mb} MB, 1 x {args.large_mb} MB)")
        print(f"{'':<28} {'server':>10} {'local copy':>12} {'ratio':>8}")
        up_small = rate(small_total, lambda: repository.log_artifacts(str(small), "small"))
        copy_small = rate(small_total, lambda: shutil.copytree(small, folder / "copy-small"))
        row(f"upload {args.small_files} x {args.small_mb} MB", up_small, copy_small)
        down_small = rate(small_total, lambda: repository.download_artifacts("small", str(fresh(folder / "back"))))
        copy_back = rate(small_total, lambda: shutil.copytree(folder / "served/bench/small", folder / "copy-back"))
        row(f"download {args.small_files} x {args.small_mb} MB", down_small, copy_back)
        for path in ("copy-small", "copy-back", "back"):
            shutil.rmtree(folder / path)

        with PeakRss(process.pid) as upload_rss:
            up_large = rate(args.large_mb, lambda: repository.log_artifact(str(large), "large"))
        copy_large = rate(args.large_mb, lambda: shutil.copyfile(large, folder / "copy-large.bin"))
        row(f"upload 1 x {args.large_mb} MB", up_large, copy_large)
        os.remove(folder / "copy-large.bin")
        with PeakRss(process.pid) as download_rss:
            down_large = rate(args.large_mb, lambda: repository.download_artifacts(
                "large/large.bin", str(fresh(folder / "back"))))
        copy_down = rate(args.large_mb, lambda: shutil.copyfile(folder / "served/bench/large/large.bin",
                                                                folder / "copy-down.bin"))
        row(f"download 1 x {args.large_mb} MB", down_large, copy_down)

        print(f"server RSS (MB): {upload_rss.before:.0f} before the large upload, peak {upload_rss.peak:.0f} during "
              f"it (+{upload_rss.peak - upload_rss.before:.0f}); peak {download_rss.peak:.0f} during the download "
              f"(+{download_rss.peak - download_rss.before:.0f}); file {args.large_mb} MB")
        print(f"client peak RSS (this process): {peak_rss_mb():.0f} MB")
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
