"""What run context providers add to `start_run`: the tags every new run gets (user, source, git, plugins).

    python benchmarks/run_context.py [--runs 500]

Measured in one process, run from inside a git repository (this checkout):
- the first `resolve_run_tags()` call, which asks `git` (four short subprocesses), and later calls (cached per
  directory), beside the baseline of building the user and source tags inline, as `start_run` did before providers;
- `start_run` + `end_run` into a new SQLite file, with providers, beside `create_run` + `update_run_info` on the
  same store with the same tags computed once (the baseline: the store's own cost).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.entities import RunStatus  # noqa: E402
from tracekit.plugins.run_context import resolve_run_tags  # noqa: E402
from tracekit.store.backend import get_backend  # noqa: E402


def inline_tags(_: int) -> dict[str, str]:
    return {"mlflow.user": getpass.getuser(), "mlflow.source.name": os.path.basename(sys.argv[0]),
            "mlflow.source.type": "LOCAL"}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    tags = resolve_run_tags()
    first_ms = (time.perf_counter() - start) * 1000
    print(f"first resolve_run_tags (runs git): {first_ms:8.2f} ms   git tags: "
          f"{sorted(key for key in tags if key.startswith('mlflow.source.git.'))}")
    cached = best_per_call(lambda _: resolve_run_tags(), 2000, 5, lambda: None)
    baseline = best_per_call(inline_tags, 2000, 5, lambda: None)
    print(f"resolve_run_tags, cached:          {cached:8.2f} µs/call   inline user+source tags: {baseline:6.2f} µs   "
          f"ratio {cached / baseline:5.1f}x")

    with tempfile.TemporaryDirectory() as folder:
        tracekit.set_tracking_uri(f"sqlite:///{folder}/runs.db")
        store = get_backend().tracking

        def fluent(_: int) -> None:
            with tracekit.start_run():
                pass

        def bare(_: int) -> None:
            run = store.create_run("0", "bare", int(time.time() * 1000), dict(tags), user_id=tags.get("mlflow.user"))
            store.update_run_info(run.info.run_id, RunStatus.FINISHED, int(time.time() * 1000), None)

        with_providers = best_per_call(fluent, args.runs, 3, lambda: None)
        store_only = best_per_call(bare, args.runs, 3, lambda: None)
        print(f"start_run + end_run:               {with_providers:8.1f} µs/run    store alone: {store_only:8.1f} µs   "
              f"ratio {with_providers / store_only:5.2f}x")
        tracekit.set_tracking_uri(None)
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
