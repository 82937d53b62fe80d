"""Added cost of autolog per library call: the same client calls against the same local fake server, with the
integration off and on, measured in one run (the harness: `_autolog_bench.py`).

    python benchmarks/autolog_overhead.py [--calls 300] [--rounds 5]

Calls: an OpenAI chat completion, the same streamed (9 chunks), an embeddings call, an Anthropic message, and a
LangChain prompt | fake chat model | parser chain (no server). Traces go to an exporter that discards them, so the
cost is span creation, request/response recording and hand-off, not storage.
"""

from __future__ import annotations

import anthropic
import openai
from _autolog_bench import MESSAGES, Case, main
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

import tracekit.integrations.anthropic
import tracekit.integrations.langchain
import tracekit.integrations.openai


def cases(openai_url: str) -> list[Case]:
    """The calls measured, one row each."""
    oai = openai.OpenAI(base_url=openai_url, api_key="bench", max_retries=0)
    claude = anthropic.Anthropic(base_url=openai_url.removesuffix("/v1"), api_key="bench", max_retries=0)
    chain = (ChatPromptTemplate.from_messages([("system", "Be terse."), ("user", "{q}")])
             | FakeListChatModel(responses=["tracing records what ran"]) | StrOutputParser())

    def streamed() -> None:
        for _ in oai.chat.completions.create(model="gpt-bench", messages=MESSAGES, stream=True,
                                             stream_options={"include_usage": True}):
            pass

    return [
        Case("openai chat", lambda: oai.chat.completions.create(model="gpt-bench", messages=MESSAGES),
             tracekit.integrations.openai),
        Case("openai chat, streamed", streamed, tracekit.integrations.openai),
        Case("openai embeddings", lambda: oai.embeddings.create(model="emb-bench", input=["a", "b"]),
             tracekit.integrations.openai),
        Case("anthropic messages", lambda: claude.messages.create(model="claude-bench", max_tokens=64,
                                                                  messages=MESSAGES[1:], system="Be terse."),
             tracekit.integrations.anthropic),
        Case("langchain chain (3 runs)", lambda: chain.invoke({"q": "hi"}), tracekit.integrations.langchain),
    ]


if __name__ == "__main__":
    main(cases, __doc__.splitlines()[0], default_calls=300)
