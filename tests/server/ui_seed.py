"""Data for the trace explorer's browser tests, its screenshots and its benchmark: an experiment with two runs, a
logged model, an agent trace with chat messages and tool calls, a failed trace with a stack trace, plain traces,
and a trace of many nested spans. Everything is written straight into a database with the stores."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))

from trace_builders import build_trace, make_span  # noqa: E402

from tracekit import serialization  # noqa: E402
from tracekit.constants import TraceMetadataKey  # noqa: E402
from tracekit.entities import (  # noqa: E402
    LoggedModelStatus,
    Metric,
    SpanEvent,
    SpanStatusCode,
    Trace,
    TraceData,
    TraceInfo,
    TraceState,
)
from tracekit.entities.token_usage import record_token_usage  # noqa: E402
from tracekit.store.sql.traces import SqlTraceStore  # noqa: E402
from tracekit.store.sql.tracking import SqlTrackingStore  # noqa: E402

MS = 1_000_000  # nanoseconds per millisecond
PLAIN_TRACES = 30
PLAIN_NAMES = ("answer_question", "summarize", "classify")
#: Plain traces (by number) in each conversation: session id -> (user, trace numbers).
SESSIONS = {"conv-42": ("bob", (4, 2, 1)), "conv-7": (None, (5,))}
HISTORY_STEPS = 100
#: Metric keys logged with a history to both runs (the baseline run also has accuracy and latency_p50_ms).
HISTORY_KEYS = ("loss", "system/cpu_utilization_percentage", "system/memory_usage_megabytes")

SYSTEM_PROMPT = "You are Acme's support agent. Answer from the documentation; cite the page you used."
QUESTION = "How do I reset my password?"
ANSWER = ("Open Settings → Security and choose “Reset password”. You will get an e-mail with a link that is valid "
          "for 30 minutes (see “Account security”).")
TOOL_CALL = {"id": "call_7Qx", "type": "function",
             "function": {"name": "search_docs", "arguments": '{"query": "reset password", "top_k": 3}'}}
DOCS = [{"page": "Account security", "score": 0.91, "text": "Reset your password from Settings → Security."},
        {"page": "Sign-in problems", "score": 0.74, "text": "If the e-mail does not arrive, check the spam folder."}]
STACKTRACE = """Traceback (most recent call last):
  File "/srv/agent/tools.py", line 42, in lookup_order
    order = orders.get(order_id)
  File "/srv/agent/clients.py", line 88, in get
    raise TimeoutError(f"orders service did not answer in {self.timeout} s")
