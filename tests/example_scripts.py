"""Running an example script as a user would: its own process, its own SQLite file, no experiment preset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(relative: str, tmp_path: Path, timeout: float = 180, **env: str) -> str:
    """Run `examples/<relative>` in `tmp_path` against `tmp_path/example.db` (plus `env`); its stdout, or a failed
    assertion showing its stderr."""
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": f"sqlite:///{tmp_path / 'example.db'}", **env}
    for variable in ("TRACEKIT_EXPERIMENT_NAME", "TRACEKIT_EXPERIMENT_ID", "TRACEKIT_TRACE_PYFUNC_PREDICT"):
        if variable not in env:
            environment.pop(variable, None)
    done = subprocess.run([sys.executable, str(EXAMPLES / relative)], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout
