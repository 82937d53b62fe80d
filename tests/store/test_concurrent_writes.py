"""Four processes opening a fresh database at once and writing into it, some traces written by all of them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracekit.store.sql import schema

pytestmark = pytest.mark.slow
WORKERS = 4
BATCHES = 20
OWN_PER_BATCH = 25
SHARED_IDS = 14

WORKER_SCRIPT = textwrap.dedent(f"""
    import sys
    from trace_builders import build_trace
    from tracekit.store.sql.traces import SqlTraceStore

    uri, worker = sys.argv[1], int(sys.argv[2])
    store = SqlTraceStore(uri)
    for batch in range({BATCHES}):
        traces = [build_trace(trace_id=f"tr-{{worker + 1:08x}}{{batch * {OWN_PER_BATCH} + i:024x}}")
                  for i in range({OWN_PER_BATCH})]
        # Traces every worker rewrites (the same spans), in overlapping windows: upserts racing on the same rows.
        traces += [build_trace(trace_id=f"tr-ffffffff{{i:024x}}", tags={{"writer": str(worker)}},
                               number=1_000_000 + i)
                   for i in range(batch % 5, batch % 5 + 10)]
        store.write_traces(traces)
    store.close()
""")


def test_four_processes_write_into_one_database(db_uri, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WORKER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.getcwd(),
                                                       os.environ.get("PYTHONPATH", "")])}
    workers = [subprocess.Popen([sys.executable, str(script), db_uri, str(worker)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for worker in range(WORKERS)]
    for worker in workers:
        _, stderr = worker.communicate(timeout=300)
        assert worker.returncode == 0, stderr

    from tracekit.store.sql.traces import SqlTraceStore

    store = SqlTraceStore(db_uri)
    try:
        expected = WORKERS * BATCHES * OWN_PER_BATCH + SHARED_IDS
        assert store.count_traces(["0"]) == expected
        with store.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(schema.spans)) == 3 * expected
            assert connection.scalar(select(func.count()).select_from(schema.trace_tags)) == SHARED_IDS
    finally:
        store.close()
