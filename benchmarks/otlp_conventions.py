"""What the OpenInference / GenAI translation (`tracekit.otlp.conventions`) costs, beside the same work without it,
in one run.

    python benchmarks/otlp_conventions.py [--spans 2000] [--repeats 3] [--messages 6]

- encode: a chat trace (an agent span around a CHAT_MODEL span with `--messages` messages, tools, usage, model)
  into an OTLP request, with the standard keys and GenAI message events (flattened messages, payloads and long texts
  sent once) against tracekit's keys only (standard keys and events switched off); the request size of each is
  printed too, and for the same trace with a 105,000-character system prompt;
- decode: an OTLP request of OpenInference chat-completion spans (as `openinference-instrumentation-openai` writes
  them) into tracekit traces, read into tracekit's keys against stored untranslated;
- in-process: the same span, recorded through an SDK provider, turned into a tracekit span (`span_from_otel`) with
  and without the translation.
Figures: best of `--repeats`, CPU µs per span; the ratio is with / without.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import peak_rss_mb  # noqa: E402


def best_us(func: Callable[[], object], count: int, repeats: int) -> float:
    """Best CPU time of `repeats` runs (steadier than wall time on a shared machine), µs per item of `count`."""
    timings = []
    for _ in range(repeats):
        start = time.process_time()
        func()
        timings.append(time.process_time() - start)
    return min(timings) / count * 1e6


def chat_trace(messages: int, system_prompt: str | None = None):
    import tracekit
    from tracekit.exporters.memory import InMemoryTraceExporter
    from tracekit.integrations import _genai

    exporter = InMemoryTraceExporter()
    tracekit.tracing.set_exporter(exporter)
    conversation = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " * 20}
                    for i in range(messages - 1)] + [{"role": "assistant", "content": "the answer " * 30}]
    if system_prompt is not None:
        conversation.insert(0, {"role": "system", "content": system_prompt})
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    with tracekit.start_span("agent", span_type="AGENT") as agent:
        agent.set_inputs({"question": "q"})
        with tracekit.start_span("chat", span_type="CHAT_MODEL") as span:
            _genai.record_chat_request(span, "openai", "chat", {"model": "gpt-test", "messages": conversation[:-1],
                                                                "temperature": 0.2})
            _genai.record_response_info(span, model="gpt-test-2025", response_id="r", finish_reasons=["stop"])
            _genai.record_usage(span, input_tokens=120, output_tokens=30)
            tracekit.set_span_chat_messages(span, conversation)
            tracekit.set_span_chat_tools(span, [tool])
            span.set_outputs({"choices": [{"message": conversation[-1]}]})
        agent.set_outputs("done")
    tracekit.flush_trace_async_logging()
    tracekit.tracing.set_exporter(None)
    (trace,) = exporter.traces
    return trace


def openinference_attributes(messages: int) -> dict[str, object]:
    import json

    conversation = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " * 20}
                    for i in range(messages)]
    attributes: dict[str, object] = {
        "openinference.span.kind": "LLM", "llm.system": "openai", "llm.model_name": "gpt-test-2025",
        "llm.invocation_parameters": '{"model": "gpt-test"}', "input.mime_type": "application/json",
        "input.value": json.dumps({"model": "gpt-test", "messages": conversation[:-1]}),
        "output.mime_type": "application/json", "output.value": json.dumps({"choices": [conversation[-1]]}),
        "llm.token_count.prompt": 120, "llm.token_count.completion": 30, "llm.token_count.total": 150}
    for i, message in enumerate(conversation[:-1]):
        attributes[f"llm.input_messages.{i}.message.role"] = message["role"]
        attributes[f"llm.input_messages.{i}.message.content"] = message["content"]
    attributes["llm.output_messages.0.message.role"] = "assistant"
    attributes["llm.output_messages.0.message.content"] = conversation[-1]["content"]
    return attributes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--messages", type=int, default=6)
    args = parser.parse_args()

    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from tracekit.otlp import conventions, decode, encode
    from tracekit.tracing import live_span

    def without(module, name: str, value: object):
        return mock.patch.object(module, name, value)

    trace = chat_trace(args.messages)
    count = args.spans
    traces = [trace] * (count // 2)  # two spans a trace
    print(f"python {sys.version.split()[0]}, {count} spans x best of {args.repeats}; µs per span "
          f"(a chat span of {args.messages} messages)\n")
    print(f"{'':34}{'translated':>12}{'untranslated':>14}{'ratio':>8}")

    def encode_all() -> bytes:
        return encode.encode_request(traces).SerializeToString()

    with_size = len(encode.encode_request([trace]).SerializeToString())
    with_us = best_us(encode_all, count, args.repeats)
    long_trace = chat_trace(args.messages, system_prompt="A retrieved passage about tariffs. " * 3000)
    long_size = len(encode.encode_request([long_trace]).SerializeToString())
    with without(encode, "standard_attributes", lambda span, attributes: {}), \
            without(encode, "message_events", lambda chat, attributes, capture: []):
        without_size = len(encode.encode_request([trace]).SerializeToString())
        without_us = best_us(encode_all, count, args.repeats)
        long_without = len(encode.encode_request([long_trace]).SerializeToString())
    print(f"{'encode (export)':34}{with_us:12.1f}{without_us:14.1f}{with_us / without_us:7.2f}x")
    print(f"{'  request bytes per chat trace':34}{with_size:12d}{without_size:14d}{with_size / without_size:7.2f}x")
    print(f"{'  the same, 105,000-char prompt':34}{long_size:12d}{long_without:14d}{long_size / long_without:7.2f}x")

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("openinference.instrumentation.openai")
    attributes = openinference_attributes(args.messages)
    for _ in range(count):
        with tracer.start_as_current_span("ChatCompletion", attributes=attributes):
            pass
    spans = memory.get_finished_spans()
    body = encode_spans(spans)

    with_us = best_us(lambda: decode.traces_from_request(body), count, args.repeats)
    with without(decode, "adopt_standard_keys", lambda attributes, events=(): None):
        without_us = best_us(lambda: decode.traces_from_request(body), count, args.repeats)
    print(f"{'decode (server ingest)':34}{with_us:12.1f}{without_us:14.1f}{with_us / without_us:7.2f}x")

    def to_tracekit() -> None:
        for span in spans:
            live_span.span_from_otel(span)

    with_us = best_us(to_tracekit, count, args.repeats)
    with without(live_span, "speaks_a_convention", lambda attributes, events=(): False):
        without_us = best_us(to_tracekit, count, args.repeats)
    print(f"{'in-process (global provider)':34}{with_us:12.1f}{without_us:14.1f}{with_us / without_us:7.2f}x")
    assert conventions.CONVENTIONS
    print(f"\npeak RSS: {peak_rss_mb():.1f} MB; load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
