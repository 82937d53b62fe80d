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
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "server"))

from _measure import peak_rss_mb  # noqa: E402
from server_helpers import PeakRss, ServerProcess  # noqa: E402

MB = 1024 * 1024


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
    server = ServerProcess(f"sqlite:///{folder / 'server.db'}", folder / "server.log", "--artifacts-destination",
                           str(folder / "served"), "--log-level", "warning")
    try:
        server.start(timeout=60)
        assert server.process is not None
        repository = get_artifact_repository(f"tracekit-artifacts://127.0.0.1:{server.port}/bench")
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

        with PeakRss(server.process.pid) as upload_rss:
            up_large = rate(args.large_mb, lambda: repository.log_artifact(str(large), "large"))
        copy_large = rate(args.large_mb, lambda: shutil.copyfile(large, folder / "copy-large.bin"))
        row(f"upload 1 x {args.large_mb} MB", up_large, copy_large)
        os.remove(folder / "copy-large.bin")
        with PeakRss(server.process.pid) as download_rss:
            down_large = rate(args.large_mb, lambda: repository.download_artifacts(
                "large/large.bin", str(fresh(folder / "back"))))
        copy_down = rate(args.large_mb, lambda: shutil.copyfile(folder / "served/bench/large/large.bin",
                                                                folder / "copy-down.bin"))
        row(f"download 1 x {args.large_mb} MB", down_large, copy_down)

        print(f"server RSS (MB): {upload_rss.start / MB:.0f} before the large upload, peak {upload_rss.peak / MB:.0f} "
              f"during it (+{(upload_rss.peak - upload_rss.start) / MB:.0f}); peak {download_rss.peak / MB:.0f} during "
              f"the download (+{(download_rss.peak - download_rss.start) / MB:.0f}); file {args.large_mb} MB")
        print(f"client peak RSS (this process): {peak_rss_mb():.0f} MB")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
