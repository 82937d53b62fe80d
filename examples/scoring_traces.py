"""Score a question-answering app with code: first its stored traces, then a fresh run of a dataset through it.

Each score is stored as feedback on the trace it judged, the averages are metrics of an evaluation run, and the
result holds a table with one row per question.
    python examples/scoring_traces.py
"""

from __future__ import annotations

import tracekit
from tracekit.genai import Feedback, scorer

FACTS = {"capital of France": "Paris", "largest planet": "Jupiter", "author of Hamlet": "Shakespeare"}


@tracekit.trace
def answer_question(question: str) -> str:
    """The app under test: looks the question up, and gets one wrong."""
    for topic, fact in FACTS.items():
        if topic in question:
            return "Saturn" if fact == "Jupiter" else f"It is {fact}."
    return "I do not know."


@scorer
def is_correct(outputs, expectations):
    """Right when the expected answer appears in the output."""
    return expectations["answer"] in outputs


@scorer(aggregations=["mean", "max"])
def word_count(outputs):
    return len(outputs.split())


@scorer
def hedging(outputs):
    """A Feedback carries a rationale beside the value."""
    hedged = "not know" in outputs
    return Feedback(name="hedging", value="hedged" if hedged else "direct",
                    rationale="says it does not know" if hedged else "answers outright")


def main() -> None:
    tracekit.set_experiment("qa-scoring")

    # 1. Production traffic: three traced calls, then the right answers logged on their traces as expectations.
    with tracekit.start_run(run_name="production") as production:
        for topic in FACTS:
            answer_question(f"What is the {topic}?")
    traces = tracekit.search_traces(run_id=production.info.run_id)
    for trace_id, request in zip(traces["trace_id"], traces["request"], strict=True):
        topic = next(t for t in FACTS if t in request["question"])
        tracekit.log_expectation(trace_id, "answer", FACTS[topic])

    # 2. Score the stored traces: inputs and outputs come from each trace, expectations from its assessments.
    stored = tracekit.genai.evaluate(tracekit.search_traces(run_id=production.info.run_id),
                                     scorers=[is_correct, word_count, hedging])
    print(f"stored traces: is_correct/mean={stored.metrics['is_correct/mean']:.2f} "
          f"word_count/max={stored.metrics['word_count/max']:.0f} "
          f"hedging/count/direct={stored.metrics['hedging/count/direct']:.0f}")
    hamlet = next(trace_id for trace_id, request in zip(traces["trace_id"], traces["request"], strict=True)
                  if "Hamlet" in request["question"])
    feedback = {a.name: a.value for a in tracekit.get_trace(hamlet).info.assessments if a.kind == "feedback"}
    print(f"feedback on the Hamlet trace: {dict(sorted(feedback.items()))}")

    # 3. A dataset run through the app: each call is traced under the evaluation run, then scored.
    dataset = [
        {"inputs": {"question": "What is the capital of France?"}, "expectations": {"answer": "Paris"}},
        {"inputs": {"question": "Who is the author of Hamlet?"}, "expectations": {"answer": "Shakespeare"}},
        {"inputs": {"question": "How tall is Everest?"}, "expectations": {"answer": "8849"}},
    ]
    result = tracekit.genai.evaluate(dataset, predict_fn=answer_question, scorers=[is_correct, hedging])
    table = result.tables["eval_results_table"]
    print(table[["outputs", "is_correct", "hedging", "hedging/rationale"]].to_string(index=False))
    print(f"evaluation run {result.run_id}: is_correct/mean={result.metrics['is_correct/mean']:.2f}, "
          f"{tracekit.count_traces(run_id=result.run_id)} traces linked to it")


if __name__ == "__main__":
    main()
