"""tracekit in one minute: trace a small "RAG" pipeline, then query the traces as a DataFrame.

Runs on the embedded default: traces go to ./tracekit.db (SQLite), no server needed.
    python examples/quickstart.py
"""

from __future__ import annotations

import tracekit
from tracekit import SpanType


@tracekit.trace(span_type=SpanType.RETRIEVER)
def retrieve(question: str, k: int = 2) -> list[str]:
    documents = ["tracekit stores traces in SQL", "spans nest under their parents", "traces are DataFrames"]
    return [doc for doc in documents if any(word in doc for word in question.lower().split())][:k]


@tracekit.trace(span_type=SpanType.LLM)
def generate(question: str, context: list[str]) -> str:
    return f"Answer to {question!r} using {len(context)} document(s)."


@tracekit.trace(span_type=SpanType.CHAIN)
def answer(question: str) -> str:
    tracekit.update_current_trace(tags={"app": "quickstart"})
    with tracekit.start_span("postprocess") as span:
        span.set_inputs({"question": question})
        text = generate(question, retrieve(question))
        span.set_outputs(text)
    return text


def main() -> None:
    for question in ["Where are traces stored?", "How do spans nest?", "Can I get DataFrames?"]:
        print(answer(question))

    traces = tracekit.search_traces(filter_string="tags.app = 'quickstart'", max_results=3)
    print(traces[["trace_id", "state", "execution_duration", "request", "response"]].to_string())

    trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
    for span in trace.data.spans:
        print(f"  {span.name:<12} {span.span_type:<10} parent={span.parent_id}")


if __name__ == "__main__":
    main()
