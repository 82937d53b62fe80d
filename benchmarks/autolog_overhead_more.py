"""Added cost of autolog per call for LiteLLM, Mistral, Google GenAI, Bedrock, LlamaIndex, DSPy and the OpenAI
Agents SDK: the same calls against the same local fake server, with the integration off and on, measured in one run
(the harness: `_autolog_bench.py`).

    python benchmarks/autolog_overhead_more.py [--calls 200] [--rounds 5]

Calls: a LiteLLM completion (through its OpenAI provider), the same streamed, a LiteLLM embedding, a Mistral chat
completion and the same streamed, a Gemini generate_content and the same streamed, a Bedrock converse, a DSPy LM
call and a DSPy `Predict` (module and LM spans; DSPy's response cache off), an Agents SDK run of one agent (one model
call; the SDK's own tracing on with no other processor, in both columns) and of a triage agent that hands off to an
agent with a tool (three model calls), and for reference an OpenAI chat completion through the existing OpenAI
integration. A library's rows are built in its own function below; `cases` lists them.
"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network on import
os.environ.setdefault("DSPY_CACHEDIR", os.path.join(tempfile.gettempdir(), "tracekit-bench-dspy-cache"))

import agents  # noqa: E402
import boto3  # noqa: E402
import dspy  # noqa: E402
import litellm  # noqa: E402
import openai  # noqa: E402
from _autolog_bench import MESSAGES, Case, main  # noqa: E402
from google import genai  # noqa: E402
from llama_index.core import Document, VectorStoreIndex  # noqa: E402
from llama_index.core.embeddings import MockEmbedding  # noqa: E402
from llama_index.core.llms import MockLLM  # noqa: E402
from mistralai.client import Mistral  # noqa: E402

import tracekit.integrations.bedrock  # noqa: E402
import tracekit.integrations.dspy  # noqa: E402
import tracekit.integrations.gemini  # noqa: E402
import tracekit.integrations.litellm  # noqa: E402
import tracekit.integrations.llama_index  # noqa: E402
import tracekit.integrations.mistral  # noqa: E402
import tracekit.integrations.openai  # noqa: E402
import tracekit.integrations.openai_agents  # noqa: E402

# A question holding DSPy's output sections: the fake server's echo of it parses as the answer.
DSPY_QUESTION = "Why trace?\n[[ ## answer ## ]]\n42\n[[ ## completed ## ]]"


def openai_cases(url: str) -> list[Case]:
    oai = openai.OpenAI(base_url=url, api_key="bench", max_retries=0)
    return [Case("openai chat (reference)", lambda: oai.chat.completions.create(model="gpt-bench",
                                                                              messages=MESSAGES),
                 tracekit.integrations.openai)]


def litellm_cases(url: str) -> list[Case]:
    target = {"api_base": url, "api_key": "bench", "max_retries": 0}

    def streamed() -> None:
        for _ in litellm.completion(model="openai/gpt-bench", messages=MESSAGES, stream=True, **target):
            pass

    return [
        Case("litellm completion", lambda: litellm.completion(model="openai/gpt-bench", messages=MESSAGES, **target),
             tracekit.integrations.litellm),
        Case("litellm completion, stream", streamed, tracekit.integrations.litellm),
        Case("litellm embedding", lambda: litellm.embedding(model="openai/emb-bench", input=["a", "b"], **target),
             tracekit.integrations.litellm),
    ]


def mistral_cases(url: str) -> list[Case]:
    mistral = Mistral(api_key="bench", server_url=url.removesuffix("/v1"))

    def streamed() -> None:
        for _ in mistral.chat.stream(model="mistral-bench", messages=MESSAGES):
            pass

    return [
        Case("mistral chat", lambda: mistral.chat.complete(model="mistral-bench", messages=MESSAGES),
             tracekit.integrations.mistral),
        Case("mistral chat, streamed", streamed, tracekit.integrations.mistral),
    ]


def gemini_cases(url: str) -> list[Case]:
    gemini = genai.Client(api_key="bench", http_options={"base_url": url.removesuffix("/v1")})

    def streamed() -> None:
        for _ in gemini.models.generate_content_stream(model="gemini-bench", contents="Summarise tracing."):
            pass

    return [
        Case("gemini generate_content", lambda: gemini.models.generate_content(
            model="gemini-bench", contents="Summarise tracing."), tracekit.integrations.gemini),
        Case("gemini generate, streamed", streamed, tracekit.integrations.gemini),
    ]


def bedrock_cases(url: str) -> list[Case]:
    bedrock = boto3.client("bedrock-runtime", endpoint_url=url.removesuffix("/v1"), region_name="us-east-1",
                           aws_access_key_id="bench", aws_secret_access_key="bench")
    return [Case("bedrock converse", lambda: bedrock.converse(
        modelId="anthropic.claude-bench", messages=[{"role": "user", "content": [{"text": "Summarise."}]}]),
        tracekit.integrations.bedrock)]


def llama_index_cases(url: str) -> list[Case]:
    # Four spans a query (query, retrieve, query embedding, LLM); MockLLM does no I/O, so this is the integration's
    # cost against LlamaIndex's own.
    index = VectorStoreIndex.from_documents([Document(text="Tracing records spans."),
                                             Document(text="Autolog patches libraries.")],
                                            embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(llm=MockLLM(max_tokens=8))
    # The tests' OpenAI chat LLM on LlamaIndex's LLM base, over the real openai client, against the fake server.
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integrations"))
    from llama_index_openai_llm import OpenAI as LlamaIndexOpenAI

    openai_engine = index.as_query_engine(llm=LlamaIndexOpenAI(model="gpt-4o-mini", api_base=url, api_key="bench"))
    return [Case("llama_index query, OpenAI", lambda: openai_engine.query("What does autolog do?"),
                 tracekit.integrations.llama_index),
            Case("llama_index query, MockLLM", lambda: engine.query("What does autolog do?"),
                 tracekit.integrations.llama_index)]


def dspy_cases(url: str) -> list[Case]:
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    lm = dspy.LM("openai/gpt-bench", api_base=url, api_key="bench", cache=False, num_retries=0)
    dspy.configure(lm=lm, adapter=dspy.ChatAdapter())
    predict = dspy.Predict("question -> answer")
    return [
        Case("dspy LM call", lambda: lm("Summarise tracing."), tracekit.integrations.dspy),
        Case("dspy Predict", lambda: predict(question=DSPY_QUESTION), tracekit.integrations.dspy),
    ]


def openai_agents_cases(url: str) -> list[Case]:
    agents.set_trace_processors([])  # never export to OpenAI's servers
    agents.set_default_openai_client(openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0),
                                     use_for_tracing=False)

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    solo = agents.Agent(name="solo", instructions="Be terse.", model="gpt-bench")
    weather = agents.Agent(name="weather", instructions="Weather.", tools=[get_weather], model="gpt-bench")
    triage = agents.Agent(name="triage", instructions="Route.", handoffs=[weather], model="gpt-bench")
    return [
        Case("agents run, 1 model call", lambda: agents.Runner.run_sync(solo, "Summarise tracing."),
             tracekit.integrations.openai_agents),
        Case("agents handoff+tool (3 LLM)", lambda: agents.Runner.run_sync(triage, "Weather in Paris?"),
             tracekit.integrations.openai_agents),
    ]


#: One entry a library: add a library's function here.
LIBRARIES = [openai_cases, litellm_cases, mistral_cases, gemini_cases, bedrock_cases, llama_index_cases, dspy_cases,
             openai_agents_cases]


def cases(url: str) -> list[Case]:
    """Every library's rows, in `LIBRARIES` order."""
    return [case for library in LIBRARIES for case in library(url)]


if __name__ == "__main__":
    main(cases, __doc__.splitlines()[0], default_calls=200)