TimeoutError: orders service did not answer in 5.0 s
"""


@dataclass
class Seeded:
    """Ids of what `seed_explorer` wrote."""

    experiment_id: str
    experiment_name: str
    run_id: str
    other_run_id: str
    model_id: str
    agent_trace_id: str
    error_trace_id: str
    big_trace_id: str
    plain_trace_ids: list[str] = field(default_factory=list)
    #: span names of the agent trace by nesting: (name, depth) in display order
    agent_tree: list[tuple[str, int]] = field(default_factory=list)


def _trace(trace_id: str, experiment_id: str, request_time_ms: int, spans: list, state: TraceState,
           tags: dict[str, str], run_id: str | None, model_id: str | None, request: object, response: object) -> Trace:
    metadata = {TraceMetadataKey.TRACE_SCHEMA_VERSION: "1"}
    if run_id:
        metadata[TraceMetadataKey.SOURCE_RUN] = run_id
    if model_id:
        metadata[TraceMetadataKey.MODEL_ID] = model_id
    record_token_usage(metadata, spans)  # as a completed trace has it: tokens, model, cost
    root = next(span for span in spans if span.parent_id is None)
    duration = (root.end_time_ns - root.start_time_ns) // MS
    info = TraceInfo(trace_id=trace_id, experiment_id=experiment_id, request_time=request_time_ms,
                     execution_duration=duration, state=state, request_preview=serialization.dumps(request),
                     response_preview=None if response is None else serialization.dumps(response),
                     trace_metadata=metadata, tags=tags)
    return Trace(info=info, data=TraceData(spans=spans))


def agent_trace(trace_id: str, experiment_id: str, request_time_ms: int, run_id: str | None,
                model_id: str | None) -> Trace:
    """answer_question (AGENT, 0-1200 ms) > plan (CHAIN) > openai.chat.completions (CHAT_MODEL, a tool call);
    search_docs (TOOL) > retrieve (RETRIEVER); openai.chat.completions (CHAT_MODEL, the answer)."""
    t = request_time_ms * MS
    first_turn = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": QUESTION},
                  {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}]
    second_turn = [*first_turn, {"role": "tool", "tool_call_id": TOOL_CALL["id"], "content": DOCS[0]["text"]},
                   {"role": "assistant", "content": ANSWER}]
    usage = {"input_tokens": 412, "output_tokens": 58, "total_tokens": 470}
    llm_attributes = {"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
                      "gen_ai.request.temperature": 0.2, "tracekit.chat.tokenUsage": usage}
    ids = {name: f"a{index:015x}" for index, name in enumerate(
        ("root", "plan", "llm1", "tool", "retrieve", "llm2"), start=1)}
    spans = [
        make_span(trace_id, ids["root"], None, "answer_question", span_type="AGENT", start_ns=t, end_ns=t + 1200 * MS,
                  inputs={"question": QUESTION, "user": "alice"}, outputs={"answer": ANSWER}),
        make_span(trace_id, ids["plan"], ids["root"], "plan", span_type="CHAIN", start_ns=t + 10 * MS,
                  end_ns=t + 420 * MS, inputs={"question": QUESTION}, outputs={"next": "search_docs"}),
        make_span(trace_id, ids["llm1"], ids["plan"], "openai.chat.completions", span_type="CHAT_MODEL",
                  start_ns=t + 20 * MS, end_ns=t + 400 * MS,
                  inputs={"model": "gpt-4o-mini", "messages": first_turn[:2], "temperature": 0.2},
                  outputs={"choices": [{"message": first_turn[2], "finish_reason": "tool_calls"}]},
                  attributes={**llm_attributes, "tracekit.chat.messages": first_turn,
                              "tracekit.chat.tools": [{"type": "function", "function": {"name": "search_docs"}}]}),
        make_span(trace_id, ids["tool"], ids["root"], "search_docs", span_type="TOOL", start_ns=t + 430 * MS,
                  end_ns=t + 700 * MS, inputs={"query": "reset password", "top_k": 3}, outputs=DOCS),
        make_span(trace_id, ids["retrieve"], ids["tool"], "retrieve", span_type="RETRIEVER", start_ns=t + 440 * MS,
                  end_ns=t + 650 * MS, inputs={"query": "reset password"}, outputs=DOCS,
                  attributes={"retriever.index": "docs-v3"}),
        make_span(trace_id, ids["llm2"], ids["root"], "openai.chat.completions", span_type="CHAT_MODEL",
                  start_ns=t + 710 * MS, end_ns=t + 1190 * MS,
                  inputs={"model": "gpt-4o-mini", "messages": second_turn[:4], "temperature": 0.2},
                  outputs={"choices": [{"message": second_turn[4], "finish_reason": "stop"}]},
                  attributes={**llm_attributes, "tracekit.chat.messages": second_turn},
                  events=[SpanEvent("first_token", t + 820 * MS, {})]),
    ]
    return _trace(trace_id, experiment_id, request_time_ms, spans, TraceState.OK,
                  {"env": "prod", "user": "alice"}, run_id, model_id, {"question": QUESTION}, {"answer": ANSWER})


def error_trace(trace_id: str, experiment_id: str, request_time_ms: int, run_id: str | None) -> Trace:
    """answer_question (AGENT, ERROR) > lookup_order (TOOL) that raised TimeoutError (an exception event)."""
    t = request_time_ms * MS
    root_id, tool_id = "e000000000000001", "e000000000000002"
    exception = SpanEvent("exception", t + 5_050 * MS, {
        "exception.type": "TimeoutError", "exception.message": "orders service did not answer in 5.0 s",
        "exception.stacktrace": STACKTRACE, "exception.escaped": "True"})
    spans = [
        make_span(trace_id, root_id, None, "answer_question", span_type="AGENT", start_ns=t, end_ns=t + 5_100 * MS,
                  inputs={"question": "Where is my order 1234?"}, status=SpanStatusCode.ERROR),
        make_span(trace_id, tool_id, root_id, "lookup_order", span_type="TOOL", start_ns=t + 40 * MS,
                  end_ns=t + 5_050 * MS, inputs={"order_id": 1234}, status=SpanStatusCode.ERROR,
                  events=[exception]),
    ]
    return _trace(trace_id, experiment_id, request_time_ms, spans, TraceState.ERROR, {"env": "prod"}, run_id, None,
                  {"question": "Where is my order 1234?"}, None)


def nested_trace(trace_id: str, experiment_id: str, request_time_ms: int, span_count: int,
                 fanout: int = 4) -> Trace:
    """`span_count` spans in a tree: span i's parent is span (i - 1) // fanout; each child starts after its
    parent and ends before it, so the timeline has every bar inside its parent's."""
    t = request_time_ms * MS
    total = span_count * 10 * MS
    spans = []
    windows = {0: (t, t + total)}
    for index in range(span_count):
        parent = None if index == 0 else (index - 1) // fanout
        start, end = windows[index]
        for slot in range(fanout):
            child = index * fanout + slot + 1
            if child < span_count:
                length = (end - start) // (fanout + 1)
                child_start = start + slot * length + length // 2
                windows[child] = (child_start, child_start + max(length - 2, 2))
        spans.append(make_span(trace_id, f"b{index:015x}", None if parent is None else f"b{parent:015x}",
                               f"step-{index}", span_type="CHAIN" if index % 3 else "TOOL", start_ns=start,
                               end_ns=end, inputs={"index": index}, outputs={"ok": True}))
    return _trace(trace_id, experiment_id, request_time_ms, spans, TraceState.OK, {"size": "large"}, None, None,
                  {"spans": span_count}, {"ok": True})


