"""Core stands alone: `exporters/` and `integrations/` import core, never the other way round at import time."""

from __future__ import annotations

import os
import subprocess
import sys


def test_import_tracekit_loads_no_exporter_or_integration():
    code = ("import sys, tracekit; "
            "print([m for m in sys.modules if m.startswith(('tracekit.exporters', 'tracekit.integrations'))])")
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_EXPORTER_OTLP")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
