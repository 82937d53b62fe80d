"""Trace OpenAI calls without touching them: `tracekit.integrations.openai.autolog()` and every chat completion,
responses and embeddings call becomes a span with the messages, the model and the token counts.

Needs `pip install 'tracekit[openai]'` and OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server):
    python examples/openai_autolog.py
"""

from __future__ import annotations

import os

import openai

import tracekit
import tracekit.integrations.openai

MODEL = os.environ.get("EXAMPLE_MODEL", "gpt-4o-mini")

tracekit.integrations.openai.autolog()
client = openai.OpenAI()


@tracekit.trace(span_type=tracekit.SpanType.CHAIN)
def answer(question: str) -> str:
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}])
    # A streamed call: its span ends when the stream is used up, with the text assembled from the chunks.
    stream = client.chat.completions.create(model=MODEL, stream=True, stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": "Say it again, shorter."}])
    shorter = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    return f"{reply.choices[0].message.content} / {shorter}"


def main() -> None:
    print(answer("What does tracekit record for an OpenAI call?"))

    trace = tracekit.get_last_active_trace()
    for span in trace.data.spans:
        usage = span.get_attribute("tracekit.chat.tokenUsage")
        print(f"  {span.name:<24} {span.span_type:<11} tokens={usage}")


if __name__ == "__main__":
    main()