def seed_explorer(uri: str, experiment_name: str = "support-agent", big_trace_spans: int = 1000,
                  now_ms: int | None = None) -> Seeded:
    """Write the explorer's test data into the database at `uri` (created and migrated if new)."""
    now_ms = now_ms or int(time.time() * 1000)
    trace_store = SqlTraceStore(uri)
    tracking = SqlTrackingStore(trace_store.database)
    experiment_id = tracking.create_experiment(experiment_name, tags={"team": "support"})
    run = tracking.create_run(experiment_id, "baseline", start_time=now_ms - 3_600_000, user_id="alice")
    tracking.log_batch(run.info.run_id, metrics=[Metric("accuracy", 0.87, now_ms, 1), Metric("latency_p50_ms", 812.0,
                                                                                               now_ms, 1)],
                       params={"model": "gpt-4o-mini", "temperature": "0.2", "top_k": "3"})
    tracking.update_run_info(run.info.run_id, "FINISHED", now_ms - 3_000_000)
    other = tracking.create_run(experiment_id, "prompt-v2", start_time=now_ms - 1_800_000)
    tracking.log_batch(other.info.run_id, metrics=[], params={"model": "gpt-4o-mini", "temperature": "0.7",
                                                              "prompt": "v2"})
    for index, run_id in enumerate((run.info.run_id, other.info.run_id)):
        history = [Metric(key, value, now_ms - 3_600_000 + step * 1000, step)
                   for step in range(HISTORY_STEPS) for key, value in (
                       ("loss", (2.0 + index) / (1 + step * 0.1) + (0.5 if step == 60 else 0.0)),
                       ("system/cpu_utilization_percentage", 20.0 + (step * 7 + index * 13) % 50),
                       ("system/memory_usage_megabytes", 512.0 + step * (2 + index)))]
        tracking.log_batch(run_id, metrics=history, params={}, tags={})
    model = tracking.create_logged_model(experiment_id, "support-agent", LoggedModelStatus.READY,
                                         source_run_id=run.info.run_id, model_type="agent",
                                         tags={"version": "v1"}, params={"prompt": "v1"})
    run_id, model_id = run.info.run_id, model.model_id

    seeded = Seeded(experiment_id=experiment_id, experiment_name=experiment_name, run_id=run_id,
                    other_run_id=other.info.run_id, model_id=model_id,
                    agent_trace_id="tr-" + "a" * 32, error_trace_id="tr-" + "e" * 32, big_trace_id="tr-" + "b" * 32)
    traces = [
        agent_trace(seeded.agent_trace_id, experiment_id, now_ms - 60_000, run_id, model_id),
        error_trace(seeded.error_trace_id, experiment_id, now_ms - 120_000, run_id),
        nested_trace(seeded.big_trace_id, experiment_id, now_ms - 180_000, big_trace_spans),
    ]
    session_of = {number: (session, user) for session, (user, numbers) in SESSIONS.items() for number in numbers}
    for number in range(1, PLAIN_TRACES + 1):
        session, user = session_of.get(number, (None, None))
        conversation = {TraceMetadataKey.SESSION: session, **({TraceMetadataKey.USER: user} if user else {})}
        trace = build_trace(
            trace_id=f"tr-{number:032x}", experiment_id=experiment_id, request_time=now_ms - 300_000 - number * 60_000,
            duration_ms=40 + (number * 37) % 900, name=PLAIN_NAMES[number % 3],
            tags={"env": "prod" if number % 2 else "dev", "batch": str(number % 4)},
            run_id=other.info.run_id if number % 3 == 0 else None, model_id=model_id if number % 5 == 0 else None,
            state=TraceState.ERROR if number % 7 == 0 else TraceState.OK, number=number,
            metadata=conversation if session else None)
        seeded.plain_trace_ids.append(trace.info.trace_id)
        traces.append(trace)
    trace_store.write_traces(traces)
    seeded.agent_tree = [("answer_question", 0), ("plan", 1), ("openai.chat.completions", 2), ("search_docs", 1),
                         ("retrieve", 2), ("openai.chat.completions", 1)]
    trace_store.close()
    return seeded
