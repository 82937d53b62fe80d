"""A script written for MLflow 3 Tracing, run on tracekit by changing its import: autolog, tags, token usage, chat
messages and tools, searching (with and without spans), a trace's JSON, and deleting traces.

Needs `pip install 'tracekit[openai]'` and OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server):
    python examples/mlflow3_tracing.py

Checked against MLflow 3.17.2: with `import mlflow`, `mlflow.MlflowClient().delete_traces(...)` (MLflow has no
top-level `delete_traces`), the `set_span_chat_messages` lines removed (3.17 no longer has it) and a
`mlflow.flush_trace_async_logging()` before the trace is read back (MLflow exports on a timer, so `get_trace` right
after the call finds nothing), it prints the same lines.
"""

from __future__ import annotations

import os
import time

import openai

import tracekit as mlflow

MODEL = os.environ.get("EXAMPLE_MODEL", "gpt-4o-mini")
REFUND_TOOL = {"type": "function", "function": {
    "name": "issue_refund", "description": "Refund an order",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}

mlflow.set_experiment("support-bot")
mlflow.openai.autolog()
client = openai.OpenAI()


@mlflow.trace(span_type="CHAIN")
def answer(question: str) -> str:
    mlflow.update_current_trace(tags={"topic": "billing" if "refund" in question else "other"})
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content or ""


@mlflow.trace(span_type="CHAT_MODEL")
def rule_based_bot(question: str) -> str:
    """A home-made model: it records its conversation and tools the way an LLM integration would."""
    span = mlflow.get_current_active_span()
    mlflow.tracing.set_span_chat_tools(span, [REFUND_TOOL])
    mlflow.tracing.set_span_chat_messages(span, [{"role": "user", "content": question}])
    reply = "Your refund is on its way."
    mlflow.tracing.set_span_chat_messages(span, [{"role": "assistant", "content": reply}], append=True)
    return reply


def main() -> None:
    with mlflow.start_run() as run:
        for question in ("Where is my refund?", "What are your opening hours?", "Can I get a refund twice?"):
            answer(question)
        rule_based_bot("I want a refund for order 17")

    trace_id = mlflow.get_last_active_trace_id()
    mlflow.set_trace_tag(trace_id, "reviewed", "yes")
    bot = mlflow.get_trace(trace_id)
    print(f"last trace: reviewed={bot.info.tags['reviewed']} output={bot.data.spans[0].outputs!r}")

    billing = mlflow.search_traces(filter_string="tags.topic = 'billing'", run_id=run.info.run_id)
    print(f"billing traces in the run: {len(billing)}")
    for usage in billing["trace"].map(lambda text: mlflow.entities.Trace.from_json(text).info.token_usage):
        print(f"  tokens: {usage}")

    light = mlflow.search_traces(include_spans=False, return_type="list")
    print(f"searched without spans: {len(light)} traces, {sum(len(t.data.spans) for t in light)} spans, "
          f"{sum(t.info.token_usage is not None for t in light)} with token usage")

    experiment_id = bot.info.experiment_id
    deleted = mlflow.delete_traces(experiment_id, max_timestamp_millis=int(time.time() * 1000), max_traces=2)
    print(f"deleted the {deleted} oldest; {len(mlflow.search_traces(experiment_ids=[experiment_id]))} left")


if __name__ == "__main__":
    main()
