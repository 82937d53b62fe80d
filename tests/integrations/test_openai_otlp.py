"""What the OpenAI autolog records reaches an OTLP collector under the standard GenAI and OpenInference keys."""

from __future__ import annotations

import json

import pytest
from otlp_receivers import HttpReceiver

import tracekit

openai = pytest.importorskip("openai")
import tracekit.integrations.openai as openai_autolog  # noqa: E402


@pytest.fixture
def receiver(monkeypatch):
    started = HttpReceiver()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", started.endpoint)
    tracekit.tracing.reset()
    openai_autolog.autolog()
    yield started
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    tracekit.tracing.reset()
    started.close()


def test_chat_completion_span_has_genai_and_openinference_keys(receiver, openai_client):
    response = openai_client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "hello there"}], temperature=0.3)
    tracekit.flush_trace_async_logging()

    (span,) = receiver.wait_for_spans(1)
    attributes = span.attributes
    usage = response.usage
    assert attributes["gen_ai.system"] == "openai"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.request.model"] == "gpt-test"
    assert attributes["gen_ai.response.model"] == "gpt-test-2025"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.response.finish_reasons"] == ["stop"]
    assert attributes["gen_ai.usage.input_tokens"] == usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
    assert attributes["openinference.span.kind"] == "LLM"
    assert attributes["llm.model_name"] == "gpt-test-2025"
    assert attributes["llm.token_count.total"] == usage.total_tokens
    assert json.loads(attributes["input.value"])["model"] == "gpt-test"
    assert json.loads(attributes["tracekit.chat.tokenUsage"])["total_tokens"] == usage.total_tokens
