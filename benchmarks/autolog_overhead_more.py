"""Added cost of autolog per call for LiteLLM, Mistral, Google GenAI, Bedrock and LlamaIndex: the same calls against
the same local fake server, with the integration off and on, measured in one run (the method of
`autolog_overhead.py`).

    python benchmarks/autolog_overhead_more.py [--calls 200] [--rounds 5]

Calls: a LiteLLM completion (through its OpenAI provider), the same streamed, a LiteLLM embedding, a Mistral chat
completion and the same streamed, a Gemini generate_content and the same streamed, a Bedrock converse, a LlamaIndex
query engine over a two-document vector index (MockEmbedding) answering with the real OpenAI LLM class
(llama-index-llms-openai) and with MockLLM (no I/O: the integration's cost against LlamaIndex's own), and for
reference an OpenAI chat completion through the existing OpenAI integration. Each figure
is the median over rounds of the mean per call, in µs, as wall time and as this process's CPU time (all its
threads, so the trace export thread is counted; the server is another process). On a loaded machine the wall
figures swing by milliseconds between rounds, as other processes take the cores; the CPU figures are the steadier
measure of what autolog adds.
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

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network on import
sys.path.insert(0, os.path.dirname(__file__))

import boto3  # noqa: E402
import litellm  # noqa: E402
import openai  # noqa: E402
from autolog_overhead import MESSAGES, ROOT, DiscardTraces  # noqa: E402
from google import genai  # noqa: E402
from llama_index.core import Document, VectorStoreIndex  # noqa: E402
from llama_index.core.embeddings import MockEmbedding  # noqa: E402
from llama_index.core.llms import MockLLM  # noqa: E402
from llama_index.llms.openai import OpenAI as LlamaIndexOpenAI  # noqa: E402
from mistralai.client import Mistral  # noqa: E402

import tracekit  # noqa: E402
import tracekit.integrations.bedrock  # noqa: E402
import tracekit.integrations.gemini  # noqa: E402
import tracekit.integrations.litellm  # noqa: E402
import tracekit.integrations.llama_index  # noqa: E402
import tracekit.integrations.mistral  # noqa: E402
import tracekit.integrations.openai  # noqa: E402


def per_call_us(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """(wall, process CPU) µs per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call()
    return ((time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6)


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
    figures = []
    for column in (0, 1):
        base = statistics.median(sample[column] for sample in off)
        traced = statistics.median(sample[column] for sample in on)
        figures.append(f"{base:>9.0f} {traced:>9.0f} {traced - base:>+8.0f} {traced / base:>6.2f}")
    print(f"{name:<27} {'  '.join(figures)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    exporter = DiscardTraces()
    tracekit.tracing.set_exporter(exporter)
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "integrations", "fake_llm_server.py")],
                              stdout=subprocess.PIPE, text=True)
    try:
        openai_url = server.stdout.readline().split()[4]  # "fake LLM server on http://127.0.0.1:PORT/v1 ..."
        target = {"api_base": openai_url, "api_key": "bench", "max_retries": 0}
        mistral = Mistral(api_key="bench", server_url=openai_url.removesuffix("/v1"))
        bedrock = boto3.client("bedrock-runtime", endpoint_url=openai_url.removesuffix("/v1"),
                               region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        gemini = genai.Client(api_key="bench", http_options={"base_url": openai_url.removesuffix("/v1")})

        def litellm_streamed() -> None:
            for _ in litellm.completion(model="openai/gpt-bench", messages=MESSAGES, stream=True, **target):
                pass

        def mistral_streamed() -> None:
            for _ in mistral.chat.stream(model="mistral-bench", messages=MESSAGES):
                pass

        def gemini_streamed() -> None:
            for _ in gemini.models.generate_content_stream(model="gemini-bench", contents="Summarise tracing."):
                pass

        oai = openai.OpenAI(base_url=openai_url, api_key="bench", max_retries=0)

        print(f"{'µs per call':<27} {'wall off':>9} {'on':>9} {'added':>8} {'ratio':>6}  "
              f"{'CPU off':>9} {'on':>9} {'added':>8} {'ratio':>6}")
        compare("openai chat (reference)", lambda: oai.chat.completions.create(model="gpt-bench", messages=MESSAGES),
                tracekit.integrations.openai, args.calls, args.rounds)
        compare("litellm completion", lambda: litellm.completion(model="openai/gpt-bench", messages=MESSAGES,
                                                                 **target),
                tracekit.integrations.litellm, args.calls, args.rounds)
        compare("litellm completion, stream", litellm_streamed, tracekit.integrations.litellm, args.calls,
                args.rounds)
        compare("litellm embedding", lambda: litellm.embedding(model="openai/emb-bench", input=["a", "b"],
                                                               **target),
                tracekit.integrations.litellm, args.calls, args.rounds)
        compare("mistral chat", lambda: mistral.chat.complete(model="mistral-bench", messages=MESSAGES),
                tracekit.integrations.mistral, args.calls, args.rounds)
        compare("mistral chat, streamed", mistral_streamed, tracekit.integrations.mistral, args.calls, args.rounds)
        compare("gemini generate_content", lambda: gemini.models.generate_content(
            model="gemini-bench", contents="Summarise tracing."), tracekit.integrations.gemini, args.calls,
            args.rounds)
        compare("gemini generate, streamed", gemini_streamed, tracekit.integrations.gemini, args.calls,
                args.rounds)
        compare("bedrock converse", lambda: bedrock.converse(
            modelId="anthropic.claude-bench", messages=[{"role": "user", "content": [{"text": "Summarise."}]}]),
            tracekit.integrations.bedrock, args.calls, args.rounds)
        # Each query makes four spans: query, retrieve, query embedding, LLM.
        index = VectorStoreIndex.from_documents([Document(text="Tracing records spans."),
                                                 Document(text="Autolog patches libraries.")],
                                                embed_model=MockEmbedding(embed_dim=8))
        openai_engine = index.as_query_engine(llm=LlamaIndexOpenAI(
            model="gpt-4o-mini", api_base=openai_url, api_key="bench", max_retries=0))
        compare("llama_index query, OpenAI", lambda: openai_engine.query("What does autolog do?"),
                tracekit.integrations.llama_index, args.calls, args.rounds)
        mock_engine = index.as_query_engine(llm=MockLLM(max_tokens=8))
        compare("llama_index query, MockLLM", lambda: mock_engine.query("What does autolog do?"),
                tracekit.integrations.llama_index, args.calls, args.rounds)
    finally:
        server.terminate()
        server.wait()
    tracekit.flush_trace_async_logging()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"traces exported: {exporter.count}; peak RSS: {peak_mb:.0f} MB; "
          f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
