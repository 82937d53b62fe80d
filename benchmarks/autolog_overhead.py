"""Added cost of autolog per library call: the same client calls against the same local fake server, with the
integration off and on, measured in one run.

    python benchmarks/autolog_overhead.py [--calls 300] [--rounds 5]

Calls: an OpenAI chat completion, the same streamed (9 chunks), an embeddings call, an Anthropic message, and a
LangChain prompt | fake chat model | parser chain (no server). Off and on alternate in rounds so drift in the
server or the machine hits both; each figure is the median over rounds of the mean per call, in µs. Traces go to an
exporter that discards them, so the cost is span creation, request/response recording and hand-off, not storage.
The fake server runs in its own process, so it does not compete with the client for the GIL.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "integrations"))

import anthropic  # noqa: E402
import openai  # noqa: E402
from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402
from langchain_core.output_parsers import StrOutputParser  # noqa: E402
from langchain_core.prompts import ChatPromptTemplate  # noqa: E402

import tracekit  # noqa: E402
import tracekit.integrations.anthropic  # noqa: E402
import tracekit.integrations.langchain  # noqa: E402
import tracekit.integrations.openai  # noqa: E402
from tracekit.exporters import TraceExporter  # noqa: E402

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Summarise tracing."}]


class DiscardTraces(TraceExporter):
    def __init__(self) -> None:
        self.count = 0

    def export(self, traces) -> None:
        self.count += len(traces)


def per_call_us(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls * 1e6


def compare(name: str, call: Callable[[], object], integration, calls: int, rounds: int) -> None:
    integration.autolog(disable=True)
    per_call_us(call, max(10, calls // 10))  # warm up connections and caches
    off, on = [], []
    for _ in range(rounds):
        integration.autolog(disable=True)
        off.append(per_call_us(call, calls))
        integration.autolog()
        on.append(per_call_us(call, calls))
        tracekit.flush_trace_async_logging()
    integration.autolog(disable=True)
    base, traced = statistics.median(off), statistics.median(on)
    print(f"{name:<28} {base:>10.1f} {traced:>10.1f} {traced - base:>+10.1f} {traced / base:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    exporter = DiscardTraces()
    tracekit.tracing.set_exporter(exporter)
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "integrations", "fake_llm_server.py")],
                              stdout=subprocess.PIPE, text=True)
    try:
        openai_url = server.stdout.readline().split()[4]  # "fake LLM server on http://127.0.0.1:PORT/v1 ..."
        oai = openai.OpenAI(base_url=openai_url, api_key="bench", max_retries=0)
        claude = anthropic.Anthropic(base_url=openai_url.removesuffix("/v1"), api_key="bench", max_retries=0)
        chain = (ChatPromptTemplate.from_messages([("system", "Be terse."), ("user", "{q}")])
                 | FakeListChatModel(responses=["tracing records what ran"]) | StrOutputParser())

        def streamed() -> None:
            for _ in oai.chat.completions.create(model="gpt-bench", messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}):
                pass

        print(f"{'call (µs per call)':<28} {'off':>10} {'on':>10} {'added':>10} {'ratio':>8}")
        compare("openai chat", lambda: oai.chat.completions.create(model="gpt-bench", messages=MESSAGES),
                tracekit.integrations.openai, args.calls, args.rounds)
        compare("openai chat, streamed", streamed, tracekit.integrations.openai, args.calls, args.rounds)
        compare("openai embeddings", lambda: oai.embeddings.create(model="emb-bench", input=["a", "b"]),
                tracekit.integrations.openai, args.calls, args.rounds)
        compare("anthropic messages", lambda: claude.messages.create(model="claude-bench", max_tokens=64,
                                                                     messages=MESSAGES[1:], system="Be terse."),
                tracekit.integrations.anthropic, args.calls, args.rounds)
        compare("langchain chain (3 runs)", lambda: chain.invoke({"q": "hi"}), tracekit.integrations.langchain,
                args.calls, args.rounds)
    finally:
        server.terminate()
        server.wait()
    tracekit.flush_trace_async_logging()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"traces exported: {exporter.count}; peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
