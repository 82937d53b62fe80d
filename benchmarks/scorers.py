"""Scorers over stored traces: `tracekit.genai.evaluate(search_traces(...), scorers=[...])` in rows per second.

    python benchmarks/scorers.py [--traces 10000]

One process, a new SQLite file. `--traces` traces (a root span and a child, question in, answer out) are stored and
an expectation is logged on each; then, over the same `search_traces` DataFrame:
- baseline: the same scorer functions called in a plain loop over the rows (inputs, outputs and expectations read
  from each trace), nothing stored;
- evaluate: `tracekit.genai.evaluate` with those scorers: every score stored as a feedback on its trace, each trace
  tagged with the evaluation run, aggregates logged as metrics of a run;
- evaluate with `predict_fn` over the same questions as a list of dicts (a new trace per row, then scored), beside
  the plain loop calling the function and the scorers, and beside the same loop with the function under
  `@tracekit.trace` (its time until the queue is delivered: what tracing alone costs).
Expectations are logged one call each (`log_expectation`), as a user would; that setup is timed but not compared.
Peak RSS of the process at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.entities import Trace  # noqa: E402


def answer(question: str) -> str:
    return question.upper() if len(question) % 3 else question[::-1]


@tracekit.genai.scorer
def exact_match(outputs, expectations):
    return outputs == expectations["answer"]


@tracekit.genai.scorer
def answer_length(outputs):
    return len(outputs)


@tracekit.genai.scorer
def tone(outputs):
    return "shouting" if outputs.isupper() else "calm"


SCORERS = [exact_match, answer_length, tone]


def store_traces(count: int) -> None:
    @tracekit.trace
    def app(question: str) -> str:
        with tracekit.start_span("llm") as span:
            span.set_inputs({"prompt": question})
            result = answer(question)
            span.set_outputs(result)
        return result

    for i in range(count):
        app(f"question number {i}")
    tracekit.flush_trace_async_logging()
    frame = tracekit.search_traces(max_results=None)
    for i, (trace_id, request) in enumerate(zip(frame["trace_id"], frame["request"], strict=True)):
        # Half the expected answers match what the app said.
        tracekit.log_expectation(trace_id, "answer", answer(request["question"]) if i % 2 else "something else")


def plain_loop(frame) -> float:
    start = time.perf_counter()
    scores = 0
    for text in frame["trace"]:
        trace = Trace.from_json(text)
        root = trace.data.root_span
        expectations = {a.name: a.value for a in trace.info.assessments if a.kind == "expectation"}
        for scorer in SCORERS:
            scorer(**{name: value for name, value in (("outputs", root.outputs), ("expectations", expectations))
                      if name in scorer.parameters})
            scores += 1
    return time.perf_counter() - start


def plain_predict_loop(rows: list[dict], predict=answer) -> float:
    start = time.perf_counter()
    for row in rows:
        outputs = predict(**row["inputs"])
        for scorer in SCORERS:
            scorer(**{name: value for name, value in (("outputs", outputs), ("expectations", row["expectations"]))
                      if name in scorer.parameters})
    return time.perf_counter() - start


def timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def report(label: str, rows: int, seconds: float, baseline_seconds: float) -> None:
    print(f"{label:44s} {rows / seconds:10.0f} rows/s   plain loop {rows / baseline_seconds:10.0f} rows/s   "
          f"ratio {seconds / baseline_seconds:7.1f}x slower")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tracekit.set_tracking_uri(f"sqlite:///{folder}/scorers.db")
        seconds, _ = timed(lambda: store_traces(args.traces))
        print(f"stored {args.traces} traces with an expectation each in {seconds:.1f} s")
        seconds, frame = timed(lambda: tracekit.search_traces(max_results=None))
        print(f"search_traces -> DataFrame of {len(frame)} rows: {seconds:.2f} s   peak RSS so far "
              f"{peak_rss_mb():.0f} MB")
        baseline = plain_loop(frame)
        seconds, result = timed(lambda: tracekit.genai.evaluate(frame, scorers=SCORERS))
        report(f"evaluate(search_traces(), {len(SCORERS)} scorers)", len(frame), seconds, baseline)
        print(f"  metrics: exact_match/mean={result.metrics['exact_match/mean']:.3f} "
              f"answer_length/mean={result.metrics['answer_length/mean']:.1f} "
              f"feedback stored: {len(frame) * len(SCORERS)}")

        rows = [{"inputs": {"question": f"question number {i}"}, "expectations": {"answer": "QUESTION"}}
                for i in range(args.traces)]
        baseline = plain_predict_loop(rows)
        traced = tracekit.trace(answer)
        start = time.perf_counter()
        plain_predict_loop(rows, traced)
        tracekit.flush_trace_async_logging()  # evaluate waits for its traces to be stored: so does this baseline
        traced_baseline = time.perf_counter() - start
        seconds, _ = timed(lambda: tracekit.genai.evaluate(rows, predict_fn=answer, scorers=SCORERS))
        report(f"evaluate(rows, predict_fn, {len(SCORERS)} scorers)", len(rows), seconds, baseline)
        print(f"{'':44s} traced loop {len(rows) / traced_baseline:9.0f} rows/s   (@tracekit.trace'd "
              f"predict_fn + scorers, traces stored, no feedback): ratio {seconds / traced_baseline:5.1f}x")
        tracekit.set_tracking_uri(None)
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
