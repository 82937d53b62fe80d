"""What the one scheme → store lookup costs (`tracekit.tracking_store`, where tracekit's own stores are entries too).

    python benchmarks/store_lookup.py [--calls 2000] [--opens 30]

Measured in one process:
- `check_tracking_uri` (what `set_tracking_uri` runs: find the scheme's entry among the built-in and installed entry
  points, load its class, check its contract, call its `check_uri`) beside the baseline of calling the SQL store's
  own `SqlStore.check_uri` directly, as the old built-in branch did;
- `open_backend` + `close` on an existing SQLite file beside `SqlStore(uri)` + `close` (the store alone).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import best_per_call, peak_rss_mb  # noqa: E402

from tracekit.store.backend import check_tracking_uri, open_backend  # noqa: E402
from tracekit.store.sql.store import SqlStore  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--opens", type=int, default=30)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/lookup.db"
        SqlStore(uri).close()  # created and migrated once, outside the timings
        check_tracking_uri(uri)  # first lookup lists the entry points; later ones reuse the listing

        looked_up = best_per_call(lambda _: check_tracking_uri(uri), args.calls, 5, lambda: None)
        direct = best_per_call(lambda _: SqlStore.check_uri(uri), args.calls, 5, lambda: None)
        print(f"check_tracking_uri (lookup + check): {looked_up:9.1f} µs/call   SqlStore.check_uri alone: "
              f"{direct:9.1f} µs   ratio {looked_up / direct:5.2f}x")

        opened = best_per_call(lambda _: open_backend(uri).close(), args.opens, 3, lambda: None)
        bare = best_per_call(lambda _: SqlStore(uri).close(), args.opens, 3, lambda: None)
        print(f"open_backend + close:                {opened / 1000:9.2f} ms/call   SqlStore(uri) + close: "
              f"{bare / 1000:9.2f} ms   ratio {opened / bare:5.2f}x")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
