"""What `tracekit.autolog()` costs a fresh process: time of the call and peak RSS, against switching every integration
on eagerly (what `autolog()` did before it deferred patching to a library's import).

    python benchmarks/autolog_setup.py [--repeats 3]

Each measurement is a fresh interpreter (`sys.modules` clean) that imports tracekit, then times one step:
- `autolog()`: `tracekit.autolog()` alone; libraries not imported yet are only registered for patching on import.
- eager (baseline): `tracekit.autolog()` followed by importing every supported library that is installed, which
  patches each as it is imported: the work the previous `autolog()` did up front.
- `import openai` after `autolog()`: the cost moved to the import of a library the program does use.
Figures are medians of `--repeats` processes, the cases interleaved; wall and CPU time of the step, and the peak RSS
of the process (`ru_maxrss`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# every module `tracekit.autolog()` may patch (Lightning's, not torch's, for the PyTorch integration)
LIBRARIES = ["openai", "anthropic", "langchain_core", "litellm", "llama_index.core", "mistralai", "google.genai",
             "botocore", "dspy", "agents", "sklearn", "xgboost", "lightgbm", "lightning.pytorch"]

_CHILD = """
import importlib, importlib.util, json, resource, sys, time
sys.path.insert(0, {benchmarks!r})
from _measure import peak_rss_mb
import tracekit
case = {case!r}
start, start_cpu = time.perf_counter(), time.process_time()
tracekit.autolog(silent=True)
if case == "eager":
    for name in {libraries!r}:
        if importlib.util.find_spec(name.partition(".")[0]) is not None:
            importlib.import_module(name)
elif case == "openai":
    start, start_cpu = time.perf_counter(), time.process_time()
    import openai
wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
slow = [name for name in ("litellm", "lightning", "torch", "llama_index.core") if name in sys.modules]
print(json.dumps({{"wall": wall, "cpu": cpu, "rss": peak_rss_mb(), "slow_imported": slow}}))
"""


def _measure(case: str, store: str) -> dict:
    code = _CHILD.format(benchmarks=os.path.dirname(os.path.abspath(__file__)), case=case, libraries=LIBRARIES)
    env = dict(os.environ, TRACEKIT_TRACKING_URI=f"sqlite:///{store}", LITELLM_LOCAL_MODEL_COST_MAP="True")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    cases = {"eager": "eager: autolog() + every library imported and patched (baseline)",
             "lazy": "autolog()",
             "openai": "import openai after autolog() (patched on import)"}
    results: dict[str, list[dict]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeats):
            for case in cases:
                results[case].append(_measure(case, os.path.join(folder, "store.db")))

    def median(case: str, key: str) -> float:
        return statistics.median(result[key] for result in results[case])

    print(f"load average {os.getloadavg()[0]:.2f}, {args.repeats} fresh processes per case (medians)")
    print(f"{'case':<66} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for case, label in cases.items():
        print(f"{label:<66} {median(case, 'wall'):8.3f} {median(case, 'cpu'):8.3f} {median(case, 'rss'):12.0f}")
    print(f"autolog() vs eager: {median('eager', 'wall') / median('lazy', 'wall'):.0f}x faster (wall), "
          f"{median('eager', 'cpu') / median('lazy', 'cpu'):.0f}x less CPU, peak RSS "
          f"{median('lazy', 'rss'):.0f} MB vs {median('eager', 'rss'):.0f} MB")
    print(f"slow libraries imported by autolog() alone: {results['lazy'][0]['slow_imported']}")


if __name__ == "__main__":
    main()
