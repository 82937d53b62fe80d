"""Processes registering versions of one new name at the same moment get distinct, consecutive version numbers,
on SQLite, PostgreSQL and MariaDB (real processes, each with its own connection pool)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

import tracekit

pytestmark = pytest.mark.slow
WORKERS = 4
VERSIONS_EACH = 10

WORKER_SCRIPT = textwrap.dedent(f"""
    import sys, time
    import tracekit

    uri, source, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
    tracekit.set_tracking_uri(uri)
    tracekit.get_registry_uri()
    time.sleep(max(0.0, start_at - time.time()))  # every worker starts registering at the same moment
    for _ in range({VERSIONS_EACH}):
        print(tracekit.register_model(source, "racer").version, flush=True)
""")


def test_concurrent_registrations_get_distinct_consecutive_versions(registry_uri, tmp_path):
    script = tmp_path / "register.py"
    script.write_text(WORKER_SCRIPT)
    (tmp_path / "model").mkdir()
    start_at = str(time.time() + 3)
    workers = [subprocess.Popen([sys.executable, str(script), registry_uri, str(tmp_path / "model"), start_at],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(WORKERS)]
    numbers = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=300)
        assert worker.returncode == 0, stderr
        numbers.extend(int(line) for line in stdout.split())
    assert sorted(numbers) == list(range(1, WORKERS * VERSIONS_EACH + 1))
    stored = tracekit.search_model_versions(filter_string="name = 'racer'")
    assert sorted(version.version for version in stored) == list(range(1, WORKERS * VERSIONS_EACH + 1))
    assert tracekit.TracekitClient().create_model_version("racer", "models:/next").version == \
        WORKERS * VERSIONS_EACH + 1
