"""An OpenInference LLM span sent over OTLP to the server shows in the trace explorer as tracekit shows its own chat
spans: its type, the conversation with the tool call, the tools offered, inputs and outputs, the token usage."""

from __future__ import annotations

import httpx
import orjson
import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer

from tracekit.server import ServerSettings, create_app

TRACE_ID = "5b8efff798038103d269b633813fc60c"
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
ATTRIBUTES = {
    "openinference.span.kind": "LLM", "llm.model_name": "gpt-test-2025",
    "input.value": '{"model": "gpt-test", "messages": [{"role": "user", "content": "Weather in Oslo?"}]}',
    "input.mime_type": "application/json",
    "output.value": '{"choices": [{"message": {"role": "assistant", "content": "Snowy."}}]}',
    "output.mime_type": "application/json",
    "llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "Be brief.",
    "llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "Weather in Oslo?",
    "llm.input_messages.2.message.role": "assistant",
    "llm.input_messages.2.message.tool_calls.0.tool_call.id": "call_oslo",
    "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "get_weather",
    "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments": '{"city": "Oslo"}',
    "llm.input_messages.3.message.role": "tool", "llm.input_messages.3.message.content": "Snow, -3 C",
    "llm.input_messages.3.message.tool_call_id": "call_oslo",
    "llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": "Snowy.",
    "llm.tools.0.tool.json_schema": orjson.dumps(TOOL).decode(),
    "llm.token_count.prompt": 31, "llm.token_count.completion": 9, "llm.token_count.total": 40,
}


def otlp_body() -> bytes:
    pairs = [{"key": key, "value": {"stringValue": value} if isinstance(value, str) else {"intValue": str(value)}}
             for key, value in ATTRIBUTES.items()]
    span = {"traceId": TRACE_ID, "spanId": "eee19b7ec3c1b174", "name": "ChatCompletion", "kind": 1,
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
            "attributes": pairs}
    scope = {"scope": {"name": "openinference.instrumentation.openai"}, "spans": [span]}
    return orjson.dumps({"resourceSpans": [{"scopeSpans": [scope]}]})


@pytest.fixture
def server(tmp_path):
    require_browser()
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}"))
                             ).start()
    yield running
    running.stop()


def test_an_openinference_span_reads_as_a_conversation(server):
    answer = httpx.post(f"{server.url}/v1/traces", content=otlp_body(),
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright, chromium_context(playwright) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/#/traces/tr-{TRACE_ID}")
        expect(page.locator("[data-testid=trace-tokens]")).to_have_text("40 (31 in, 9 out)")
        page.locator("[data-testid=span-row]").first.click()
        details = page.locator("[data-testid=span-details]")
        expect(details.locator(".type-badge")).to_have_text("LLM")
        messages = page.locator("[data-testid=chat] > li")
        expect(messages).to_have_count(5)
        assert messages.evaluate_all("items => items.map(item => item.dataset.role)") == \
            ["system", "user", "assistant", "tool", "assistant"]
        expect(messages.nth(2).locator("[data-testid=chat-tool-call]")).to_contain_text("get_weather")
        expect(messages.nth(4)).to_contain_text("Snowy.")
        expect(page.locator("[data-testid=span-chat] .chat-tools > summary")).to_have_text(
            "Tools offered: get_weather")
        expect(details.locator("[data-testid=span-inputs]")).to_contain_text('"model": "gpt-test"')
        expect(details.locator("[data-testid=span-outputs]")).to_contain_text("choices")
        assert not errors, errors
