"""What tracing adds to a scoring request, counted in CPU instructions (valgrind's cachegrind), which other people's
load on a shared machine does not move, unlike the CPU time `serving_breakdown.py` reads.

    python benchmarks/serving_instructions.py [--calls 2000]

Runs the scoring server's `score` (a stand-in model that returns its rows, so the count is the server's and
tracing's, not scikit-learn's) in fresh processes under `valgrind --tool=cachegrind --cache-sim=no`: traced into a
SQLite store (request thread and export thread), traced with the finished traces handed to nobody (the request
thread's share), and sampled out (TRACEKIT_TRACE_SAMPLING_RATIO=0, the baseline). Each figure is the difference
between a process making `--calls` + 200 calls and one making 200, divided by `--calls`, so start-up and imports
cancel out. Needs valgrind (apt-get install valgrind); about a minute per figure.
Cache misses are not counted: a request whose tracing code and data were pushed out of the CPU caches by the model
costs more time per instruction than these counts suggest.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile

_WARM_CALLS = 200
BODY = b'{"inputs": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]]}'
_MODES = {"traced": "traced, stored in SQLite", "handed-to-nobody": "traced, request thread only",
          "sampled-out": "sampled out (baseline)"}


class _StandInModel:
    """What `score` needs of a model: its id, and a prediction in the current span."""

    model_id = "m-0123456789abcdef0123456789abcdef"

    def predict_in_current_span(self, data, params=None):  # noqa: ANN001, ANN201 - the pyfunc signature
        return data


def _child(mode: str, calls: int) -> None:
    import tracekit
    from tracekit.models.scoring_server import score, served_trace_tags
    from tracekit.tracing.runtime import RUNTIME

    tracekit.set_tracking_uri(f"sqlite:///{tempfile.mkdtemp(prefix='tracekit-bench-instructions-')}/bench.db")
    if mode == "handed-to-nobody":
        RUNTIME.queue.put = lambda entry: None  # type: ignore[method-assign]
    tags = served_trace_tags({"tracekit.servedModelUri": f"models:/{_StandInModel.model_id}"})
    model = _StandInModel()
    # Everything imported so far goes to the collector's permanent generation: else a full collection of it falls
    # in one of the two runs and not the other, and moves the difference by a fifth or more.
    gc.collect()
    gc.freeze()
    for _ in range(calls):
        score(model, BODY, "application/json", tags)  # type: ignore[arg-type]
    tracekit.flush_trace_async_logging()


def _instructions(mode: str, calls: int) -> int:
    # one hash seed for every run, so that dict and set layouts, and their collisions, are the same in each
    env = {**os.environ, "PYTHONHASHSEED": "0",
           **({"TRACEKIT_TRACE_SAMPLING_RATIO": "0"} if mode == "sampled-out" else {})}
    result = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                             sys.executable, __file__, "--child", mode, str(calls)],
                            env=env, check=True, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="measured calls (beyond the 200 both runs make)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    per_call = {}
    for mode in _MODES:
        per_call[mode] = (_instructions(mode, _WARM_CALLS + args.calls) - _instructions(mode, _WARM_CALLS)) / args.calls
    base = per_call["sampled-out"]
    print("instructions per scoring request (stand-in model), all threads:")
    for mode, label in _MODES.items():
        print(f"  {label:<30} {per_call[mode]:>10,.0f}   {per_call[mode] / base:.2f}x the baseline")
    print(f"tracing adds {per_call['handed-to-nobody'] - base:,.0f} on the request thread and "
          f"{per_call['traced'] - per_call['handed-to-nobody']:,.0f} to export and store each trace")


if __name__ == "__main__":
    main()
